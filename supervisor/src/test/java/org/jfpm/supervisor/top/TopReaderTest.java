package org.jfpm.supervisor.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardLayout;
import org.jfpm.scoreboard.SlotWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TopReader} against real scoreboards written through the master and worker APIs, and scribbled over. */
class TopReaderTest {

    @TempDir
    Path dir;

    private final List<Scoreboard> boards = new ArrayList<>();
    private final List<SlotWriter> writers = new ArrayList<>();

    /** RSS 1 MiB a pid; the "master" (pid 4242) is stopped. */
    private static final TopReader.Procs PROCS = new TopReader.Procs() {
        @Override
        public long rss(long pid) {
            return pid == 0 ? -1 : 1 << 20;
        }

        @Override
        public char state(long pid) {
            return pid == ProcessHandle.current().pid() ? 'T' : 'S';
        }
    };

    @AfterEach
    void close() {
        writers.forEach(SlotWriter::close);
        boards.forEach(Scoreboard::delete);
    }

    private Scoreboard board(String name, int slots) {
        Scoreboard b = Scoreboard.create(dir, name, PmMode.STATIC, Accounting.SDK, slots, slots);
        boards.add(b);
        return b;
    }

    private SlotWriter worker(Scoreboard b) throws IOException {
        SlotWriter w = SlotWriter.attach(b.path(), b.allocate(1));
        writers.add(w);
        return w;
    }

    @Test
    void readsPoolsAndWorkersAndMeasuresTheRate() throws IOException {
        Scoreboard www = board("www", 4);
        www.heartbeat();
        SlotWriter busy = worker(www);
        busy.accepting();
        busy.accepted();
        busy.requestInfo("GET", "/sleep", "ms=3000", "/srv/hello.php", 0, "");
        busy.executing();
        SlotWriter idle = worker(www);
        idle.accepting();
        TopReader reader = new TopReader(dir, PROCS);
        long now = System.currentTimeMillis() * 1000L;

        TopPool p = reader.read("www", now, 0);

        assertNull(p.error());
        assertEquals("static", p.fields().processManager());
        assertEquals(2, p.fields().totalProcesses());
        assertEquals(1, p.fields().activeProcesses());
        assertEquals(1, p.fields().acceptedConn());
        assertTrue(Double.isNaN(p.reqPerSec()), "no rate at the first refresh");
        assertEquals("master " + ProcessHandle.current().pid() + " is stopped (SIGSTOP or a debugger)", p.masterNote());
        TopRow running = p.rows().get(0);
        assertEquals("Running", running.state());
        assertEquals(ProcessHandle.current().pid(), running.pid());
        assertEquals("GET /sleep?ms=3000 (/srv/hello.php)", running.request());
        assertEquals(1 << 20, running.rssBytes());
        assertEquals("Idle", p.rows().get(1).state());

        idle.accepted();
        idle.accepting();
        TopPool later = reader.read("www", now + 2_000_000, 2_000_000_000L);
        assertEquals(0.5, later.reqPerSec(), 1e-9, "one request in two seconds");
    }

    @Test
    void aMissingFileOrANonScoreboardIsAnErrorEntryAndTheOtherPoolsAreRead() throws IOException {
        board("www", 1);
        Files.write(dir.resolve("jfpm-garbage.scoreboard"), "not a scoreboard at all".repeat(400).getBytes(StandardCharsets.US_ASCII));
        List<TopPool> pools = new TopReader(dir, PROCS).read(List.of("missing", "www", "garbage"), 0, 0);
        assertTrue(pools.get(0).error().startsWith("no scoreboard file " + dir.resolve("jfpm-missing.scoreboard")), pools.get(0).error());
        assertNull(pools.get(1).error());
        assertTrue(pools.get(2).error().contains("is not a usable scoreboard"), pools.get(2).error());
    }

