package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: emergency-restart-threshold/interval restarts a pool as a new generation. (A status server
 * that cannot bind is a configuration error: {@code BadInputTest}.)
 */
class CrashProtectionTest {

    @TempDir
    Path dir;

    @Test
    void abnormalDeathsOverTheThresholdRestartThePoolAsANewGeneration() {
        try (Jfpm jfpm = Jfpm.in(dir)
                .set("emergency-restart-threshold", 3)
                .set("emergency-restart-interval", "30s")
                .pool(PoolSpec.named("www", Workers.python(), "preload").staticPm(2))
                .start()) {
            jfpm.awaitIdle("www", 2, Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                List<SlotSnapshot> idle = jfpm.awaitIdle("www", 2, Duration.ofSeconds(20));
                long victim = idle.get(0).pid();
                assertTrue(Procs.signal(victim, "SEGV"), "SIGSEGV to " + victim);
                jfpm.awaitLog("\\[pool www\\] child " + victim + " exited on signal 11", Duration.ofSeconds(10));
            }
            jfpm.awaitLog("\\[pool www\\] failed processes threshold \\(3 in 30 sec\\) is reached, initiating reload",
                    Duration.ofSeconds(10));
            jfpm.awaitLog("\\[pool www\\] reloading: generation 2 starts", Duration.ofSeconds(10));
            jfpm.awaitLog("\\[pool www\\] generation 1 drained", Duration.ofSeconds(20));
            List<SlotSnapshot> now = jfpm.awaitIdle("www", 2, Duration.ofSeconds(20));
            for (SlotSnapshot s : now) {
                assertEquals(2, s.generation(), "every worker is of the new generation: " + s);
            }
            assertEquals(200, Http.get(jfpm.pool("www").address(), "/").status());
        }
    }

    @Test
    void deathsWeCausedOrExitCodesDoNotCount() {
        try (Jfpm jfpm = Jfpm.in(dir)
                .set("emergency-restart-threshold", 2)
                .set("emergency-restart-interval", "30s")
                .pool(PoolSpec.named("www", Workers.python(), "preload").staticPm(2))
                .start()) {
            for (int i = 0; i < 3; i++) {
                long victim = jfpm.awaitIdle("www", 2, Duration.ofSeconds(20)).get(0).pid();
                assertTrue(Procs.signal(victim, "KILL"));
                jfpm.awaitLog("\\[pool www\\] child " + victim + " exited on signal 9", Duration.ofSeconds(10));
            }
            jfpm.awaitIdle("www", 2, Duration.ofSeconds(20));
            // SIGKILL from outside is a signal we did not send: it counts (PHP-FPM counts only SEGV/BUS)
            jfpm.awaitLog("failed processes threshold \\(2 in 30 sec\\) is reached", Duration.ofSeconds(10));
        }
    }
}
