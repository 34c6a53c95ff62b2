package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2: SIGTERM is a graceful stop — a request in flight completes, the supervisor exits 0 and
 * leaves no worker, no scoreboard file and no unix socket file behind.
 */
class SigtermStopTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermLetsTheRequestFinishAndLeavesNothingBehind() throws Exception {
        Path socket = tmp.resolve("local.sock");
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named("tcp", Workers.python(), "none").staticPm(2))
                .pool(PoolSpec.named("local", Workers.python(), "none").staticPm(1).listenUnix(socket, "0660"))
                .start()) {
            jfpm.pollUntil(() -> jfpm.livePids("tcp").size() == 2 && jfpm.livePids("local").size() == 1,
                    Duration.ofSeconds(15), "3 workers started");
            List<Long> workers = new ArrayList<>(jfpm.livePids("tcp"));
            workers.addAll(jfpm.livePids("local"));
            assertTrue(Files.exists(jfpm.scoreboardFile("tcp")), "scoreboard file of pool tcp exists while running");
            assertTrue(Files.exists(jfpm.scoreboardFile("local")), "scoreboard file of pool local exists while running");
            assertTrue(Files.exists(socket), "socket file exists while running");

            CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(
                    () -> Http.get(jfpm.pool("tcp").address(), "/sleep?ms=1500", Duration.ofSeconds(15)));
            jfpm.awaitLog("python worker \\d+: sleeping 1500 ms", Duration.ofSeconds(10));

            jfpm.signal("TERM");

            Http.Response r = inFlight.get(15, TimeUnit.SECONDS);
            assertEquals(200, r.status(), "the request in flight finished: " + r.body());
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(15)), "exit code after SIGTERM");
            for (long pid : workers) {
                assertFalse(Procs.alive(pid), "worker " + pid + " is still alive after the supervisor exited");
            }
            assertTrue(Procs.withEnviron("JFPM_SCOREBOARD=" + jfpm.scoreboardDir() + "/").isEmpty(),
                    "no process with this run's scoreboard in its environment is left");
            assertFalse(Files.exists(jfpm.scoreboardFile("tcp")), "scoreboard file of pool tcp removed");
            assertFalse(Files.exists(jfpm.scoreboardFile("local")), "scoreboard file of pool local removed");
            assertFalse(Files.exists(socket), "unix socket file removed");
        }
    }

    @Test
    void sigtermDuringStartUpStillStopsCleanly() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named("early", Workers.python(), "preload").staticPm(3))
                .startUntil("jfpm is running")) {
            jfpm.signal("TERM");
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)), "exit code after an early SIGTERM:\n" + jfpm.log());
            for (long pid : jfpm.startedPids("early")) {
                assertFalse(Procs.alive(pid), "worker " + pid + " outlived the stop");
            }
            assertTrue(Procs.withEnviron("JFPM_SCOREBOARD=" + jfpm.scoreboardDir() + "/").isEmpty(),
                    "no process of this run is left");
            assertFalse(jfpm.log().contains("ready to handle connections"), "a stopped jfpm never says it is ready");
        }
    }
}
