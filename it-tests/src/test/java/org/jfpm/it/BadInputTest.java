package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
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
 * not a validation error ({@code --test} does not bind, as {@code php-fpm -t} does not): starting on
 * it fails without a 'ready' line, and a reload onto it keeps the running pool.
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
    void aPortInUseIsNoValidationErrorButStartingOnItFails() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PoolSpec www = PoolSpec.named("www", Workers.python(), "none").staticPm(1)
                    .set("listen", "127.0.0.1:" + taken.getLocalPort());
            Jfpm.Builder b = Jfpm.in(tmp).pool(www);
            Path file = b.writeConfig();
            Jfpm.Cli test = b.run(RUN, "--test", "--config", file.toString());
            assertEquals(0, test.exitCode(), "--test does not bind: " + test.output());
            b.writeConfig(); // run() removed the scoreboard dir after --test
            Jfpm.Cli run = b.run(RUN, "--config", file.toString());
            System.out.println("port in use at start: exit " + run.exitCode() + "\n" + run.output().lines()
                    .filter(l -> l.contains(Integer.toString(taken.getLocalPort()))).toList());
            assertNotEquals(0, run.exitCode(), "start on a port in use fails: " + run.output());
            assertFalse(run.output().contains("ready to handle connections"), run.output());
            assertTrue(run.output().contains("127.0.0.1:" + taken.getLocalPort()), "the address is named:\n" + run.output());
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
            String line = jfpm.awaitLogSince(mark, Pattern.quote("127.0.0.1:" + taken.getLocalPort()), Duration.ofSeconds(15)).group();
            jfpm.pollUntil(() -> jfpm.log().size() > mark, Duration.ofSeconds(1), "log");
            System.out.println("reload onto a port in use:\n  " + String.join("\n  ", jfpm.log().subList(mark, jfpm.log().size())));
            assertTrue(jfpm.alive(), "the master survives a reload onto a port in use: " + line + "\n" + jfpm.dump());
            assertEquals(before, jfpm.workerPids("www"), "the running pool keeps its workers\n" + jfpm.dump());
            assertEquals(200, Http.get(www.address(), "/").status(), "the old socket still serves");
        }
    }
}
