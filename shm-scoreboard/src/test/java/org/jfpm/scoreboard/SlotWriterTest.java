package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlotWriterTest {

    @TempDir
    Path dir;

    private Scoreboard sb;
    private ScoreboardReader reader;

    @BeforeEach
    void createBoard() {
        sb = Scoreboard.create(dir, "www", PmMode.DYNAMIC, Accounting.SDK, 4, 4);
        reader = sb.reader();
    }

    @AfterEach
    void deleteBoard() {
        sb.delete();
    }

    private SlotSnapshot slot(int i) {
        return reader.slot(i).orElseThrow();
    }

    @Test
    void walksARequestThroughEveryStage() throws Exception {
        sb.allocate(1);
        int slot = sb.allocate(9);
        try (SlotWriter w = SlotWriter.attach(sb.path(), slot)) {
            assertTrue(w.isAttached());
            assertEquals(1, w.slot());
            SlotSnapshot s = slot(slot);
            assertEquals(ProcessHandle.current().pid(), s.pid());
            assertEquals(RequestStage.STARTING, s.stage());
            assertEquals(9, s.generation(), "the master's fields survive the attach");

            w.accepting();
            assertTrue(slot(slot).isIdle());
            assertEquals(0, slot(slot).requests());

            long before = Words.nowUs();
            w.accepted();
            s = slot(slot);
            assertEquals(RequestStage.READING_HEADERS, s.stage());
            assertEquals(1, s.requests());
            assertTrue(s.acceptedTimeUs() >= before);
            assertEquals(s.acceptedTimeUs(), s.lastActivityUs());
            assertEquals(1, reader.header().acceptedConn());

            w.requestInfo("POST", "/index.php", "a=1", "/srv/www/index.php", 42, "bob");
            s = slot(slot);
            assertEquals(RequestStage.INFO, s.stage());
            assertEquals(List.of("POST", "/index.php", "a=1", "/srv/www/index.php", "bob"),
                    List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user()));
            assertEquals(42, s.contentLength());
            assertEquals(0, s.requestDurationUs(), "no duration while the request is open");

            w.executing();
            assertEquals(RequestStage.EXECUTING, slot(slot).stage());
            Thread.sleep(3);
            w.finished();
            s = slot(slot);
            assertEquals(RequestStage.FINISHED, s.stage());
            assertTrue(s.requestDurationUs() >= 3_000, "duration " + s.requestDurationUs());
            assertTrue(s.lastRequestMemory() > 1 << 20, "RSS " + s.lastRequestMemory());
            assertEquals("/index.php", s.uri(), "the last request stays visible");

            long duration = s.requestDurationUs();
            w.accepting();
            s = slot(slot);
            assertEquals(RequestStage.ACCEPTING, s.stage());
            assertEquals(duration, s.requestDurationUs(), "finished() already closed the request");
            assertEquals("/index.php", s.uri());
        }
    }

    @Test
    void acceptingClosesAnOpenRequestAndAcceptedStartsAFreshOne() throws Exception {
        int slot = sb.allocate(1);
        try (SlotWriter w = SlotWriter.attach(sb.path(), slot)) {
            w.accepting();
            w.accepted();
            w.requestInfo("GET", "/a", "x=1", "/a.php", 7, null);
            Thread.sleep(2);
            w.accepting();
            SlotSnapshot s = slot(slot);
            assertTrue(s.requestDurationUs() >= 2_000, "duration " + s.requestDurationUs());
            assertTrue(s.lastRequestCpuUs() >= 0);
            assertEquals(7, s.contentLength());

            w.accepted();
            s = slot(slot);
            assertEquals(2, s.requests());
            assertEquals(List.of(0L, 0L), List.of(s.requestDurationUs(), s.contentLength()));
            assertEquals(List.of("", "", "", "", ""), List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user()));
            assertEquals(2, reader.header().acceptedConn());
        }
    }

    @Test
    void stagesAfterTheRequestNeedAnOpenRequest() throws Exception {
        int slot = sb.allocate(1);
        try (SlotWriter w = SlotWriter.attach(sb.path(), slot)) {
            w.accepting();
            w.requestInfo("GET", "/ignored", null, null, 1, null);
            w.executing();
            w.finished();
            SlotSnapshot s = slot(slot);
            assertEquals(RequestStage.ACCEPTING, s.stage());
            assertEquals("", s.uri());
        }
    }

    @Test
    void workersKeepTheActiveCountAndItsHighWaterMarkBetweenTheMastersSamples() throws Exception {
        try (SlotWriter a = SlotWriter.attach(sb.path(), sb.allocate(1));
             SlotWriter b = SlotWriter.attach(sb.path(), sb.allocate(1));
             SlotWriter c = SlotWriter.attach(sb.path(), sb.allocate(1))) {
            for (SlotWriter w : List.of(a, b, c)) {
                w.accepting();
            }
            assertEquals(0, activeRequests());
            a.accepted();
            b.accepted();
            assertEquals(2, activeRequests());
            a.finished();
            a.accepting(); // no second decrement for a request already closed
            b.accepting();
            c.accepted();
            c.accepting();
            assertEquals(0, activeRequests());
            assertEquals(2, sb.reader().header().maxActiveProcesses(), "the burst of 2 is remembered");

            sb.requestAbandoned(); // already 0: stays 0
            assertEquals(0, activeRequests());
            a.accepting(); // an idle worker going idle again never takes the count below 0
            assertEquals(0, activeRequests());
            sb.updateMaxActive(1);
            assertEquals(2, sb.reader().header().maxActiveProcesses(), "the master never lowers the mark");
        }
    }

    /**
     * The master's correction (a dead worker's +1 taken back) races the live workers' atomic +1/-1
     * on the real mapped word and loses none of them: 4 threads of 200 000 open/close pairs, while the
     * master takes back the +1 of 1000 workers that died in a request, end at exactly 0.
     */
    @Test
    void theMastersCorrectionLosesNoneOfTheWorkersUpdates() throws Exception {
        java.nio.ByteBuffer header;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(sb.path(),
                java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            header = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, ScoreboardLayout.HEADER_SIZE)
                    .order(java.nio.ByteOrder.nativeOrder());
        }
        int dead = 1000;
        for (int i = 0; i < dead; i++) {
            ActiveRequests.increment(header); // workers that will die in their request
        }
        java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread w = new Thread(() -> {
                while (!go.get()) {
                    Thread.onSpinWait();
                }
                for (int i = 0; i < 200_000; i++) {
                    ActiveRequests.increment(header);
                    ActiveRequests.decrement(header);
                }
            });
            w.start();
            workers.add(w);
        }
        go.set(true);
        for (int i = 0; i < dead; i++) {
            sb.requestAbandoned();
            Thread.onSpinWait();
        }
        for (Thread w : workers) {
            w.join(60_000);
        }
        assertEquals(0, activeRequests());
    }

    private long activeRequests() throws Exception {
        return FileWords.getLong(sb.path(), ScoreboardLayout.HEADER_ACTIVE_REQUESTS_OFFSET);
    }

    @Test
    void workersShareTheAcceptedConnCounter() throws Exception {
        try (SlotWriter a = SlotWriter.attach(sb.path(), sb.allocate(1));
             SlotWriter b = SlotWriter.attach(sb.path(), sb.allocate(1))) {
            for (int i = 0; i < 5; i++) {
                a.accepted();
                b.accepted();
                b.accepting();
            }
            assertEquals(10, reader.header().acceptedConn());
            assertEquals(List.of(5L, 5L), reader.slots().stream().map(SlotSnapshot::requests).toList());
        }
    }

    @Test
    void withoutTheEnvironmentTheWriterIsANoOp() throws Exception {
        SlotWriter w = SlotWriter.fromEnvironment(Map.of());
        assertFalse(w.isAttached());
        assertEquals(-1, w.slot());
        w.accepting();
        w.accepted();
        w.requestInfo("GET", "/", "", "", 0, "");
        w.executing();
        w.finished();
        w.close();
        assertFalse(SlotWriter.fromEnvironment(Map.of(SlotWriter.ENV_SCOREBOARD, "")).isAttached());
    }

    @Test
    void attachesFromTheEnvironment() throws Exception {
        int slot = sb.allocate(1);
        try (SlotWriter w = SlotWriter.fromEnvironment(
                Map.of(SlotWriter.ENV_SCOREBOARD, sb.path().toString(), SlotWriter.ENV_SLOT, Integer.toString(slot)))) {
            assertTrue(w.isAttached());
            assertEquals(ProcessHandle.current().pid(), slot(slot).pid());
        }
    }

    @Test
    void aBrokenEnvironmentIsALoudError() {
        String file = sb.path().toString();
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> SlotWriter.fromEnvironment(Map.of(SlotWriter.ENV_SCOREBOARD, file)));
        assertTrue(missing.getMessage().contains("JFPM_SLOT=null"), missing.getMessage());
        assertThrows(IllegalStateException.class, () -> SlotWriter.fromEnvironment(
                Map.of(SlotWriter.ENV_SCOREBOARD, file, SlotWriter.ENV_SLOT, "one")));
        ScoreboardFormatException range = assertThrows(ScoreboardFormatException.class, () -> SlotWriter.fromEnvironment(
                Map.of(SlotWriter.ENV_SCOREBOARD, file, SlotWriter.ENV_SLOT, "4")));
        assertEquals("slot 4 out of range [0, 4)", range.problem());
    }

    @Test
    void aClosedWriterStopsWriting() throws Exception {
        int slot = sb.allocate(1);
        SlotWriter w = SlotWriter.attach(sb.path(), slot);
        w.accepting();
        w.close();
        w.accepted();
        assertFalse(w.isAttached());
        assertEquals(RequestStage.ACCEPTING, slot(slot).stage());
        assertEquals(0, slot(slot).requests());
    }
}
