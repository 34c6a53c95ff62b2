package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8.4, bad input end to end. Most invalid configurations are checked in-process
 * ({@code ConfigLoaderErrorsTest}, 101 rows, and the jqwik {@code ConfigLoaderPropertiesTest});
 * here a handful from different families go through the jar: {@code --test} exits 78 and names the
 * key, and the same files given to a running master as a reload (rewrite + HUP) are rejected with
 * the key logged while the running pool keeps the same worker pids and serves. A port in use is
 * found only when binding ({@code --test} does not bind, as {@code php-fpm -t} does not): starting on
 * it, as a pool's {@code listen} or as {@code status.listen}, exits 78 naming the key before any
 * worker exists, and a reload onto it keeps the running pool, logging the key.
 */
class BadInputTest {

    private static final Duration RUN = Duration.ofSeconds(30);
    private static final String P = "jfpm.pools.www.";
    /** {override appended to a good one-pool file, the key the error must name}. */
    private static final List<String[]> BAD = List.of(
            new String[] {P + "pm.max-children = 65537", P + "pm.max-children"},
            new String[] {P + "command = [\"/etc/passwd\"]", P + "command"},
            new String[] {P + "listen = \"127.0.0.1:0\"", P + "listen"},
            new String[] {P + "pm { mode = dynamic, max-children = 10, min-spare-servers = 3, max-spare-servers = 6, start-servers = 2 }",
                    P + "pm.start-servers"},
            new String[] {P + "pm.max_children = 5", P + "pm.max_children"},
            new String[] {"jfpm.scoreboard-dir = \"/dev/shm\\u0000x\"", "jfpm.scoreboard-dir"});

    @TempDir
    Path tmp;

    private Jfpm.Builder good() {
        return Jfpm.in(tmp).pool(PoolSpec.named("www", Workers.python(), "none").staticPm(2));
    }

    @Test
    void testFlagExits78NamingTheKey() throws IOException {
        for (String[] bad : BAD) {
            Jfpm.Builder b = good();
            Path file = b.writeConfig();
            Files.writeString(file, b.hocon() + bad[0] + "\n");
            Jfpm.Cli run = b.run(RUN, "--test", "--config", file.toString());
            assertEquals(78, run.exitCode(), bad[0] + ": exit code; output:\n" + run.output());
            assertTrue(run.output().contains("ERROR: " + bad[1]), bad[0] + ": the output names " + bad[1] + ":\n" + run.output());
            assertFalse(run.output().contains("Exception"), bad[0] + ": an error line, no stack trace:\n" + run.output());
        }
    }

