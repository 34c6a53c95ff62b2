package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.Scoreboard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI through {@link Main#run}, minus the run mode (that starts the real supervisor). */
class MainTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private String previousJar;

    @BeforeEach
    void rememberJarProperty() {
        previousJar = System.getProperty(Main.JAR_PROPERTY);
    }

    @AfterEach
    void restoreJarProperty() {
        if (previousJar == null) {
            System.clearProperty(Main.JAR_PROPERTY);
        } else {
            System.setProperty(Main.JAR_PROPERTY, previousJar);
        }
    }

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void testsTheEmbeddedConfigurationAfterSettingTheJarPath() {
        System.clearProperty(Main.JAR_PROPERTY);
        assertEquals(0, run("--test"), this::err);
        assertEquals("configuration file (embedded application.conf) test is successful\n", out());
        assertEquals("", err());
        assertEquals(Main.runningJar().toString(), System.getProperty(Main.JAR_PROPERTY));
    }

    @Test
    void testsAFileAndNamesIt() throws Exception {
        Path conf = tmp.resolve("good.conf");
        Files.writeString(conf, "jfpm.pools.www { command = [\"/bin/sh\"], listen = \"127.0.0.1:9000\" }\n");
        assertEquals(0, run("-t", "-c", conf.toString()), this::err);
        assertEquals("configuration file " + conf + " test is successful\n", out());
    }

    @Test
    void printsEveryConfigurationErrorAndExits78() throws Exception {
        Path conf = tmp.resolve("bad.conf");
        Files.writeString(conf, """
                jfpm {
                  log-level = loud
                  pools.www { command = [], listen = "nowhere", pm.max-children = 0 }
                }
                """);
        assertEquals(78, run("--test", "--config", conf.toString()));
        assertEquals("", out());
        List<String> lines = err().lines().toList();
        assertEquals(List.of(
                "ERROR: jfpm.log-level = \"loud\": expected one of trace, debug, info, notice, warn, warning, error, alert",
                "ERROR: jfpm.pools.www.command = []: expected a non-empty list of strings (the worker's argv), e.g. [\"/usr/bin/php-cgi\"]",
                "ERROR: jfpm.pools.www.listen = \"nowhere\": expected host:port, [ipv6]:port, unix:/path or systemd:NAME, got 'nowhere'",
                "ERROR: jfpm.pools.www.pm.max-children = 0: expected an integer between 1 and 65536"), lines);
    }

    @Test
    void aMissingConfigFileIsAConfigurationError() {
        assertEquals(78, run("-c", tmp.resolve("missing.conf").toString()));
        assertEquals("ERROR: (file) = " + tmp.resolve("missing.conf") + ": expected an existing, readable HOCON file\n", err());
    }

    @Test
    void usageErrorsExit64WithTheUsage() {
        assertEquals(64, run("--bogus"));
        assertTrue(err().startsWith("ERROR: unknown option '--bogus'\nusage: "), this::err);
        assertEquals("", out());
        err.reset();
        assertEquals(64, run("status", "--pool"));
        assertEquals("ERROR: --pool needs a value\n" + Cli.shortUsage("status") + "\n", err());
    }

    @Test
    void helpAndVersionGoToStdout() {
        assertEquals(0, run("--help"));
        assertEquals(Cli.usage("") + "\n", out());
        out.reset();
        assertEquals(0, run("stop", "--help"));
        assertEquals(Cli.usage("stop") + "\n", out());
        assertEquals("", err());
        out.reset();
        assertEquals(0, run("--version"));
        assertTrue(out().matches("jfpm \\S.* \\(Java .+\\)\n"), this::out);
    }

    @Test
    void statusValidatesTheConfigurationFirst() {
        assertEquals(78, run("status", "-c", tmp.resolve("missing.conf").toString()));
        assertTrue(err().startsWith("ERROR: (file) = "), this::err);
    }

    private Path twoPools() throws Exception {
        Path conf = tmp.resolve("jfpm.conf");
        Files.writeString(conf, """
                jfpm.scoreboard-dir = "%s"
                jfpm.pools.www { command = ["/bin/sh"], listen = "127.0.0.1:9000", pm { mode = static, max-children = 2 } }
                jfpm.pools.api { command = ["/bin/sh"], listen = "127.0.0.1:9001" }
                """.formatted(tmp));
        return conf;
    }

    @Test
    void statusReadsTheConfiguredPoolsScoreboards() throws Exception {
        Path conf = twoPools();
        Scoreboard www = Scoreboard.create(tmp, "www", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        try {
            assertEquals(0, run("status", "--pool", "www", "-c", conf.toString()), this::err);
            assertTrue(out().lines().anyMatch(l -> l.matches("pool:\\s+www")), this::out);
            assertTrue(out().lines().anyMatch(l -> l.matches("process manager:\\s+static")), this::out);
            out.reset();
            assertEquals(0, run("status", "--pool", "www", "--json", "-c", conf.toString()), this::err);
            assertTrue(out().startsWith("{") && out().contains("\"pool\":\"www\""), this::out);
            out.reset();
            assertEquals(1, run("status", "-c", conf.toString()), "pool api has no scoreboard");
            assertTrue(out().lines().anyMatch(l -> l.matches("pool:\\s+www")), this::out);
            assertTrue(err().contains("[pool api]"), this::err);
        } finally {
            www.close();
        }
    }

    @Test
    void statusOfAPoolThatIsNotConfiguredIsAUsageError() throws Exception {
        assertEquals(64, run("status", "--pool", "nope", "-c", twoPools().toString()));
        assertEquals("ERROR: no pool 'nope' in " + tmp.resolve("jfpm.conf") + " (pools: www, api)\n", err());
    }

    @Test
    void topOncePrintsTheConfiguredPoolsAsPlainText() throws Exception {
        Path conf = twoPools();
        Scoreboard www = Scoreboard.create(tmp, "www", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        try {
            assertEquals(0, run("top", "--once", "-c", conf.toString()), this::err);
            assertTrue(out().startsWith("jfpm top  "), this::out);
            assertTrue(out().contains("\n www  static  processes 0 (active 0, idle 0, max children 2)"), this::out);
            assertTrue(out().contains("\n api  no scoreboard file " + tmp.resolve("jfpm-api.scoreboard")), this::out);
            assertTrue(!out().contains("\u001b"), "no escapes in batch mode");
            out.reset();
            assertEquals(0, run("top", "--pool", "www", "--batch", "-n", "2", "-d", "0.1", "-c", conf.toString()), this::err);
            assertEquals(2, out().lines().filter(l -> l.startsWith("jfpm top  ")).count(), this::out);
            assertTrue(!out().contains(" api "), this::out);
        } finally {
            www.close();
        }
    }

    @Test
    void topWithNoReadablePoolExits1AndAnUnknownPoolIs64() throws Exception {
        Path conf = twoPools();
        assertEquals(1, run("top", "--once", "-c", conf.toString()));
        assertEquals(64, run("top", "--pool", "nope", "-c", conf.toString()));
        assertEquals("ERROR: no pool 'nope' in " + conf + " (pools: www, api)\n", err());
    }

    // ---- import-fpm ---------------------------------------------------------------------------

    @Test
    void importFpmPrintsHoconOnStdoutAndWarningsNamingFileAndLineOnStderr() throws Exception {
        Path pool = tmp.resolve("www.conf");
        Files.writeString(pool, "[www]\nlisten = 127.0.0.1:9000\npm = static\npm.max_children = 2\ndaemonize = no\n");
        assertEquals(0, run("import-fpm", pool.toString()), this::err);
        assertTrue(out().startsWith("# jfpm configuration imported from PHP-FPM"), this::out);
        assertTrue(out().contains("listen = \"127.0.0.1:9000\"                 # listen (www.conf:2)"), this::out);
        assertTrue(err().lines().allMatch(l -> l.startsWith("WARNING: ")), this::err);
        assertTrue(err().contains("WARNING: " + pool + ":5: daemonize = no: a [global] directive in a pool"), this::err);
        assertTrue(err().contains("WARNING: " + pool + ":1: [www]: PHP-FPM's default security.limit_extensions"), this::err);
        // and the output is a configuration jfpm accepts
        Path conf = Files.writeString(tmp.resolve("imported.conf"), out());
        out.reset();
        assertEquals(0, run("--test", "-c", conf.toString()), this::err);
    }

    @Test
    void importFpmOfAFileThatCannotBeReadOrParsedExits78NamingIt() throws Exception {
        Path missing = tmp.resolve("missing.conf");
        assertEquals(78, run("import-fpm", missing.toString()));
        assertEquals("ERROR: " + missing + ": cannot read it: no such file\n", err());
        assertEquals("", out());
        err.reset();
        Path bad = Files.writeString(tmp.resolve("bad.conf"), "[www]\nlisten = 9000\n# not a comment\n");
        assertEquals(78, run("import-fpm", bad.toString()));
        assertEquals("ERROR: " + bad + ":3: expected 'key = value', a [section] or a ; comment, got '# not a comment'"
                + " ('#' does not start a comment in PHP's INI syntax: use ';')\n", err());
        assertEquals("", out());
    }

    @Test
    void importFpmWithoutFilesIsAUsageError() {
        assertEquals(64, run("import-fpm"));
        assertTrue(err().startsWith("ERROR: import-fpm needs at least one FILE\nusage: java -jar jfpm.jar import-fpm "), this::err);
    }

    // ---- reload and stop, against a real second JVM holding the pid file ------------------------

    private Path withPidFile(Path pidFile) throws Exception {
        Path conf = tmp.resolve("signal.conf");
        Files.writeString(conf, """
                jfpm.pid-file = "%s"
                jfpm.pools.www { command = ["/bin/sh"], listen = "127.0.0.1:9000" }
                """.formatted(pidFile));
        return conf;
    }

    private String sent(String signal, String meaning, long pid, Path pidFile) {
        return "sent " + signal + " (" + meaning + ") to jfpm pid " + pid + " (jfpm.pid-file " + pidFile + ")\n";
    }

    @Test
    void reloadOfABadConfigurationPrintsEveryErrorAndSignalsNothing() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, """
                jfpm.pid-file = "%s"
                jfpm.log-level = loud
                jfpm.pools.www { command = ["/bin/sh"], listen = "nowhere" }
                """.formatted(pidFile));
        try (HolderProcess jfpm = HolderProcess.start(pidFile)) {
            jfpm.awaitLine("held " + jfpm.pid());
            assertEquals(78, run("reload", "--config", bad.toString()));
            assertEquals("", out());
            assertEquals(List.of(
                    "ERROR: jfpm.log-level = \"loud\": expected one of trace, debug, info, notice, warn, warning, error, alert",
                    "ERROR: jfpm.pools.www.listen = \"nowhere\": expected host:port, [ipv6]:port, unix:/path or systemd:NAME, got 'nowhere'"),
                    err().lines().toList());
            // a signal that did arrive is seen before a later one from the same sender; INT is the marker
            assertEquals(0, run("stop", "-c", withPidFile(pidFile).toString()), this::err);
            jfpm.awaitLine("signal INT");
            assertEquals(0, jfpm.tell("close"));
            assertFalse(jfpm.lines().contains("signal HUP"), () -> "the bad reload sent HUP: " + jfpm.lines());
        }
    }

    @Test
    void reloadSendsHupToTheJfpmHoldingThePidFile() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        try (HolderProcess jfpm = HolderProcess.start(pidFile)) {
            jfpm.awaitLine("held " + jfpm.pid());
            assertEquals(0, run("reload", "-c", withPidFile(pidFile).toString()), this::err);
            assertEquals(sent("SIGHUP", "graceful reload", jfpm.pid(), pidFile), out());
            assertEquals("", err());
            jfpm.awaitLine("signal HUP");
        }
    }

    @Test
    void stopSendsIntAndGracefulStopSendsTerm() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        Path conf = withPidFile(pidFile);
        try (HolderProcess jfpm = HolderProcess.start(pidFile)) {
            jfpm.awaitLine("held " + jfpm.pid());
            assertEquals(0, run("stop", "-c", conf.toString()), this::err);
            assertEquals(sent("SIGINT", "fast stop", jfpm.pid(), pidFile), out());
            jfpm.awaitLine("signal INT");
            out.reset();
            assertEquals(0, run("stop", "--graceful", "-c", conf.toString()), this::err);
            assertEquals(sent("SIGTERM", "graceful stop", jfpm.pid(), pidFile), out());
            jfpm.awaitLine("signal TERM");
            assertFalse(jfpm.lines().contains("signal HUP"), jfpm.lines()::toString);
        }
    }

    @Test
    void withoutAPidFileReloadAndStopAreConfigurationErrors() throws Exception {
        Path conf = tmp.resolve("nopid.conf");
        Files.writeString(conf, "jfpm.pools.www { command = [\"/bin/sh\"], listen = \"127.0.0.1:9000\" }\n");
        String message = "ERROR: jfpm.pid-file is not set in " + conf
                + ": it is how this command finds the running jfpm; nothing signalled\n";
        assertEquals(78, run("reload", "-c", conf.toString()));
        assertEquals(message, err());
        err.reset();
        assertEquals(78, run("stop", "--graceful", "-c", conf.toString()));
        assertEquals(message, err());
        assertEquals("", out());
    }

    @Test
    void aMissingOrStalePidFileExits1NamingIt() throws Exception {
        Path pidFile = tmp.resolve("jfpm.pid");
        Path conf = withPidFile(pidFile);
        assertEquals(1, run("stop", "-c", conf.toString()));
        assertEquals("ERROR: jfpm.pid-file " + pidFile + " does not exist: no jfpm is running with this configuration\n", err());
        err.reset();
        Files.writeString(pidFile, "1\n"); // init is alive, but it holds no lock: never signalled
        assertEquals(1, run("reload", "-c", conf.toString()));
        assertEquals("ERROR: jfpm.pid-file " + pidFile + " is stale: no running jfpm holds its lock (it says '1');"
                + " nothing signalled\n", err());
        assertEquals("", out());
    }
}
