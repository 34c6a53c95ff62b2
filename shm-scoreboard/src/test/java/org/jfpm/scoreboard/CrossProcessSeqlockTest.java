package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer JVM hammers one slot while this JVM reads it: every stable copy must satisfy the invariant. */
class CrossProcessSeqlockTest {

    private static final long MIN_READ_NANOS = 1_500_000_000L;
    private static final long MAX_READ_NANOS = 15_000_000_000L;
    private static final int WANTED_DISTINCT = 300;

    @TempDir
    Path dir;

    @Test
    void readsAreNeverTornWhileAnotherProcessWritesInATightLoop() throws Exception {
        try (Scoreboard sb = Scoreboard.create(dir, "race", PmMode.STATIC, Accounting.SDK, 1, 2)) {
            int slot = sb.allocate(1);
            Path log = dir.resolve("writer.log");
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-cp", classpath(), ConcurrentWriterMain.class.getName())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put(SlotWriter.ENV_SCOREBOARD, sb.path().toString());
            pb.environment().put(SlotWriter.ENV_SLOT, Integer.toString(slot));
            Process writer = pb.start();
            try {
                ScoreboardReader reader = sb.reader();
                awaitRequests(reader, slot, writer, log);
                long stable = 0;
                long unstable = 0;
                Set<Long> distinct = new HashSet<>();
                long start = System.nanoTime();
                long elapsed = 0;
                while (elapsed < MIN_READ_NANOS || distinct.size() < WANTED_DISTINCT && elapsed < MAX_READ_NANOS) {
                    elapsed = System.nanoTime() - start;
                    Optional<SlotSnapshot> s = reader.slot(slot);
                    if (s.isEmpty()) {
                        unstable++;
                        continue;
                    }
                    stable++;
                    String torn = tornReason(s.get());
                    if (torn != null) {
                        fail("torn read after " + stable + " stable reads: " + torn + " in " + s.get());
                    }
                    distinct.add(s.get().requests());
                }
                assertTrue(writer.isAlive(), "the writer kept running: " + Files.readString(log));
                assertTrue(distinct.size() >= WANTED_DISTINCT, "distinct values observed " + distinct.size()
                        + " in " + stable + " stable reads (" + unstable + " unstable)");
                assertTrue(stable > unstable, "stable " + stable + ", unstable " + unstable);
                assertTrue(reader.header().acceptedConn() >= distinct.size());
            } finally {
                writer.destroyForcibly().waitFor();
            }
        }
    }

    /** Why the copy cannot be one the writer ever published, or null when it can. */
    private static String tornReason(SlotSnapshot s) {
        long n = s.requests();
        boolean fresh = s.stage() == RequestStage.READING_HEADERS || n == 0;
        List<Object> expected = fresh
                ? List.of(0L, "", "", "", "")
                : List.of(n, ConcurrentWriterMain.uri(n), ConcurrentWriterMain.query(n), "/srv/" + n + ".php", "u" + n);
        List<Object> actual = List.of(s.contentLength(), s.uri(), s.queryString(), s.script(), s.user());
        if (!expected.equals(actual)) {
            return "request " + n + " in stage " + s.stage() + " carries " + actual.get(0) + "/" + actual.get(2);
        }
        boolean open = s.stage() == RequestStage.READING_HEADERS || s.stage() == RequestStage.INFO
                || s.stage() == RequestStage.EXECUTING;
        if (open && s.requestDurationUs() != 0) {
            return "open request with duration " + s.requestDurationUs();
        }
        if (!s.inUse() || s.generation() != 1) {
            return "master fields changed";
        }
        return null;
    }

    private static void awaitRequests(ScoreboardReader reader, int slot, Process writer, Path log) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<SlotSnapshot> s = reader.slot(slot);
            if (s.isPresent() && s.get().pid() == writer.pid() && s.get().requests() > 100) {
                return;
            }
            if (!writer.isAlive()) {
                fail("writer exited with " + writer.exitValue() + ": " + Files.readString(log));
            }
            Thread.sleep(10);
        }
        fail("the writer did not reach 100 requests within 20 s: " + reader.slot(slot) + "\n" + Files.readString(log));
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This module's classes and test classes only: the SDK needs nothing but the JDK. */
    static String classpath() throws Exception {
        return Path.of(SlotWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + File.pathSeparator
                + Path.of(ConcurrentWriterMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
