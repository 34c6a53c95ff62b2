package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.typesafe.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.jfpm.supervisor.config.MasterLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LoggingTest {

    private static final String LINE = "\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}\\] ";

    @TempDir
    Path dir;

    @AfterEach
    void backToInfo() throws IOException {
        Logging.setLevel("info");
        Logging.setOutput(MasterLog.STDERR);
    }

    @Test
    void logFileGetsTheLinesAndIsReopenedAfterARenameAsLogrotateDoes() throws Exception {
        Path file = dir.resolve("jfpm.log");
        Logging.setOutput(new MasterLog(file, false, 1024, "jfpm", 3));
        org.slf4j.Logger log = LoggerFactory.getLogger("org.jfpm.test");
        String stderr = captureStderr(() -> {
            log.info("[pool www] child 1 started");
            return null;
        });
        assertEquals("", stderr, "nothing on stderr once a log file is set");
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Path rotated = dir.resolve("jfpm.log.1");
        Files.move(file, rotated);
        log.info("[pool www] child 2 started"); // still the old file: nothing re-opened it yet
        assertEquals(java.util.Optional.of("log file " + file), Logging.reopen());
        log.info("[pool www] child 3 started");
        List<String> old = Files.readAllLines(rotated);
        List<String> fresh = Files.readAllLines(file);
        assertEquals(2, old.size(), old.toString());
        assertTrue(old.get(0).matches(LINE + "NOTICE: \\[pool www\\] child 1 started"), old.get(0));
        assertTrue(old.get(1).endsWith("child 2 started"), old.get(1));
        assertEquals(1, fresh.size(), fresh.toString());
        assertTrue(fresh.get(0).matches(LINE + "NOTICE: \\[pool www\\] child 3 started"), fresh.get(0));
    }

    @Test
    void linesLongerThanTheLimitAreCutWithDots() throws Exception {
        Path file = dir.resolve("cut.log");
        Logging.setOutput(new MasterLog(file, false, 512, "jfpm", 3));
        org.slf4j.Logger log = LoggerFactory.getLogger("org.jfpm.test");
        log.warn("x".repeat(600));
        log.warn("ü".repeat(400)); // 2 bytes each: the cut keeps whole characters
        log.warn("short");
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), lines.toString());
        assertEquals(512, lines.get(0).getBytes(StandardCharsets.UTF_8).length, lines.get(0));
        assertTrue(lines.get(0).endsWith("x..."), lines.get(0));
        int utf8 = lines.get(1).getBytes(StandardCharsets.UTF_8).length;
        assertTrue(utf8 <= 512 && utf8 >= 510 && lines.get(1).endsWith("ü..."), lines.get(1));
        assertTrue(lines.get(2).endsWith("WARNING: short"), lines.get(2));
        assertEquals("abc...", new String(FpmAppender.cut("abcdefghij".getBytes(StandardCharsets.UTF_8), 6), StandardCharsets.UTF_8));
        assertEquals("a\nbc...\nd", new String(FpmAppender.cutLines("a\nbcdefgh\nd".getBytes(StandardCharsets.UTF_8), 5),
                StandardCharsets.UTF_8));
    }

    @Test
    void aLogFileThatCannotBeOpenedChangesNothing() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> Logging.setOutput(new MasterLog(dir.resolve("no/such/dir/x.log"), false, 1024, "jfpm", 3)));
        assertTrue(e.getMessage().contains("cannot open " + dir.resolve("no/such/dir/x.log")), e.getMessage());
        String text = captureStderr(() -> {
            LoggerFactory.getLogger("org.jfpm.test").info("still on stderr");
            return null;
        });
        assertTrue(text.endsWith("NOTICE: still on stderr\n"), text);
    }

    @Test
    void syslogGetsOneRfc3164DatagramPerLineOnTheLocalSocket() throws Exception {
        Path socket = dir.resolve("log.sock");
        Path received = dir.resolve("received");
        String receiver = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                open(sys.argv[2] + ".ready", "w").close()
                with open(sys.argv[2], "wb") as out:
                    for _ in range(2):
                        out.write(s.recv(65536) + b"\\n")
                        out.flush()
                """;
        Process py = new ProcessBuilder("python3", "-c", receiver, socket.toString(), received.toString())
                .redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(Path.of(received + ".ready")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.setProperty(Logging.SYSLOG_SOCKET_PROPERTY, socket.toString());
            try {
                Logging.setOutput(new MasterLog(null, true, 1024, "php-fpm", 16));
            } finally {
                System.clearProperty(Logging.SYSLOG_SOCKET_PROPERTY);
            }
            org.slf4j.Logger log = LoggerFactory.getLogger("org.jfpm.test");
            log.warn("[pool www] server reached pm.max_children setting (5), consider raising it");
            log.info("[pool www] child 7 started");
            assertTrue(py.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "two datagrams received");
            List<String> lines = Files.readAllLines(received);
            String head = "[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} php-fpm\\[" + ProcessHandle.current().pid() + "\\]: ";
            // local0 = 16: warning 16*8+4 = 132, notice 16*8+5 = 133
            assertTrue(lines.get(0).matches("<132>" + head + "\\[WARNING\\] \\[pool www\\] server reached .*"), lines.get(0));
            assertTrue(lines.get(1).matches("<133>" + head + "\\[NOTICE\\] \\[pool www\\] child 7 started"), lines.get(1));
        } finally {
            py.destroyForcibly();
        }
    }

    @Test
    void syslogWithoutADaemonIsAnErrorAtStart() {
        System.setProperty(Logging.SYSLOG_SOCKET_PROPERTY, dir.resolve("nobody-listens").toString());
        try {
            IOException e = assertThrows(IOException.class, () -> Logging.setOutput(new MasterLog(null, true, 1024, "jfpm", 3)));
            assertTrue(e.getMessage().contains("is a syslog daemon running?"), e.getMessage());
        } finally {
            System.clearProperty(Logging.SYSLOG_SOCKET_PROPERTY);
        }
    }

    @Test
    void linesLookLikePhpFpms() {
        String text = captureStderr(() -> {
            org.slf4j.Logger log = LoggerFactory.getLogger("org.jfpm.test");
            log.info("[pool www] child 1234 started");
            log.warn("[pool www] server reached pm.max_children setting (5), consider raising it");
            log.error("[pool www] child 1234 exited on signal 9 (SIGKILL)");
            log.debug("not shown at info");
            return null;
        });
        List<String> lines = text.lines().toList();
        assertEquals(3, lines.size(), text);
        assertTrue(lines.get(0).matches(LINE + "NOTICE: \\[pool www\\] child 1234 started"), lines.get(0));
        assertTrue(lines.get(1).matches(LINE + "WARNING: \\[pool www\\] server reached .*"), lines.get(1));
        assertTrue(lines.get(2).matches(LINE + "ERROR: \\[pool www\\] child 1234 exited .*"), lines.get(2));
    }

    @Test
    void setLevelAcceptsPhpFpmAndLogbackNamesAndKeepsPekkoAtInfoOrAbove() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger pekko = (Logger) LoggerFactory.getLogger(Logging.PEKKO_LOGGER);
        Logging.setLevel("warning");
        assertEquals(Level.WARN, root.getLevel());
        assertEquals(Level.WARN, pekko.getLevel());
        Logging.setLevel("DEBUG");
        assertEquals(Level.DEBUG, root.getLevel());
        assertEquals(Level.INFO, pekko.getLevel());
        Logging.setLevel("alert");
        assertEquals(Level.ERROR, root.getLevel());
        Logging.setLevel("notice");
        assertEquals(Level.INFO, root.getLevel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Logging.setLevel("loud"));
        assertTrue(e.getMessage().contains("expected one of trace, debug, info"), e.getMessage());
    }

    @Test
    void levelsPrintAsPhpFpmNamesThem() {
        assertEquals("DEBUG", FpmLevelConverter.fpmName(Level.TRACE));
        assertEquals("DEBUG", FpmLevelConverter.fpmName(Level.DEBUG));
        assertEquals("NOTICE", FpmLevelConverter.fpmName(Level.INFO));
        assertEquals("WARNING", FpmLevelConverter.fpmName(Level.WARN));
        assertEquals("ERROR", FpmLevelConverter.fpmName(Level.ERROR));
    }

    @Test
    void pekkoLogsThroughSlf4jInTheSameFormatWithoutStartStopChatterAndNothingOnStdout() throws Exception {
        Config config = Logging.pekkoConfig("info");
        assertEquals(List.of("org.apache.pekko.event.slf4j.Slf4jLogger"), config.getStringList("pekko.loggers"));
        assertEquals("INFO", config.getString("pekko.loglevel"));
        assertEquals("WARNING", Logging.pekkoConfig("warn").getString("pekko.loglevel"));
        assertEquals("INFO", Logging.pekkoConfig("debug").getString("pekko.loglevel"));

        PrintStream previousOut = System.out;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
        try {
            String text = captureStderr(() -> {
                ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "logging-test", config);
                try {
                    system.classicSystem().log().warning("[pool www] from the pekko event bus");
                    long deadline = System.nanoTime() + 5_000_000_000L;
                    while (System.nanoTime() < deadline && !stderrSoFar().contains("from the pekko event bus")) {
                        Thread.onSpinWait();
                    }
                } finally {
                    system.terminate();
                    system.getWhenTerminated().toCompletableFuture().join();
                }
                return null;
            });
            assertTrue(text.lines().anyMatch(l -> l.matches(LINE + "WARNING: \\[pool www\\] from the pekko event bus")), text);
            assertEquals(1, text.lines().count(), text);
        } finally {
            System.setOut(previousOut);
        }
        assertEquals("", stdout.toString(StandardCharsets.UTF_8));
    }

    private ByteArrayOutputStream captured;

    private String stderrSoFar() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    private String captureStderr(Supplier<Void> body) {
        PrintStream previous = System.err;
        captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.get();
        } finally {
            System.setErr(previous);
        }
        return stderrSoFar();
    }
}