    @Test
    void garbageSlotsNeverThrowAndTheirStringsComeOutClean() throws IOException {
        Scoreboard www = board("www", 8);
        for (int i = 0; i < 8; i++) {
            worker(www).accepting();
        }
        Random random = new Random(11);
        try (FileChannel ch = FileChannel.open(www.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer file = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size()).order(ByteOrder.nativeOrder());
            int s1 = ScoreboardLayout.slotOffset(1);
            file.putLong(s1 + ScoreboardLayout.SLOT_SEQ_OFFSET, 7); // a writer died mid-write: odd forever
            int s2 = ScoreboardLayout.slotOffset(2);
            file.putLong(s2 + ScoreboardLayout.SLOT_STAGE_OFFSET, 99);
            byte[] uri = "/\u001b[2J\u001b]0;owned\u0007\n".getBytes(StandardCharsets.UTF_8);
            file.put(s2 + ScoreboardLayout.SLOT_URI_OFFSET, uri);
            for (int slot = 3; slot < 8; slot++) { // everything after the seq word: random bytes, even seq
                byte[] noise = new byte[ScoreboardLayout.SLOT_SIZE - 8];
                random.nextBytes(noise);
                file.put(ScoreboardLayout.slotOffset(slot) + 8, noise);
            }
            file.putLong(ScoreboardLayout.HEADER_ACCEPTED_CONN_OFFSET, -5);
        }
        TopReader reader = new TopReader(dir, TopReader.Procs.SYSTEM);
        for (int i = 0; i < 3; i++) {
            TopPool p = reader.read("www", System.currentTimeMillis() * 1000L, i * 1_000_000_000L);
            assertNull(p.error());
            assertEquals(1, p.unreadable());
            assertEquals(0, p.fields().acceptedConn(), "a negative counter reads as 0");
            TopRow garbled = p.rows().stream().filter(r -> r.slot() == 2).findFirst().orElseThrow();
            assertEquals("Starting", garbled.state(), "an out-of-range stage reads as starting");
            assertEquals("/\ufffd[2J\ufffd]0;owned\ufffd\ufffd", garbled.request(), "controls read as U+FFFD");
            for (TopRow r : p.rows()) {
                assertTrue(r.request().chars().allMatch(c -> Cells.printable(c) || Character.isSurrogate((char) c)), r.request());
                assertTrue(r.state().length() <= 28, r.state());
            }
            String screen = TopScreen.ansi(TopScreen.lines(new TopScreen.View("t", 1, SortKey.values()[i], null, true),
                    List.of(p), 100, 40), 100);
            assertTrue(screen.chars().filter(c -> c == 0x1b).count() < 40 * 6, "only our own escapes");
            assertTrue(!screen.contains("\u001b[2J") && !screen.contains("\u0007"), screen);
        }
    }

    @Test
    void aNewScoreboardAtTheSameNameIsMappedAgain() throws IOException {
        Scoreboard first = board("www", 2);
        worker(first).accepting();
        TopReader reader = new TopReader(dir, PROCS);
        assertEquals(1, reader.read("www", 0, 0).fields().totalProcesses());
        Scoreboard second = board("www", 3); // a reload's new generation replaces the link
        worker(second).accepting();
        worker(second).accepting();
        TopPool p = reader.read("www", 0, 1_000_000_000L);
        assertEquals(2, p.fields().totalProcesses());
        assertTrue(Double.isNaN(p.reqPerSec()), "a new file: the rate starts over");
    }

    @Test
    void theMasterNoteNamesADeadOrSilentMaster() {
        TopReader reader = new TopReader(dir, new TopReader.Procs() {
            @Override
            public long rss(long pid) {
                return -1;
            }

            @Override
            public char state(long pid) {
                return 0;
            }
        });
        Scoreboard www = board("www", 1);
        www.heartbeat();
        long now = System.currentTimeMillis() * 1000L;
        TopPool p = reader.read("www", now + 12_000_000L, 0);
        assertNotNull(p.masterNote());
        assertTrue(p.masterNote().matches("master \\d+ is not running: this scoreboard is stale; heartbeat 1[12] s old"), p.masterNote());
    }

    @Test
    void theProcessStateIsReadAfterTheCommandName() {
        assertEquals('T', TopReader.stateOf("123 (a) b) c) T 1 2 3"));
        assertEquals(0, TopReader.stateOf("garbage"));
        assertEquals(0, TopReader.stateOf("1 (x)"));
        assertTrue("RS".indexOf(TopReader.procState(ProcessHandle.current().pid())) >= 0);
        assertTrue(TopReader.validPid(1) && !TopReader.validPid(0) && !TopReader.validPid(1L << 40));
    }
}
