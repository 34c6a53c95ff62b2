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

    /** The formatter-free %.2f gives String.format's digits exactly, ties and all. */
    @Test
    void lastRequestCpuHasStringFormatsDigitsExactly() {
        java.util.Random random = new java.util.Random(42);
        java.util.List<Double> values = new java.util.ArrayList<>(java.util.List.of(0.0, -0.0, 0.005, 0.015, 0.125, 0.145,
                1.005, 2.675, 99.995, 9.999, 0.996, 999.9999, 0.5, 7.0, 100.0, 1e-9, 4.9e-324, 0.0049999, 123456789.125, 1e7, 1.0e22, 33.333333333333336,
                -1.5, -0.001, Double.NaN, Double.POSITIVE_INFINITY));
        for (int i = 0; i < 50_000; i++) {
            values.add(random.nextDouble() * (i % 2 == 0 ? 100 : 10_000));
            values.add((random.nextInt(100_000) + 0.5) / 1000.0); // x.xx5-style ties in decimal
            long cpuUs = random.nextInt(2_000_000);
            long durationUs = 1 + random.nextInt(2_000_000);
            values.add(cpuUs * 100.0 / durationUs); // what ProcessFields computes
        }
        for (double v : values) {
            assertEquals(String.format(java.util.Locale.ROOT, "%.2f", v), ProcessFields.twoDecimals(v), "value " + v);
        }
    }
}
