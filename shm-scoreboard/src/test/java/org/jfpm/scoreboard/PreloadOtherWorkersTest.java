package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preload library counts requests of unmodified Perl and C accept loops, as it does for Python and php-cgi. */
class PreloadOtherWorkersTest {
    private static final int REQUESTS = 4;

    @TempDir
    Path dir;

    private Path library;
    private PreloadScoreboard scoreboard;
    private PreloadWorker worker;

    @BeforeEach
    void setUp() throws IOException {
        library = PreloadLibrary.extract(dir);
        scoreboard = PreloadScoreboard.create(dir, "other", 1);
        assertEquals(0, scoreboard.allocate(3));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
        scoreboard.close();
    }

    @Test
    void countsAPerlAcceptLoop() throws Exception {
        servesAndCounts("/usr/bin/perl", PreloadWorker.resource("accept_worker.pl").toString());
    }

    @Test
    void countsACAcceptLoop() throws Exception {
        Path binary = dir.resolve("accept_worker");
        Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", binary.toString(),
                PreloadWorker.resource("accept_worker.c").toString()).inheritIO().start();
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc finished");
        assertEquals(0, cc.exitValue(), "cc compiled the C worker");
        servesAndCounts(binary.toString());
    }

    private void servesAndCounts(String... argv) throws Exception {
        worker = PreloadWorker.start(dir, "worker", library,
                Map.of("JFPM_SCOREBOARD", scoreboard.path().toString(), "JFPM_SLOT", "0"), argv);
        worker.await(() -> scoreboard.slot(0).stage() == RequestStage.ACCEPTING, "the first accept: " + scoreboard.slot(0));
        assertEquals(worker.pid(), scoreboard.slot(0).pid(), "pid written at load");
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals("ok " + worker.pid(), PreloadPlainWorkerTest.ask(worker.port(), "hello"));
        }
        worker.await(() -> scoreboard.slot(0).requests() == REQUESTS
                && scoreboard.slot(0).stage() == RequestStage.ACCEPTING, "idle after the requests: " + scoreboard.slot(0));
        SlotSnapshot s = scoreboard.slot(0);
        assertEquals(REQUESTS, scoreboard.acceptedConn(), "header accepted_conn");
        assertTrue(s.requestDurationUs() > 0, "duration of the last request: " + s);
        assertTrue(s.lastRequestMemory() > 0, "memory of the last request: " + s);
    }
}
