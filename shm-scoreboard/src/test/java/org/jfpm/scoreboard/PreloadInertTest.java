package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a usable scoreboard the library changes nothing: the worker serves, no file is written. */
class PreloadInertTest {
    @TempDir
    Path dir;

    private Path library;

    @BeforeEach
    void setUp() throws IOException {
        library = PreloadLibrary.extract(dir);
    }

    /** Runs the plain worker with these JFPM_* variables, serves 3 requests, returns its log. */
    private String serve(Map<String, String> jfpmEnv) throws Exception {
        Map<String, String> env = new HashMap<>(jfpmEnv);
        env.put("JFPM_PRELOAD_DEBUG", "1");
        try (PreloadWorker w = PreloadWorker.start(dir, "worker", library, env, PreloadWorker.PYTHON,
                PreloadWorker.resource("accept_worker.py").toString())) {
            for (int i = 0; i < 3; i++) {
                assertEquals("ok " + w.pid(), PreloadPlainWorkerTest.ask(w.port(), "hello"));
            }
            Files.delete(dir.resolve("worker.port"));
            return w.log();
        }
    }

    private void assertInert(String why, Map<String, String> env, Path file) throws Exception {
        byte[] before = file == null ? null : Files.readAllBytes(file);
        String log = serve(env);
        assertTrue(log.contains("inert: " + why), "expected 'inert: " + why + "' in:\n" + log);
        if (file != null) {
            assertArrayEquals(before, Files.readAllBytes(file), "the library wrote to " + file);
        }
    }

    @Test
    void withoutTheEnvironment() throws Exception {
        assertInert("JFPM_SCOREBOARD or JFPM_SLOT not set", Map.of(), null);
    }

    @Test
    void withAMissingFileOrABadSlotNumber() throws Exception {
        Path missing = dir.resolve("missing.scoreboard");
        assertInert("open(" + missing + "): No such file or directory",
                Map.of("JFPM_SCOREBOARD", missing.toString(), "JFPM_SLOT", "0"), null);
        for (String slot : new String[] {"", "-1", "1x", "99999999999999999999999"}) {
            assertInert("JFPM_SLOT=" + slot + " is not a slot index",
                    Map.of("JFPM_SCOREBOARD", missing.toString(), "JFPM_SLOT", slot), null);
        }
    }

    @Test
    void withAGarbageFile() throws Exception {
        Path garbage = dir.resolve("garbage.scoreboard");
        byte[] bytes = new byte[4096 + 2 * 2048];
        new Random(42).nextBytes(bytes);
        Files.write(garbage, bytes);
        assertInert(garbage + ": bad magic", Map.of("JFPM_SCOREBOARD", garbage.toString(), "JFPM_SLOT", "0"), garbage);

        Path small = dir.resolve("small.scoreboard");
        Files.write(small, new byte[100]);
        assertInert(small + " is not a scoreboard file", Map.of("JFPM_SCOREBOARD", small.toString(), "JFPM_SLOT", "0"),
                small);
    }

    @Test
    void withAValidFileButAnUnusableSlot() throws Exception {
        PreloadScoreboard sb = PreloadScoreboard.create(dir, "inert", 2);
        assertEquals(0, sb.allocate(1));
        Path file = sb.path();
        assertInert(file + ": slot index out of range", Map.of("JFPM_SCOREBOARD", file.toString(), "JFPM_SLOT", "2"), file);
        assertInert("slot 1 of " + file + " is not allocated",
                Map.of("JFPM_SCOREBOARD", file.toString(), "JFPM_SLOT", "1"), file);
    }

    @Test
    void withAFileWhoseVersionIsNotPublishedYet() throws Exception {
        PreloadScoreboard sb = PreloadScoreboard.create(dir, "unready", 1);
        assertEquals(0, sb.allocate(1));
        byte[] bytes = Files.readAllBytes(sb.path());
        Path unready = dir.resolve("unready-copy.scoreboard");
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).putLong(8, 0L);
        Files.write(unready, bytes);
        assertInert(unready + ": unsupported or unready version",
                Map.of("JFPM_SCOREBOARD", unready.toString(), "JFPM_SLOT", "0"), unready);
    }
}
