package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles {@code src/test/c/scoreboard_probe.c} against {@code src/main/c/jfpm_scoreboard.h} with
 * {@code cc}, then checks that C and Java agree on every constant and that a slot written through the
 * header's helpers reads back in Java.
 */
class CHeaderAgreementTest {

    @TempDir
    static Path buildDir;

    @TempDir
    Path dir;

    private static Path probe;

    record Result(int exit, String output) {
    }

    @BeforeAll
    static void compileProbe() throws Exception {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        probe = buildDir.resolve("scoreboard_probe");
        Result cc = run(List.of("cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2",
                "-I", module.resolve("src/main/c").toString(),
                module.resolve("src/test/c/scoreboard_probe.c").toString(), "-o", probe.toString()));
        assertEquals(0, cc.exit(), "cc failed:\n" + cc.output());
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + command);
        return new Result(p.exitValue(), out);
    }

    private static Map<String, String> cConstants() throws Exception {
        Result r = run(List.of(probe.toString(), "layout"));
        assertEquals(0, r.exit(), r.output());
        Map<String, String> values = new TreeMap<>();
        for (String line : r.output().split("\n")) {
            int eq = line.indexOf('=');
            values.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return values;
    }

    @Test
    void everyJavaOffsetAndLengthHasTheSameValueInC() throws Exception {
        Map<String, String> c = cConstants();
        TreeSet<String> checked = new TreeSet<>();
        for (Field f : ScoreboardLayout.class.getFields()) {
            String name = f.getName();
            if (Modifier.isStatic(f.getModifiers())
                    && (name.endsWith("_OFFSET") || name.endsWith("_LENGTH") || name.endsWith("_SIZE"))) {
                assertTrue(c.containsKey(name), name + " is missing from the C probe's output");
                assertEquals(Long.toString(f.getLong(null)), c.get(name), name);
                checked.add(name);
            }
        }
        assertEquals(23 + 1 + 19 + 5 + 2, checked.size(), "header fields + pool name length + slot fields + string lengths + sizes");
        TreeSet<String> cLayoutNames = new TreeSet<>(c.keySet());
        cLayoutNames.removeIf(n -> !(n.endsWith("_OFFSET") || n.endsWith("_LENGTH") || n.endsWith("_SIZE")));
        assertEquals(cLayoutNames, checked, "C and Java describe the same fields");
        assertEquals(String.format("0x%016X", ScoreboardLayout.MAGIC), c.get("MAGIC"));
        assertEquals(Long.toString(ScoreboardLayout.VERSION), c.get("VERSION"));
    }

    @Test
    void stageModeAndAccountingCodesAgree() throws Exception {
        Map<String, String> c = cConstants();
        for (RequestStage stage : RequestStage.values()) {
            assertEquals(Integer.toString(stage.code()), c.get("JFPM_SB_STAGE_" + stage.name()), stage.name());
        }
        for (PmMode mode : PmMode.values()) {
            assertEquals(Integer.toString(mode.code()), c.get("JFPM_SB_PM_" + mode.name()), mode.name());
        }
        for (Accounting a : Accounting.values()) {
            assertEquals(Integer.toString(a.code()), c.get("JFPM_SB_ACCOUNTING_" + a.name()), a.name());
        }
    }

    @Test
    void aSlotWrittenByTheCHelpersReadsBackInJava() throws Exception {
        try (Scoreboard sb = Scoreboard.create(dir, "www", PmMode.DYNAMIC, Accounting.PRELOAD, 3, 3)) {
            sb.allocate(4);
            int slot = sb.allocate(5);
            long spawned = sb.reader().slot(slot).orElseThrow().startTimeUs();

            Result r = run(List.of(probe.toString(), "write", sb.path().toString(), Integer.toString(slot)));
            assertEquals(0, r.exit(), r.output());
            long cPid = Long.parseLong(r.output().trim().substring("pid=".length()));

            SlotSnapshot s = sb.reader().slot(slot).orElseThrow();
            assertEquals(List.of(true, 5L, spawned), List.of(s.inUse(), s.generation(), s.startTimeUs()), "master fields");
            assertEquals(cPid, s.pid());
            assertEquals(RequestStage.FINISHED, s.stage());
            assertEquals(List.of(1000L, 3500L, 1L, 2500L, 42L, 30L, 123456L),
                    List.of(s.acceptedTimeUs(), s.lastActivityUs(), s.requests(), s.requestDurationUs(),
                            s.contentLength(), s.lastRequestCpuUs(), s.lastRequestMemory()));
            assertEquals("POST", s.method());
            assertEquals("é".repeat(255), s.uri(), "cut at a UTF-8 boundary within 511 bytes");
            assertEquals("a=1&b=ü", s.queryString());
            assertEquals("/srv/www/index.php", s.script());
            assertEquals("😀".repeat(15), s.user(), "cut before the 16th four-byte character");
            assertEquals(1, sb.reader().header().acceptedConn());
            assertEquals(0, sb.reader().slot(0).orElseThrow().pid(), "the neighbouring slot is untouched");
        }
    }

    @Test
    void theCValidatorRefusesWhatTheJavaReaderRefuses() throws Exception {
        try (Scoreboard sb = Scoreboard.create(dir, "www", PmMode.DYNAMIC, Accounting.PRELOAD, 2, 2)) {
            Path file = sb.path();
            Result outOfRange = run(List.of(probe.toString(), "write", file.toString(), "2"));
            assertEquals(List.of(2, "validate=-5"), List.of(outOfRange.exit(), outOfRange.output().trim()));

            FileWords.putLong(file, ScoreboardLayout.HEADER_SLOT_COUNT_OFFSET, 3);
            Result lying = run(List.of(probe.toString(), "write", file.toString(), "0"));
            assertEquals("validate=-4", lying.output().trim());

            FileWords.putLong(file, ScoreboardLayout.HEADER_VERSION_OFFSET, 0);
            Result notReady = run(List.of(probe.toString(), "write", file.toString(), "0"));
            assertEquals("validate=-3", notReady.output().trim());

            FileWords.putLong(file, ScoreboardLayout.HEADER_MAGIC_OFFSET, 42);
            Result magic = run(List.of(probe.toString(), "write", file.toString(), "0"));
            assertEquals("validate=-2", magic.output().trim());
        }
    }

    /**
     * A writer that died mid-write leaves the slot's seq odd. The next C write must keep it odd while it
     * runs (so a reader never accepts the half-written copy) and leave it even afterwards (so the slot is
     * readable again). With the old {@code seq + 1} begin, the sequence was even mid-write and odd after.
     */
    @Test
    void aCWriterAfterACrashedWriterKeepsTheSeqlockParity() throws Exception {
        try (Scoreboard sb = Scoreboard.create(dir, "www", PmMode.DYNAMIC, Accounting.PRELOAD, 2, 2)) {
            int slot = sb.allocate(1);
            long seqOffset = ScoreboardLayout.slotOffset(slot) + ScoreboardLayout.SLOT_SEQ_OFFSET;
            long crashed = FileWords.getLong(sb.path(), seqOffset) + 1; // odd: a writer died after its begin
            assertEquals(1, crashed & 1, "the test starts from an odd sequence");
            FileWords.putLong(sb.path(), seqOffset, crashed);
            assertTrue(sb.reader().slot(slot).isEmpty(), "a slot left odd is unstable");

            Process p = new ProcessBuilder(probe.toString(), "hold", sb.path().toString(), Integer.toString(slot))
                    .redirectErrorStream(true).start();
            try {
                java.io.BufferedReader out = new java.io.BufferedReader(
                        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String mid = out.readLine();
                assertEquals("mid seq=" + (crashed + 2), mid, "begin after a crash: seq + 2, still odd");
                assertTrue(sb.reader().slot(slot).isEmpty(),
                        "a reader must not accept the slot while the write is in progress");
                p.getOutputStream().write('\n');
                p.getOutputStream().flush();
                assertEquals("end seq=" + (crashed + 3), out.readLine(), "end: even");
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "probe exited");
                assertEquals(0, p.exitValue());
            } finally {
                p.destroyForcibly();
            }
            assertEquals(99, sb.reader().slot(slot).orElseThrow(() -> new AssertionError("slot unstable after the write"))
                    .requests(), "the write is visible");

            Result r = run(List.of(probe.toString(), "write", sb.path().toString(), Integer.toString(slot)));
            assertEquals(0, r.exit(), r.output());
            SlotSnapshot s = sb.reader().slot(slot).orElseThrow(() -> new AssertionError("slot unstable after helpers"));
            assertEquals(List.of(RequestStage.FINISHED, 100L, "POST"), List.of(s.stage(), s.requests(), s.method()));
            assertEquals(0, FileWords.getLong(sb.path(), seqOffset) & 1, "even after the helpers' writes");
        }
    }
}
