package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ScoreboardReaderTest {

    @TempDir
    Path dir;

    /** A regular-file copy of a valid two-slot scoreboard (8192 bytes), free to be broken. */
    private Path validFile() {
        try (Scoreboard sb = Scoreboard.create(dir, "www", PmMode.STATIC, Accounting.SDK, 2, 2)) {
            sb.allocate(1);
            return copyOf(sb);
        }
    }

    private String problem(Path file) {
        ScoreboardFormatException e = assertThrows(ScoreboardFormatException.class, () -> ScoreboardReader.open(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertEquals(file, e.file());
        return e.problem();
    }

    @Test
    void opensAValidFile() throws IOException {
        ScoreboardReader reader = ScoreboardReader.open(validFile());
        assertEquals(2, reader.slotCount());
        assertEquals(PmMode.STATIC, reader.header().pmMode());
        assertEquals(1, reader.slots().size());
    }

    @Test
    void rejectsATruncatedFile() throws IOException {
        Path file = dir.resolve("short.scoreboard");
        Files.write(file, new byte[100]);
        assertEquals("truncated: 100 bytes, expected at least 4096", problem(file));
    }

    @Test
    void rejectsABadMagic() throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.HEADER_MAGIC_OFFSET, 0x1122334455667788L);
        assertEquals("bad magic 0x1122334455667788, expected 0x314243534D50464A", problem(file));
    }

    @Test
    void rejectsAnUnsupportedVersion() throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.HEADER_VERSION_OFFSET, 7);
        assertEquals("unsupported version 7 (this reader knows version 1)", problem(file));
    }

    @Test
    void rejectsAFileThatIsNotReady() throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.HEADER_VERSION_OFFSET, 0);
        assertEquals("not ready (version 0)", problem(file));
        Path zeros = dir.resolve("zeros.scoreboard");
        Files.write(zeros, new byte[8192]);
        assertEquals("not ready (version 0)", problem(zeros), "a file still being created is all zeros");
    }

    @ParameterizedTest
    @ValueSource(longs = {1_000_000L, 3L, 1L, 0L, -1L, Integer.MAX_VALUE})
    void rejectsASlotCountThatDoesNotMatchTheFileSize(long lie) throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.HEADER_SLOT_COUNT_OFFSET, lie);
        assertEquals("slot_count " + Long.toUnsignedString(lie) + " does not fit the file of 8192 bytes"
                + " (expected 4096 + slot_count * 2048)", problem(file));
    }

    @Test
    void rejectsAFileWithExtraBytes() throws IOException {
        Path file = validFile();
        Files.write(file, new byte[2048], StandardOpenOption.APPEND);
        assertTrue(problem(file).startsWith("slot_count 2 does not fit the file of 10240 bytes"));
    }

    @Test
    void rejectsAForeignGeometry() throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.HEADER_SLOT_SIZE_OFFSET, 1024);
        assertEquals("slot_size 1024, expected 2048", problem(file));
        FileWords.putLong(file, ScoreboardLayout.HEADER_SLOT_SIZE_OFFSET, 2048);
        FileWords.putLong(file, ScoreboardLayout.HEADER_HEADER_SIZE_OFFSET, 1);
        assertEquals("header_size 1, expected 4096", problem(file));
        FileWords.putLong(file, ScoreboardLayout.HEADER_HEADER_SIZE_OFFSET, 4096);
        FileWords.putLong(file, ScoreboardLayout.HEADER_SLOTS_OFFSET_OFFSET, 8192);
        assertEquals("slots_offset 8192, expected 4096", problem(file));
    }

    @Test
    void aMissingFileIsAnIoErrorNotAFormatError() {
        assertThrows(NoSuchFileException.class, () -> ScoreboardReader.open(dir.resolve("none.scoreboard")));
    }

    @Test
    void theWorkerSdkRejectsBrokenFilesWithTheSameMessages() throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.HEADER_VERSION_OFFSET, 0);
        ScoreboardFormatException e = assertThrows(ScoreboardFormatException.class, () -> SlotWriter.attach(file, 0));
        assertEquals("not ready (version 0)", e.problem());
    }

    @Test
    void garbageInEverySlotNeverThrowsAndReadsAsBoundedValues() throws IOException {
        Path file = validFileWithSlots(16);
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            scribble(file, random);
            ScoreboardReader reader = ScoreboardReader.open(file);
            PoolHeaderSnapshot h = reader.header();
            assertEquals(16, h.slotCount(), "the validated count, not the scribbled one");
            for (long v : new long[] {h.masterPid(), h.startTimeUs(), h.heartbeatUs(), h.maxChildren(), h.acceptedConn(),
                    h.maxChildrenReached(), h.slowRequests(), h.terminatedRequests(), h.maxActiveProcesses(),
                    h.listenQueue(), h.maxListenQueue(), h.listenQueueLen()}) {
                assertTrue(v >= 0, "seed " + seed + ": header value " + v);
            }
            int stable = 0;
            for (int i = 0; i < reader.slotCount(); i++) {
                Optional<SlotSnapshot> s = reader.slot(i);
                if (s.isPresent()) {
                    stable++;
                    assertBounded(s.get());
                }
            }
            assertEquals(8, stable, "seed " + seed + ": the even-seq slots read, the odd ones are unstable");
            List<SlotSnapshot> inUse = reader.slots();
            inUse.forEach(ScoreboardReaderTest::assertBounded);
            assertEquals(List.of(0, 4, 8, 12), inUse.stream().map(SlotSnapshot::index).toList());
        }
    }

    private Path validFileWithSlots(int slots) {
        try (Scoreboard sb = Scoreboard.create(dir, "garbage", PmMode.ONDEMAND, Accounting.PRELOAD, slots, slots)) {
            return copyOf(sb);
        }
    }

    /** The scoreboard's bytes in a regular file of the same name, in place of its link. */
    private static Path copyOf(Scoreboard sb) {
        try {
            Path copy = sb.path().resolveSibling(sb.path().getFileName() + ".copy");
            Files.copy(sb.path(), copy);
            Files.move(copy, sb.path(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return sb.path();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Random bytes over the header's counters and the whole slot area; even seq in even slots, odd in odd ones. */
    private static void scribble(Path file, Random random) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
            map.order(ByteOrder.nativeOrder());
            byte[] noise = new byte[(int) ch.size()];
            random.nextBytes(noise);
            map.put(ScoreboardLayout.HEADER_MASTER_PID_OFFSET, noise, ScoreboardLayout.HEADER_MASTER_PID_OFFSET,
                    ScoreboardLayout.HEADER_SIZE - ScoreboardLayout.HEADER_MASTER_PID_OFFSET);
            map.put(ScoreboardLayout.HEADER_SIZE, noise, ScoreboardLayout.HEADER_SIZE,
                    noise.length - ScoreboardLayout.HEADER_SIZE);
            int slots = (noise.length - ScoreboardLayout.HEADER_SIZE) / ScoreboardLayout.SLOT_SIZE;
            for (int i = 0; i < slots; i++) {
                int off = ScoreboardLayout.slotOffset(i);
                long seq = map.getLong(off) & ~1L;
                map.putLong(off, seq | (i & 1));
                if (i % 4 == 0) {
                    map.putLong(off + ScoreboardLayout.SLOT_IN_USE_OFFSET, 1L);
                }
            }
        }
    }

    private static void assertBounded(SlotSnapshot s) {
        assertNotNull(s.stage());
        for (long v : new long[] {s.pid(), s.generation(), s.startTimeUs(), s.acceptedTimeUs(), s.lastActivityUs(),
                s.requests(), s.requestDurationUs(), s.contentLength(), s.lastRequestCpuUs(), s.lastRequestMemory()}) {
            assertTrue(v >= 0, "slot " + s.index() + " value " + v);
        }
        assertTrue(s.method().length() <= ScoreboardLayout.SLOT_METHOD_LENGTH);
        assertTrue(s.uri().length() <= ScoreboardLayout.SLOT_URI_LENGTH);
        assertTrue(s.queryString().length() <= ScoreboardLayout.SLOT_QUERY_LENGTH);
        assertTrue(s.script().length() <= ScoreboardLayout.SLOT_SCRIPT_LENGTH);
        assertTrue(s.user().length() <= ScoreboardLayout.SLOT_USER_LENGTH);
        for (String str : List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user())) {
            assertTrue(str.chars().noneMatch(Character::isISOControl), "no control characters");
        }
    }

    @Test
    void anOutOfRangeStageReadsAsStartingAndNegativeCountersAsZero() throws IOException {
        Path file = validFile();
        int off = ScoreboardLayout.slotOffset(0);
        FileWords.putLong(file, off + ScoreboardLayout.SLOT_STAGE_OFFSET, 99);
        FileWords.putLong(file, off + ScoreboardLayout.SLOT_REQUESTS_OFFSET, -5);
        FileWords.putLong(file, ScoreboardLayout.HEADER_PM_MODE_OFFSET, 42);
        ScoreboardReader reader = ScoreboardReader.open(file);
        SlotSnapshot s = reader.slot(0).orElseThrow();
        assertEquals(RequestStage.STARTING, s.stage());
        assertEquals(0, s.requests());
        assertEquals(null, reader.header().pmMode());
        assertThrows(IndexOutOfBoundsException.class, () -> reader.slot(2));
    }

    @Test
    void aSlotLeftMidWriteIsReportedUnstable() throws IOException {
        Path file = validFile();
        FileWords.putLong(file, ScoreboardLayout.slotOffset(0) + ScoreboardLayout.SLOT_SEQ_OFFSET, 7);
        ScoreboardReader reader = ScoreboardReader.open(file);
        assertEquals(Optional.empty(), reader.slot(0));
        assertEquals(List.of(), reader.slots());
    }
}
