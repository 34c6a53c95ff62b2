package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardLayout;
import org.jfpm.scoreboard.SlotWriter;
import org.jfpm.supervisor.config.ConfigLoader;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against real mmap'd scoreboard files written through the master and worker APIs. */
class StatusCommandTest {

    @TempDir
    Path dir;

    private final List<Scoreboard> boards = new ArrayList<>();
    private final List<SlotWriter> writers = new ArrayList<>();

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void twoPools() throws IOException {
        Scoreboard www = board("www", PmMode.DYNAMIC, 5);
        SlotWriter busy = writer(www);
        busy.accepting();
        busy.accepted();
        busy.requestInfo("POST", "/upload.php", "a=1&b=2", "/srv/upload.php", 42, "alice");
        busy.executing();
        SlotWriter idle = writer(www);
        idle.accepting();
        idle.accepted();
        idle.finished();
        idle.accepting();
        www.updateMaxActive(1);
        Scoreboard api = board("api", PmMode.ONDEMAND, 3);
        api.allocate(1);
    }

    @AfterEach
    void close() {
        writers.forEach(SlotWriter::close);
        boards.forEach(Scoreboard::delete);
    }

    private Scoreboard board(String name, PmMode mode, int maxChildren) {
        Scoreboard b = Scoreboard.create(dir, name, mode, Accounting.SDK, maxChildren, maxChildren * 2);
        boards.add(b);
        return b;
    }

    private SlotWriter writer(Scoreboard board) throws IOException {
        SlotWriter w = SlotWriter.attach(board.path(), board.allocate(1));
        writers.add(w);
        return w;
    }

    private Run run(List<String> pools, boolean json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = StatusCommand.run(dir, pools, json, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), ZoneOffset.UTC);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsEveryPoolInTheFullTextFormatWithRss() {
        Run r = run(List.of(), false);
        assertEquals(0, r.exit, r.err);
        assertEquals("", r.err);
        String[] pools = r.out.split("\n\n(?=pool:)");
        assertEquals(2, pools.length, r.out);
        assertTrue(pools[0].startsWith("pool:                 api\nprocess manager:      ondemand\n"), pools[0]);
        assertTrue(pools[1].startsWith("pool:                 www\nprocess manager:      dynamic\n"), pools[1]);
        assertTrue(pools[1].contains("\nidle processes:       1\nactive processes:     1\ntotal processes:      2\n"), pools[1]);
        assertTrue(pools[1].contains("\nmax children:         5\nterminated requests:  0\naccounting:           sdk\n"),
                pools[1]);
        assertTrue(pools[1].contains("\nstate:                Running\n"));
        assertTrue(pools[1].contains("\nrequest method:       POST\nrequest URI:          /upload.php?a=1&b=2\ncontent length:       42\n"
                + "user:                 alice\nscript:               /srv/upload.php\n"), pools[1]);
        assertTrue(pools[1].contains("\npid:                  " + ProcessHandle.current().pid() + "\n"));
        long rss = Long.parseLong(pools[1].replaceAll("(?s).*\nrss:\\s+(\\d+)\n.*", "$1"));
        assertTrue(rss > 1024 * 1024, "RSS of this JVM from /proc: " + rss);
        assertTrue(pools[0].contains("\nstate:                Starting\n"), "an allocated slot nobody attached to yet");
        assertFalse(r.out.contains("WARNING"), "a fresh heartbeat gives no warning");
    }

    @Test
    void jsonPrintsOneObjectPerLineWithPhpFpmsKeysAndOurs() {
        Run r = run(List.of("www", "api"), true);
        assertEquals(0, r.exit, r.err);
        String[] lines = r.out.split("\n");
        assertEquals(2, lines.length);
        Map<String, Object> www = MiniJson.object(lines[0]);
        Map<String, Object> sample = MiniJson.object(Samples.read("status-full.json"));
        List<String> expected = new ArrayList<>(sample.keySet());
        expected.add(expected.indexOf("processes"), "max children");
        expected.add(expected.indexOf("processes"), "terminated requests");
        expected.add(expected.indexOf("processes"), "accounting");
        assertEquals(expected, new ArrayList<>(www.keySet()));
        assertEquals("sdk", www.get("accounting"));
        assertEquals("www", www.get("pool"));
        assertEquals(2, ((List<?>) www.get("processes")).size());
        Map<?, ?> process = (Map<?, ?>) ((List<?>) www.get("processes")).get(0);
        assertTrue(((Long) process.get("rss")) > 0);
        assertEquals("/upload.php?a=1&b=2", process.get("request uri"));
        assertEquals("api", MiniJson.object(lines[1]).get("pool"));
    }

