package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.api.Test;

/** PHP-FPM's per-process semantics: durations, cpu, memory, dashes, state names, pool counts. */
class ProcessFieldsTest {

    @Test
    void durationIsTheLastRequestsWhenIdleAndNowMinusAcceptedWhenBusy() {
        Fixtures f = new Fixtures();
        f.worker(1, RequestStage.ACCEPTING, 9, 250_000, "POST", "/a", "", "/s.php", "bob", 12, 125_000, 4096, 77);
        f.worker(2, RequestStage.EXECUTING, 9, 1_500_000, "GET", "/b", "x=1", "/t.php", "", 0, 999, 4096, -1);
        f.worker(3, RequestStage.STARTING, 0, 0, "", "", "", "", "", 0, 0, 0, -1);
        f.worker(4, RequestStage.READING_HEADERS, 1, 10, "", "", "", "", "", 0, 0, 0, -1);
        var p = ProcessFields.of(f.build());

        ProcessFields idle = p.get(0);
        assertEquals("Idle", idle.state());
        assertEquals(250_000, idle.requestDuration());
        assertEquals("50.00", idle.lastRequestCpuText(), "125 ms of CPU in a 250 ms request");
        assertEquals(4096, idle.lastRequestMemory());
        assertEquals("POST", idle.requestMethod());
        assertEquals("/a", idle.requestUri());
        assertEquals("bob", idle.user());
        assertEquals(77, idle.rssBytes());
        assertEquals("idle", idle.dashboardState());

        ProcessFields busy = p.get(1);
        assertEquals("Running", busy.state());
        assertEquals(1_500_000, busy.requestDuration());
        assertEquals("0.00", busy.lastRequestCpuText(), "PHP-FPM shows 0 cpu while busy");
        assertEquals(0, busy.lastRequestMemory(), "PHP-FPM shows 0 memory while busy");
        assertEquals("/b?x=1", busy.requestUri());
        assertEquals("-", busy.user());
        assertEquals("busy", busy.dashboardState());

        ProcessFields starting = p.get(2);
        assertEquals("Starting", starting.state());
        assertEquals(0, starting.requestDuration(), "no request accepted yet");
        assertEquals("-", starting.requestMethod());
        assertEquals("-", starting.requestUri());
        assertEquals("-", starting.script());
        assertEquals("starting", starting.dashboardState());

        assertEquals("Reading headers", p.get(3).state());
        assertEquals(3, p.get(3).startSince());
    }

    @Test
    void poolCountsComeFromTheSlotsAndMaxActiveIsNeverBelowTheWorkersInARequest() {
        Fixtures f = new Fixtures();
        f.maxActive = 1;
        f.idle(1).running(2).running(3);
        f.worker(4, RequestStage.STARTING, 0, 0, "", "", "", "", "", 0, 0, 0, -1);
        PoolStatus s = f.build();
        PoolFields p = PoolFields.of(s);
        assertEquals(1, p.idleProcesses());
        assertEquals(3, p.activeProcesses(), "a starting worker is active, as in PHP-FPM");
        assertEquals(4, p.totalProcesses());
        assertEquals(2, p.maxActiveProcesses(), "two in a request; a starting worker is not (issue 8)");
        assertEquals(3, p.startSince());
        assertEquals(1_795_797_334L, p.startTime());
        assertEquals(4, p.maxChildren());
    }

    @Test
    void negativeCountersFromAGarbledFileShowAsZero() {
        Fixtures f = new Fixtures();
        f.accepted = -5;
        f.slowRequests = -1;
        f.worker(1, RequestStage.ACCEPTING, -3, -7, "", "", "", "", "", -9, -1, -1, -1);
        PoolStatus s = f.build();
        assertEquals(0, PoolFields.of(s).acceptedConn());
        assertEquals(0, PoolFields.of(s).slowRequests());
        ProcessFields w = ProcessFields.of(s).get(0);
        assertEquals(0, w.requests());
        assertEquals(0, w.requestDuration());
        assertEquals(0, w.contentLength());
        assertEquals(0, w.lastRequestMemory());
        assertEquals("0.00", w.lastRequestCpuText());
    }
}