    @Test
    void startingOnAPortInUseForAPoolExits78NamingItsListenKey() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            PoolSpec first = PoolSpec.named("first", Workers.python(), "none").staticPm(1);
            Jfpm.Builder b = Jfpm.in(tmp).pool(first)
                    .pool(PoolSpec.named("www", Workers.python(), "none").staticPm(1).set("listen", busy));
            assertStartFails(b, P + "listen", busy, first);
        }
    }

    @Test
    void startingOnAPortInUseForTheStatusServerExits78NamingStatusListen() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            PoolSpec www = PoolSpec.named("www", Workers.python(), "none").staticPm(1);
            assertStartFails(Jfpm.in(tmp).set("status.listen", busy).pool(www), "jfpm.status.listen", busy, www);
        }
    }

    @Test
    void startingOnAPortInUseForAPoolsStatusListenExits78NamingIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + taken.getLocalPort();
            PoolSpec www = PoolSpec.named("www", Workers.python(), "none").staticPm(1).set("status-listen", busy);
            assertStartFails(Jfpm.in(tmp).pool(www), "jfpm.pools.www.status-listen", busy, www);
        }
    }

    /**
     * {@code --test} passes {@code b} (it does not bind); starting on it exits 78 promptly with one
     * error line naming {@code key}, no worker spawned, no 'ready' line, and nothing left: pid file,
     * scoreboards, and the socket of {@code opened} (a pool bound before the failure).
     */
    private void assertStartFails(Jfpm.Builder b, String key, String busy, PoolSpec opened) throws IOException {
        Path pidFile = tmp.resolve("jfpm.pid");
        b.set("pid-file", pidFile.toString());
        Path file = b.writeConfig();
        Jfpm.Cli test = b.run(RUN, "--test", "--config", file.toString());
        assertEquals(0, test.exitCode(), "--test does not bind: " + test.output());
        try (Jfpm jfpm = b.startUntil("ERROR: ")) {
            long started = System.nanoTime();
            int exit = jfpm.awaitExit(Duration.ofSeconds(5));
            String out = String.join("\n", jfpm.log());
            System.out.printf("%s in use at start: exit %d, %d ms after the error line%n%s%n", key, exit,
                    (System.nanoTime() - started) / 1_000_000, out);
            assertEquals(78, exit, "a configured address that cannot be bound is a configuration error:\n" + out);
            assertTrue(out.contains("ERROR: " + key + " = \"" + busy + "\": address already in use"),
                    "the error names " + key + " and its value:\n" + out);
            assertFalse(out.contains("Exception"), "one error line, no stack trace:\n" + out);
            assertFalse(jfpm.logContains("child \\d+ started"), "no worker was spawned:\n" + out);
            assertFalse(jfpm.logContains("ready to handle connections"), out);
            assertFalse(Files.exists(pidFile), "the pid file is removed");
            for (String pool : List.of("first", "www")) {
                assertFalse(Files.exists(jfpm.scoreboardFile(pool)), "no scoreboard of pool " + pool + " is left");
            }
            InetSocketAddress freed = (InetSocketAddress) opened.address();
            try (ServerSocket again = new ServerSocket(freed.getPort(), 1, freed.getAddress())) {
                assertTrue(again.isBound(), "pool " + opened.name() + "'s socket was closed");
            }
        }
    }

    @Test
    void theSameFilesAsAReloadLeaveTheRunningPoolUntouched() throws IOException {
        PoolSpec www = PoolSpec.named("www", Workers.python(), "none").staticPm(2);
        try (Jfpm jfpm = Jfpm.in(tmp).pool(www).start();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Set<Long> before = jfpm.awaitWorkers("www", 2, "JFPM_POOL", "www", Duration.ofSeconds(15));
            String good = jfpm.hocon();
            for (String[] bad : BAD.subList(0, 4)) {
                jfpm.rewriteRaw(good + bad[0] + "\n");
                int mark = jfpm.hup();
                String line = jfpm.awaitLogSince(mark, "reload rejected: .*" + Pattern.quote(bad[1]), Duration.ofSeconds(15)).group();
                System.out.println("reload of [" + bad[0] + "]: " + line);
                ReloadRejectTest.assertUnchanged(jfpm, www, before, mark, "after a HUP with " + bad[0]);
            }
            // a port in use passes validation; the new generation cannot bind: the old one must stay
            jfpm.rewriteRaw(good + P + "listen = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");
            int mark = jfpm.hup();
            String line = jfpm.awaitLogSince(mark, Pattern.quote("[pool www] reload failed: " + P + "listen = \"127.0.0.1:"
                    + taken.getLocalPort() + "\": address already in use") + ".*; generation 1 keeps running",
                    Duration.ofSeconds(15)).group();
            jfpm.pollUntil(() -> jfpm.log().size() > mark, Duration.ofSeconds(1), "log");
            System.out.println("reload onto a port in use:\n  " + String.join("\n  ", jfpm.log().subList(mark, jfpm.log().size())));
            assertTrue(jfpm.alive(), "the master survives a reload onto a port in use: " + line + "\n" + jfpm.dump());
            assertEquals(before, jfpm.workerPids("www"), "the running pool keeps its workers\n" + jfpm.dump());
            assertEquals(200, Http.get(www.address(), "/").status(), "the old socket still serves");
        }
    }
}