    @Test
    void warnsWhenTheMasterHeartbeatIsOld() throws IOException {
        putHeaderWord(boards.get(0).path(), ScoreboardLayout.HEADER_HEARTBEAT_US_OFFSET, System.currentTimeMillis() * 1000L - 12_300_000L);
        Run text = run(List.of("www"), false);
        assertEquals(0, text.exit, text.err);
        assertTrue(text.out.startsWith("WARNING: [pool www] master heartbeat is 12 s old: the master may be hung\npool:"), text.out);
        Run json = run(List.of("www"), true);
        assertTrue(json.err.contains("master heartbeat is 12 s old: the master may be hung"), json.err);
        MiniJson.object(json.out.trim());
    }

    @Test
    void warnsWhenTheMasterPidIsNotRunning() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        putHeaderWord(boards.get(1).path(), ScoreboardLayout.HEADER_MASTER_PID_OFFSET, gone.pid());
        Run r = run(List.of("api"), false);
        assertEquals(0, r.exit);
        assertTrue(r.out.startsWith("WARNING: [pool api] master pid " + gone.pid() + " is not running: this scoreboard is stale\n"), r.out);
    }

    @Test
    void aMissingOrGarbledFileIsAnErrorForThatPoolOnly() throws IOException {
        Files.write(dir.resolve("jfpm-garbage.scoreboard"), "not a scoreboard at all".repeat(400).getBytes(StandardCharsets.US_ASCII));
        Run r = run(List.of("missing", "www", "garbage"), false);
        assertEquals(1, r.exit);
        assertTrue(r.out.startsWith("pool:                 www\n"), r.out);
        assertTrue(r.err.contains("ERROR: [pool missing] no scoreboard file " + dir.resolve("jfpm-missing.scoreboard")), r.err);
        assertTrue(r.err.contains("ERROR: [pool garbage] " + dir.resolve("jfpm-garbage.scoreboard") + " is not a usable scoreboard: "), r.err);
        Run all = run(List.of(), false);
        assertEquals(1, all.exit, "discovery finds the garbage file too");
        assertTrue(all.out.contains("pool:                 api\n") && all.out.contains("pool:                 www\n"));
    }

    @Test
    void anEmptyDirectoryIsAnError() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = StatusCommand.run(empty, List.of(), false, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no jfpm-*.scoreboard file in " + empty));
    }

    @Test
    void readsThePoolsAndScoreboardDirOfAConfiguration() throws Exception {
        SupervisorConfig config = ConfigLoader.fromString("jfpm { scoreboard-dir = \"" + dir + "\", status.listen = \"\", pools {"
                + " www { command = [\"/bin/true\"], listen = \"127.0.0.1:19991\" },"
                + " api { command = [\"/bin/true\"], listen = \"127.0.0.1:19992\" } } }", "test.conf");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, StatusCommand.run(config, null, false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(config.pools().stream().map(p -> "pool:                 " + p.name()).toList(),
                text.lines().filter(l -> l.startsWith("pool:")).toList(), "the configuration's pools, in its order");

        out.reset();
        assertEquals(0, StatusCommand.run(config, "api", true, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("api", MiniJson.object(out.toString(StandardCharsets.UTF_8).trim()).get("pool"));

        err.reset();
        assertEquals(1, StatusCommand.run(config, "nope", false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("ERROR: no pool named 'nope' in test.conf (pools: "
                + String.join(", ", config.pools().stream().map(p -> p.name()).toList()) + ")\n", err.toString(StandardCharsets.UTF_8));
    }

    private static void putHeaderWord(Path file, int offset, long value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value);
            ch.write(b, offset);
        }
    }
}
