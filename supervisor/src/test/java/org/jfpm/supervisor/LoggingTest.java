package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.typesafe.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

    private static final String LINE = "\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}\\] ";

    @AfterEach
    void backToInfo() {
        Logging.setLevel("info");
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
