package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.5, the master's own log: {@code log-file} takes every line that went to stderr; after
 * logrotate's rename, USR1 makes the new file get the lines; {@code log-file = syslog} sends RFC 3164
 * datagrams to the local socket (a stand-in daemon here, through the test-only {@code jfpm.syslog.socket}
 * property); a log file that cannot be opened is a configuration error (exit 78) on stderr.
 *
 * <p>The {@link Jfpm} harness reads the master's stdout, which is silent here, so this test runs the jar
 * itself.
 */
class MasterLogFileTest {

    @TempDir
    Path tmp;
    private Path sb;

    @org.junit.jupiter.api.AfterEach
    void removeScoreboardDir() throws IOException {
        if (sb != null && Files.isDirectory(sb)) {
            try (var files = Files.list(sb)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(sb);
        }
    }

    private Path config(String logFile) throws IOException {
        sb = Files.createDirectories(Path.of("/dev/shm", "jfpm-it-" + UUID.randomUUID().toString().substring(0, 8)));
        String hocon = """
                jfpm {
                  scoreboard-dir = "%s"
                  process-control-timeout = 3s
                  log-file = "%s"
                  pools { www { command = %s, listen = "127.0.0.1:%d", accounting = preload, pm { mode = static, max-children = 1 } } }
                }
                """.formatted(sb, logFile, PoolSpec.value(Workers.phpCgi()), Ports.free());
        Path file = tmp.resolve("jfpm.conf");
        Files.writeString(file, hocon);
        return file;
    }

    private Process start(Path config, String... jvmArgs) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-jar", Jfpm.jar().toString(), "--config", config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("stdout").toFile()).start();
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(Path file, String text) {
        Poll.until(() -> read(file).contains(text), Duration.ofSeconds(30), () -> "'" + text + "' in " + file,
                () -> read(file));
    }

    private static void stop(Process p) throws InterruptedException {
        Procs.signal(p.pid(), "TERM");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "jfpm stopped");
        assertEquals(0, p.exitValue());
    }

    @Test
    void theLogGoesToTheFileAndUsr1ReopensItAfterARename() throws Exception {
        Path log = tmp.resolve("jfpm.log");
        Process p = start(config(log.toString()));
        try {
            await(log, "ready to handle connections");
            await(log, "] NOTICE: [pool www] child ");
            Path rotated = tmp.resolve("jfpm.log.1");
            Files.move(log, rotated);
            Procs.signal(p.pid(), "USR1");
            await(log, "NOTICE: log file " + log + " re-opened");
            assertTrue(read(rotated).contains("NOTICE: received SIGUSR1, re-opening the log files"), read(rotated));
            assertTrue(read(rotated).matches("(?s)\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}\\] NOTICE: \\[pool www\\] listening on .*"),
                    read(rotated));
            stop(p);
            assertTrue(read(log).contains("NOTICE: exiting, bye-bye!"), read(log));
            assertEquals("", read(tmp.resolve("stdout")), "nothing on stdout or stderr");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void syslogGetsTheLinesAsDatagrams() throws Exception {
        Path socket = tmp.resolve("log.sock");
        Path received = tmp.resolve("received");
        String daemon = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                with open(sys.argv[2], "wb") as out:
                    while True:
                        out.write(s.recv(65536) + b"\\n")
                        out.flush()
                """;
        Process py = new ProcessBuilder("python3", "-c", daemon, socket.toString(), received.toString()).start();
        Process p = null;
        try {
            Poll.until(() -> Files.exists(socket), Duration.ofSeconds(10), () -> "the stand-in syslog socket", () -> "");
            p = start(config("syslog"), "-Djfpm.syslog.socket=" + socket);
            await(received, "ready to handle connections");
            String text = read(received);
            assertTrue(text.lines().anyMatch(l -> l.matches("<29>[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} jfpm\\[\\d+\\]: "
                    + "\\[NOTICE\\] ready to handle connections \\(1 pool\\(s\\): www\\)")), text);
            stop(p);
            assertEquals("", read(tmp.resolve("stdout")), "nothing on stdout or stderr");
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
            py.destroyForcibly();
        }
    }

    @Test
    void aLogFileThatCannotBeOpenedIsAConfigurationError() throws Exception {
        // --test accepts it (an absolute path in an existing directory); opening it fails, even as root
        Process p = start(config("/proc/jfpm-it.log"));
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = read(tmp.resolve("stdout"));
        assertEquals(78, p.exitValue(), out);
        assertTrue(out.contains("ERROR: jfpm.log-file = \"/proc/jfpm-it.log\": cannot open /proc/jfpm-it.log: "), out);
    }
}
