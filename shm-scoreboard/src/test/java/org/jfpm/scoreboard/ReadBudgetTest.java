package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seqlock retries are bounded per view: workers that leave every seqlock odd cost ≤ n + 1000 reads, not 1000 per slot. */
class ReadBudgetTest {

    private static final int SLOTS = 64;

    @TempDir
    Path dir;

    @Test
    void aViewOf64SlotsAllLeftOddMakesABoundedNumberOfReads() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "odd", PmMode.STATIC, Accounting.PRELOAD, SLOTS, SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            assertEquals(i, sb.allocate(1));
        }
        ScoreboardReader reader = ScoreboardReader.open(sb.path());
        // what hostile (or dead mid-write) workers leave behind, through their own mapping of the file
        try (FileChannel ch = FileChannel.open(sb.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, ScoreboardLayout.fileSize(SLOTS));
            map.order(ByteOrder.nativeOrder());
            for (int i = 0; i < SLOTS - 1; i++) {
                int seq = ScoreboardLayout.slotOffset(i) + ScoreboardLayout.SLOT_SEQ_OFFSET;
                map.putLong(seq, map.getLong(seq) + 1); // odd
            }
        }

        ReadBudget budget = ReadBudget.perView();
        long t0 = System.nanoTime();
        List<Optional<SlotSnapshot>> all = reader.allSlots(budget);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(SLOTS, all.size());
        for (int i = 0; i < SLOTS - 1; i++) {
            assertTrue(all.get(i).isEmpty(), "slot " + i + " is reported unstable");
        }
        assertTrue(all.get(SLOTS - 1).isPresent(), "a stable slot still reads once the budget is spent");
        assertTrue(budget.attempts() <= SLOTS + SlotSeqlock.MAX_READ_ATTEMPTS,
                "attempts " + budget.attempts() + " > " + (SLOTS + SlotSeqlock.MAX_READ_ATTEMPTS));
        assertTrue(tookMs < 1000, "the view took " + tookMs + " ms");
        assertEquals(1, reader.slots().size(), "slots() shares one budget too and leaves the unstable ones out");
        sb.delete();
    }

    @Test
    void theReadsOfOneViewShareACopyBufferWithoutLeakingBytesFromSlotToSlot() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "share", PmMode.STATIC, Accounting.SDK, 3, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(i, sb.allocate(1));
        }
        String longUri = "/" + "x".repeat(400);
        try (SlotWriter a = SlotWriter.attach(sb.path(), 0); SlotWriter b = SlotWriter.attach(sb.path(), 1)) {
            a.accepted();
            a.requestInfo("POST", longUri, "q=1", "/srv/long.php", 7, "alice");
            b.accepted();
            b.requestInfo("GET", "/s", "", "/srv/s.php", 0, "");
            ScoreboardReader reader = ScoreboardReader.open(sb.path());
            ReadBudget budget = ReadBudget.perView();
            SlotSnapshot first = reader.slot(0, budget).orElseThrow();
            SlotSnapshot second = reader.slot(1, budget).orElseThrow();
            SlotSnapshot third = reader.slot(2, budget).orElseThrow();
            assertEquals(longUri, first.uri());
            assertEquals("q=1", first.queryString());
            assertEquals("alice", first.user());
            assertEquals("/s", second.uri(), "the shorter string after a longer one is cut at its own NUL");
            assertEquals("", second.queryString());
            assertEquals("/srv/s.php", second.script());
            assertEquals("", second.user());
            assertEquals("", third.uri(), "a slot nobody attached to reads empty, whatever the buffer held before");
            assertEquals(0, third.pid());
            assertEquals(first, reader.slot(0).orElseThrow(), "the same copy as a read with its own budget");
        }
        sb.delete();
    }
}
