package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 §2.1: {@code jfpm reload} and {@code jfpm stop} find the running master through its
 * pid file and signal it; a bad configuration signals nothing; a second jfpm on the same pid file
 * refuses to start and leaves the first alone.
 */
class ReloadStopCliTest {

    private static final Duration CLI = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private Jfpm start(Path pidFile) {
        return Jfpm.in(tmp)
                .set("pid-file", pidFile.toString())
                .pool(PoolSpec.named("p", Workers.python(), "none").staticPm(2))
                .start();
    }

    private static List<Long> awaitTwoWorkers(Jfpm jfpm) {
        jfpm.pollUntil(() -> jfpm.livePids("p").size() == 2, Duration.ofSeconds(15), "2 workers started");
        return jfpm.livePids("p");
    }

    @Test
    void reloadOfABadConfigurationExits78AndSignalsNothing() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        try (Jfpm jfpm = start(pidFile)) {
            List<Long> workers = awaitTwoWorkers(jfpm);
            Path bad = tmp.resolve("bad.conf");
            Files.writeString(bad, Files.readString(jfpm.config())
                    + "jfpm.log-level = loud\njfpm.pools.p.pm.max-children = 0\n");

            Jfpm.Cli r = jfpm.cli(CLI, "reload", "--config", bad.toString());
            assertEquals(78, r.exitCode(), r.output());
            List<String> lines = r.output().lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("ERROR: jfpm.log-level = \"loud\": expected one of")), r.output());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("ERROR: jfpm.pools.p.pm.max-children = 0: expected")), r.output());
            assertTrue(lines.stream().allMatch(l -> l.startsWith("ERROR: ")), r.output());

            assertEquals(workers, jfpm.livePids("p"), "the same workers after the refused reload");
            for (long pid : workers) {
                assertTrue(Procs.alive(pid), "worker " + pid + " alive");
            }
            // a graceful stop through the CLI is the marker: a HUP sent before it would be logged before it
            Jfpm.Cli stop = jfpm.cli(CLI, "stop", "--graceful", "--config", jfpm.config().toString());
            assertEquals(0, stop.exitCode(), stop.output());
            jfpm.awaitLog("received SIGTERM, graceful stop", Duration.ofSeconds(10));
            assertEquals(workers, jfpm.startedPids("p"), "no worker started besides the first two");
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)), "exit code after stop --graceful");
            assertFalse(jfpm.logContains("SIGHUP"), "the master never got a HUP:\n" + String.join("\n", jfpm.log()));
        }
    }

    @Test
    void reloadSendsHupAndLeavesTheMasterRunning() {
        Path pidFile = tmp.resolve("jfpm.pid");
        try (Jfpm jfpm = start(pidFile)) {
            awaitTwoWorkers(jfpm);
            Jfpm.Cli r = jfpm.cli(CLI, "reload", "--config", jfpm.config().toString());
            assertEquals(0, r.exitCode(), r.output());
            assertEquals("sent SIGHUP (graceful reload) to jfpm pid " + jfpm.pid() + " (jfpm.pid-file " + pidFile + ")\n",
                    r.output());
            jfpm.awaitLog("received SIGHUP", Duration.ofSeconds(10));
            assertTrue(jfpm.alive(), "the master still runs after a reload");
        }
    }

    @Test
    void stopGracefulSendsTermAndTheMasterExits0() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        try (Jfpm jfpm = start(pidFile)) {
            List<Long> workers = awaitTwoWorkers(jfpm);
            Jfpm.Cli r = jfpm.cli(CLI, "stop", "--graceful", "-c", jfpm.config().toString());
            assertEquals(0, r.exitCode(), r.output());
            assertEquals("sent SIGTERM (graceful stop) to jfpm pid " + jfpm.pid() + " (jfpm.pid-file " + pidFile + ")\n",
                    r.output());
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)), "exit code after stop --graceful");
            assertTrue(jfpm.logContains("received SIGTERM, graceful stop"), "the master logged TERM");
            for (long pid : workers) {
                assertFalse(Procs.alive(pid), "worker " + pid + " outlived the stop");
            }
            assertFalse(Files.exists(pidFile), "pid file removed at exit");

            Jfpm.Cli again = jfpm.cli(CLI, "stop", "-c", jfpm.config().toString());
            assertEquals(1, again.exitCode(), again.output());
            assertEquals("ERROR: jfpm.pid-file " + pidFile + " does not exist: no jfpm is running with this configuration\n",
                    again.output());
        }
    }

    @Test
    void stopSendsIntAndTheMasterExits0() {
        Path pidFile = tmp.resolve("jfpm.pid");
        try (Jfpm jfpm = start(pidFile)) {
            List<Long> workers = awaitTwoWorkers(jfpm);
            Jfpm.Cli r = jfpm.cli(CLI, "stop", "-c", jfpm.config().toString());
            assertEquals(0, r.exitCode(), r.output());
            assertEquals("sent SIGINT (fast stop) to jfpm pid " + jfpm.pid() + " (jfpm.pid-file " + pidFile + ")\n",
                    r.output());
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)), "exit code after stop");
            assertTrue(jfpm.logContains("received SIGINT, fast stop"), "the master logged INT");
            for (long pid : workers) {
                assertFalse(Procs.alive(pid), "worker " + pid + " outlived the stop");
            }
        }
    }

    @Test
    void aSecondJfpmOnTheSamePidFileExits1AndTouchesNothing() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        try (Jfpm jfpm = start(pidFile)) {
            List<Long> workers = awaitTwoWorkers(jfpm);
            Path otherDir = Files.createDirectory(tmp.resolve("second"));
            Path socket = otherDir.resolve("second.sock");
            Jfpm.Builder second = Jfpm.in(otherDir)
                    .set("pid-file", pidFile.toString())
                    .pool(PoolSpec.named("q", Workers.python(), "none").staticPm(1).listenUnix(socket, "0660"));
            Jfpm.Cli r = second.run(CLI, "--config", second.writeConfig().toString());

            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains("ERROR: pid file " + pidFile + " is held by running jfpm pid " + jfpm.pid()),
                    r.output());
            assertFalse(r.output().contains("listening on"), "no socket opened:\n" + r.output());
            assertFalse(r.output().contains("started"), "nothing spawned:\n" + r.output());
            assertFalse(Files.exists(socket), "no socket file");
            assertFalse(Files.exists(second.scoreboardDir().resolve("jfpm-q.scoreboard")), "no scoreboard");

            assertTrue(jfpm.alive(), "the first jfpm still runs");
            assertEquals(jfpm.pid() + "\n", Files.readString(pidFile), "the pid file still names the first jfpm");
            assertEquals(workers, jfpm.livePids("p"), "the first jfpm's workers are the same");
            for (long pid : workers) {
                assertTrue(Procs.alive(pid), "worker " + pid + " alive");
            }
            Jfpm.Cli reload = jfpm.cli(CLI, "reload", "-c", jfpm.config().toString());
            assertEquals(0, reload.exitCode(), "the first jfpm is still reachable through its pid file: " + reload.output());
        }
    }
}
