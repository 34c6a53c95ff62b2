package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leftovers of a dead master: at start jfpm stops the processes whose {@code JFPM_SCOREBOARD} lies in
 * its scoreboard-dir (a fake leftover: {@code sleep 300} under setsid, which also ignores nothing and
 * dies of the SIGTERM), leaves alone a bystander of another directory whose name merely starts the
 * same, and removes the stale scoreboard file; a second jfpm on the same dir refuses to start.
 */
class LeftoverWorkersTest {

    @TempDir
    Path tmp;

    private final List<Process> fakes = new ArrayList<>();

    @AfterEach
    void killFakes() {
        fakes.forEach(Process::destroyForcibly);
    }

    private Process fake(String scoreboard) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("setsid", "sleep", "300");
        pb.environment().put("JFPM_SCOREBOARD", scoreboard);
        Process p = pb.redirectErrorStream(true).start();
        fakes.add(p);
        Poll.until(() -> Procs.environContains(p.pid(), "JFPM_SCOREBOARD=" + scoreboard), Duration.ofSeconds(10),
                "fake " + p.pid() + " started");
        return p;
    }

    @Test
    void stopsLeftoversOfTheSameDirOnlyAndRemovesStaleScoreboards() throws Exception {
        Jfpm.Builder builder = Jfpm.in(tmp).pool(PoolSpec.named("www", Workers.python(), "none").staticPm(1));
        Path dir = builder.scoreboardDir();
        Files.createDirectories(dir);
        Path bystanderDir = Path.of(dir + "-other");
        Process leftover = fake(dir + "/jfpm-www.scoreboard");
        Process bystander = fake(bystanderDir + "/jfpm-www.scoreboard");
        Path stale = Files.writeString(dir.resolve("jfpm-old.scoreboard"), "stale");
        try (Jfpm jfpm = builder.start()) {
            jfpm.pollUntil(() -> !leftover.isAlive(), Duration.ofSeconds(5), "the leftover to be stopped");
            assertTrue(jfpm.logContains("stopping leftover worker " + leftover.pid() + " of a dead jfpm"), jfpm.dump());
            assertTrue(jfpm.logContains("removed stale scoreboard " + stale), jfpm.dump());
            assertFalse(Files.exists(stale), "the stale scoreboard is gone");
            assertTrue(bystander.isAlive(), "the bystander of " + bystanderDir + " lives");
            jfpm.pollUntil(() -> jfpm.livePids("www").size() == 1, Duration.ofSeconds(15), "jfpm runs its own worker");

            Jfpm.Cli second = jfpm.cli(Duration.ofSeconds(60), "--config", jfpm.config().toString());
            assertEquals(1, second.exitCode(), second.output());
            assertTrue(second.output().contains("another jfpm is running on scoreboard-dir " + dir), second.output());
            assertEquals(1, jfpm.livePids("www").size(), "the first jfpm's worker was not touched");
            assertTrue(jfpm.alive());
        } finally {
            Jfpm.deleteTree(bystanderDir);
        }
    }
}
