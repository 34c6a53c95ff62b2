package org.jfpm.scoreboard;

import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_ACCEPTED_CONN_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_ACCOUNTING_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_HEARTBEAT_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_LISTEN_QUEUE_LEN_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_LISTEN_QUEUE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MASTER_PID_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_ACTIVE_PROCESSES_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_CHILDREN_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_CHILDREN_REACHED_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_LISTEN_QUEUE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_PM_MODE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_POOL_NAME_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_POOL_NAME_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOW_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_START_TIME_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_TERMINATED_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_ACCEPTED_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_CONTENT_LENGTH_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_CPU_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_DURATION_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_GENERATION_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_IN_USE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_LAST_ACTIVITY_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_MEMORY_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_METHOD_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_METHOD_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_PID_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_QUERY_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_QUERY_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SCRIPT_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SCRIPT_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_STAGE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_START_TIME_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_URI_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_URI_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_USER_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_USER_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Read-only view of a scoreboard, for the master ({@link Scoreboard#reader()}), the {@code status} CLI
 * and tests alike. Thread-safe: it holds no mutable state, so any thread may use it.
 *
 * <p>Every byte is untrusted (workers can write the file, and the master may be gone): {@link #open}
 * validates the header and geometry once; after that nothing throws on garbage. Counters and times
 * read as negative (that is, above 2<sup>63</sup> unsigned) are clamped to 0; an out-of-range pm mode
 * or accounting code reads as {@code null}; an out-of-range stage code reads as
 * {@link RequestStage#STARTING} (counted as active, never as idle, like a worker that has not yet
 * reached accept); strings are cut at the first NUL or the field end, malformed UTF-8 and control
 * characters replaced by U+FFFD. The slot count is the one validated at open, whatever the header says later.
 *
 * <p>The mapping lives until the reader is garbage collected (JDK 17 has no explicit unmap). A file
 * truncated underneath a live mapping makes accesses fail with {@code InternalError} (SIGBUS); only a
 * process with write access to the file can do that.
 */
public final class ScoreboardReader {

    private final Path file;
    private final ByteBuffer buf;
    private final int slotCount;

    ScoreboardReader(Path file, ByteBuffer buf, int slotCount) {
        this.file = file;
        this.buf = buf;
        this.slotCount = slotCount;
    }

    /**
     * Maps {@code file} read-only after checking its header and size.
     *
     * @throws ScoreboardFormatException when the file is not a usable layout v1 scoreboard
     * @throws IOException when it cannot be opened or mapped
     */
    public static ScoreboardReader open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int slots = HeaderCheck.slotCount(file, channel);
            ByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, ScoreboardLayout.fileSize(slots));
            return new ScoreboardReader(file, map, slots);
        }
    }

    public Path path() {
        return file;
    }

    public int slotCount() {
        return slotCount;
    }

    /** The pool header; its fields are independent words, each read atomically (no cross-field consistency). */
    public PoolHeaderSnapshot header() {
        byte[] name = new byte[HEADER_POOL_NAME_LENGTH];
        buf.get(HEADER_POOL_NAME_OFFSET, name);
        return new PoolHeaderSnapshot(
                Utf8Field.read(name, 0, name.length),
                PmMode.ofCode(word(HEADER_PM_MODE_OFFSET)),
                Accounting.ofCode(word(HEADER_ACCOUNTING_OFFSET)),
                count(HEADER_MASTER_PID_OFFSET),
                count(HEADER_START_TIME_US_OFFSET),
                count(HEADER_HEARTBEAT_US_OFFSET),
                slotCount,
                (int) Math.min(Integer.MAX_VALUE, count(HEADER_MAX_CHILDREN_OFFSET)),
                count(HEADER_ACCEPTED_CONN_OFFSET),
                count(HEADER_MAX_CHILDREN_REACHED_OFFSET),
                count(HEADER_SLOW_REQUESTS_OFFSET),
                count(HEADER_TERMINATED_REQUESTS_OFFSET),
                count(HEADER_MAX_ACTIVE_PROCESSES_OFFSET),
                count(HEADER_LISTEN_QUEUE_OFFSET),
                count(HEADER_MAX_LISTEN_QUEUE_OFFSET),
                count(HEADER_LISTEN_QUEUE_LEN_OFFSET));
    }

    /**
     * A consistent copy of slot {@code i}, free or in use; empty when no stable copy could be taken
     * within {@code 1000} attempts (a writer that died mid-write or keeps the slot busy on purpose).
     *
     * @throws IndexOutOfBoundsException when {@code i} is not in {@code [0, slotCount())}
     */
    public Optional<SlotSnapshot> slot(int i) {
        return slot(i, ReadBudget.perView());
    }

    /**
     * Slot {@code i}, drawing its seqlock attempts from {@code budget} (shared by every read of one
     * view, see {@link ReadBudget}); empty when unstable or when the budget ran out before a stable copy.
     * The copy goes through the budget's buffer, so the reads of one view allocate only their snapshots.
     */
    public Optional<SlotSnapshot> slot(int i, ReadBudget budget) {
        return slot(i, budget.scratch(), budget);
    }

    /**
     * Every slot, free or in use, in index order, with one shared {@link ReadBudget}: at most
     * {@code slotCount() + 1000} seqlock attempts in all. Entry {@code i} is empty when slot {@code i}
     * was unstable.
     */
    public List<Optional<SlotSnapshot>> allSlots() {
        return allSlots(ReadBudget.perView());
    }

    /** As {@link #allSlots()}, with the caller's budget. */
    public List<Optional<SlotSnapshot>> allSlots(ReadBudget budget) {
        List<Optional<SlotSnapshot>> result = new ArrayList<>(slotCount);
        for (int i = 0; i < slotCount; i++) {
            result.add(slot(i, budget.scratch(), budget));
        }
        return result;
    }

    /** Consistent copies of the in-use slots, in index order; unstable slots are left out (see {@link #allSlots()}). */
    public List<SlotSnapshot> slots() {
        List<SlotSnapshot> result = new ArrayList<>();
        for (Optional<SlotSnapshot> s : allSlots()) {
            s.filter(SlotSnapshot::inUse).ifPresent(result::add);
        }
        return result;
    }

    private Optional<SlotSnapshot> slot(int i, byte[] copy, ReadBudget budget) {
        Objects.checkIndex(i, slotCount);
        if (!SlotSeqlock.read(buf, ScoreboardLayout.slotOffset(i), copy, budget)) {
            return Optional.empty();
        }
        RequestStage stage = RequestStage.ofCode(word(copy, SLOT_STAGE_OFFSET));
        return Optional.of(new SlotSnapshot(
                i,
                word(copy, SLOT_IN_USE_OFFSET) == 1,
                count(copy, SLOT_PID_OFFSET),
                count(copy, SLOT_GENERATION_OFFSET),
                stage == null ? RequestStage.STARTING : stage,
                count(copy, SLOT_START_TIME_US_OFFSET),
                count(copy, SLOT_ACCEPTED_US_OFFSET),
                count(copy, SLOT_LAST_ACTIVITY_US_OFFSET),
                count(copy, SLOT_REQUESTS_OFFSET),
                count(copy, SLOT_DURATION_US_OFFSET),
                count(copy, SLOT_CONTENT_LENGTH_OFFSET),
                count(copy, SLOT_CPU_US_OFFSET),
                count(copy, SLOT_MEMORY_OFFSET),
                Utf8Field.read(copy, SLOT_METHOD_OFFSET, SLOT_METHOD_LENGTH),
                Utf8Field.read(copy, SLOT_URI_OFFSET, SLOT_URI_LENGTH),
                Utf8Field.read(copy, SLOT_QUERY_OFFSET, SLOT_QUERY_LENGTH),
                Utf8Field.read(copy, SLOT_SCRIPT_OFFSET, SLOT_SCRIPT_LENGTH),
                Utf8Field.read(copy, SLOT_USER_OFFSET, SLOT_USER_LENGTH)));
    }

    private long word(int offset) {
        return (long) Words.LONG.getAcquire(buf, offset);
    }

    private long count(int offset) {
        return Math.max(0, word(offset));
    }

    private static long word(byte[] copy, int offset) {
        return (long) Words.ARRAY_LONG.get(copy, offset);
    }

    private static long count(byte[] copy, int offset) {
        return Math.max(0, word(copy, offset));
    }
}
