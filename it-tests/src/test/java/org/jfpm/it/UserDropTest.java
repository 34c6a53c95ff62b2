package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launch prefix: a pool with {@code user = nobody} (the tests run as root, as CI does) runs its
 * workers as nobody, with no supplementary groups, and they can still write their own scoreboard
 * slot (through the scoreboard's fd 3 they inherit; the launcher sets {@code LD_PRELOAD} after
 * setpriv), so preload accounting works; {@code rlimit-files} and {@code rlimit-core} reach the worker.
 */
class UserDropTest {

    private static final String POOL = "drop";

    @TempDir
    Path tmp;

    @Test
    void workersRunAsThePoolUserAndStillAccountInTheScoreboard() throws Exception {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(1).set("user", "nobody"))
                .start()) {
            jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 1, Duration.ofSeconds(15), "1 worker started");
            long pid = jfpm.livePids(POOL).get(0);
            List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
            assertTrue(status.contains("Uid:\t65534\t65534\t65534\t65534"), "worker runs as nobody: " + status);
            assertTrue(status.contains("Gid:\t65534\t65534\t65534\t65534"), "with nobody's group: " + status);
            assertTrue(status.stream().anyMatch(l -> l.equals("Groups:\t65534") || l.equals("Groups:\t65534 ")),
                    "and nobody's groups only: " + status);

            jfpm.pollUntil(() -> jfpm.inUse(POOL).stream()
                            .anyMatch(s -> s.pid() == pid && s.stage() == RequestStage.ACCEPTING),
                    Duration.ofSeconds(15), "the worker attached to its slot and went idle");
            for (int i = 0; i < 3; i++) {
                assertEquals(200, Http.get(jfpm.pool(POOL).address(), "/").status());
            }
            jfpm.pollUntil(() -> jfpm.inUse(POOL).stream().anyMatch(s -> s.pid() == pid && s.requests() == 3
                    && s.stage() == RequestStage.ACCEPTING), Duration.ofSeconds(10), "3 requests counted");
            SlotSnapshot slot = jfpm.inUse(POOL).get(0);
            assertEquals(3, jfpm.header(POOL).acceptedConn(), "accepted conn: " + slot);
        }
    }

    @Test
    void rlimitsReachTheWorker() throws Exception {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(1)
                        .set("rlimit-files", 777).set("rlimit-core", 0).set("user", "nobody"))
                .start()) {
            jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 1, Duration.ofSeconds(15), "1 worker started");
            long pid = jfpm.livePids(POOL).get(0);
            List<String> limits = Files.readAllLines(Path.of("/proc/" + pid + "/limits"));
            assertTrue(limits.stream().anyMatch(l -> l.matches("Max open files\\s+777\\s+777\\s+files\\s*")),
                    "RLIMIT_NOFILE 777 for the worker: " + limits);
            assertEquals(200, Http.get(jfpm.pool(POOL).address(), "/").status());
        }
    }
}
