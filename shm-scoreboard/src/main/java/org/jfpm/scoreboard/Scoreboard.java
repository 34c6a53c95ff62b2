package org.jfpm.scoreboard;

import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_ACCOUNTING_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_GENERATION_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_HEADER_SIZE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_HEARTBEAT_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_LISTEN_QUEUE_LEN_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_LISTEN_QUEUE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAGIC_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MASTER_PID_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_CHILDREN_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_CHILDREN_REACHED_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_LISTEN_QUEUE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_PM_MODE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_POOL_NAME_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_POOL_NAME_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SIZE;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOTS_OFFSET_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOT_COUNT_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOT_SIZE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOW_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_START_TIME_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_TERMINATED_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_VERSION_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.MAGIC;
import static org.jfpm.scoreboard.ScoreboardLayout.MAX_SLOT_COUNT;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_GENERATION_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_IN_USE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SIZE;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_START_TIME_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.VERSION;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The master's side of a pool's scoreboard: creates the file, writes the header, allocates and frees
 * slots, and keeps the header's counters.
 *
 * <p>Threading: one owner (the pool actor) calls the mutating methods; {@link #reader()},
 * {@link #masterHeader()} and {@link #updateMaxActive} may be used from any thread (the status server
 * reads a pool's status on its own threads). Slot allocation is tracked in master-private memory, never read back from the file,
 * which workers can write: the master decides nothing (least of all whom to signal) from file contents.
 *
 * <p>The memory is a {@link SealedMemfd}: nobody, the workers included, can shrink or grow it, so no
 * access through the master's mapping can fault (SIGBUS). Workers get it as an inherited fd
 * ({@link #fd()}, dup'ed to their fd 3 by the spawner). {@link #path()} is a symbolic link to
 * {@code /proc/<master pid>/fd/<fd>}, through which {@code jfpm status} (root or the master's user)
 * reads it, even with the master stopped; it dangles once the master is gone.
 */
public final class Scoreboard implements AutoCloseable {

    /** A live master pid whose process started this much after the file's start time is a reused pid. */
    private static final long PID_REUSE_SLACK_US = 5_000_000L;

    private final Path path;
    private final SealedMemfd memory;
    /** What {@link #path()} points to: {@link #delete()} never unlinks a successor's link. */
    private final Path linkTarget;
    private final int slotCount;
    private final boolean[] allocated;
    private volatile ByteBuffer buf;
    /** For {@link #masterHeader()} on any thread: a reader over the mapping, usable after {@link #close()}. */
    private final ScoreboardReader fileReader;
    // The master's own copy of every header word it writes: the file's copy can be overwritten by any
    // worker, so what the master reports about its pool comes from here (see masterHeader()). One thread
    // (the pool's) writes them; they are volatile so that masterHeader() may be called from any thread.
    private volatile String poolName;
    private volatile PmMode mode;
    private volatile Accounting accounting;
    private volatile int maxChildren;
    private volatile long startTimeUs;
    private volatile long heartbeatUs;
    private volatile long maxChildrenReached;
    private volatile long slowRequests;
    private volatile long terminatedRequests;
    private volatile long listenQueue;
    private volatile long maxListenQueue;
    private volatile long listenQueueLen;
    /** Raised by the pool's views and by status readers on other threads (see {@link #updateMaxActive}). */
    private final AtomicLong maxActive = new AtomicLong();

    private Scoreboard(Path path, SealedMemfd memory, ByteBuffer buf, int slotCount) {
        this.path = path;
        this.memory = memory;
        this.linkTarget = memory.procPath();
        this.buf = buf;
        this.slotCount = slotCount;
        this.fileReader = new ScoreboardReader(path, buf.asReadOnlyBuffer(), slotCount);
        this.allocated = new boolean[slotCount];
    }

    /**
     * Creates {@code dir/jfpm-{poolName}.scoreboard} with {@code slotCount} free slots. An existing file is
     * replaced when it is stale: not a scoreboard, or its master pid is ours, dead, or a process that
     * started after the file did (a reused pid).
     *
     * @param poolName   the pool name; UTF-8 bytes beyond {@link ScoreboardLayout#POOL_NAME_MAX} are cut in the header
     * @param slotCount  slots in the file, in {@code [1, MAX_SLOT_COUNT]}
     * @throws IllegalStateException when the file belongs to a live master (the message names file and pid)
     * @throws IllegalArgumentException for an invalid pool name or counts
     * @throws UncheckedIOException when the file cannot be created, sized or mapped
     */
    public static Scoreboard create(Path dir, String poolName, PmMode mode, Accounting accounting,
                                    int maxChildren, int slotCount) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(accounting, "accounting");
        if (poolName == null || poolName.isEmpty() || poolName.indexOf('/') >= 0 || poolName.indexOf('\0') >= 0
                || poolName.equals(".") || poolName.equals("..")) {
            throw new IllegalArgumentException("pool name '" + poolName + "' cannot be part of a file name");
        }
        if (slotCount < 1 || slotCount > MAX_SLOT_COUNT) {
            throw new IllegalArgumentException("slotCount " + slotCount + " not in [1, " + MAX_SLOT_COUNT + "]");
        }
        if (maxChildren < 0) {
            throw new IllegalArgumentException("maxChildren " + maxChildren + " is negative");
        }
        Path file = dir.resolve("jfpm-" + poolName + ".scoreboard");
        SealedMemfd memory = null;
        try {
            replaceIfStale(file);
            memory = SealedMemfd.create("jfpm-" + poolName, ScoreboardLayout.fileSize(slotCount));
            ByteBuffer map = map(memory);
            Scoreboard board = new Scoreboard(file, memory, map, slotCount);
            board.writeHeader(poolName, mode, accounting, maxChildren);
            Files.createSymbolicLink(file, memory.procPath());
            return board;
        } catch (FileAlreadyExistsException e) {
            memory.close();
            throw new IllegalStateException("scoreboard " + file + " was created concurrently by another process", e);
        } catch (IOException | RuntimeException e) {
            if (memory != null) {
                memory.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("create scoreboard " + file + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Removes {@code file} unless it is a live master's scoreboard. A link whose master is gone dangles
     * ({@code NoSuchFileException} on open), and one that {@code /proc} refuses to follow
     * ({@code AccessDeniedException}: another user's process) is treated as live.
     */
    private static void replaceIfStale(Path file) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // read the first 64 bytes, or as many as there are
            }
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(file);
            return;
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalStateException("scoreboard " + file + " belongs to a process this user cannot read ("
                    + e.getMessage() + "); remove it if no jfpm uses it", e);
        }
        if (!head.hasRemaining() && head.getLong(HEADER_MAGIC_OFFSET) == MAGIC) {
            long pid = head.getLong(HEADER_MASTER_PID_OFFSET);
            long startUs = head.getLong(HEADER_START_TIME_US_OFFSET);
            if (isLiveOtherMaster(pid, startUs)) {
                throw new IllegalStateException("scoreboard " + file + " is in use by the live master pid " + pid);
            }
        }
        Files.deleteIfExists(file);
    }

    private static boolean isLiveOtherMaster(long pid, long startUs) {
        if (pid <= 0 || pid == ProcessHandle.current().pid()) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return false;
        }
        Optional<Instant> started = process.get().info().startInstant();
        return started.isEmpty()
                || started.get().getEpochSecond() * 1_000_000L + started.get().getNano() / 1_000
                        <= startUs + PID_REUSE_SLACK_US;
    }

    /** Maps the memfd through {@code /proc/self/fd}: the channel is closed, the memfd's own fd stays. */
    private static ByteBuffer map(SealedMemfd memory) throws IOException {
        try (FileChannel channel = FileChannel.open(memory.selfPath(), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, memory.size());
            return map.order(ByteOrder.nativeOrder());
        }
    }

    private void writeHeader(String poolName, PmMode mode, Accounting accounting, int maxChildren) {
        long now = Words.nowUs();
        this.poolName = poolName;
        this.mode = mode;
        this.accounting = accounting;
        this.maxChildren = maxChildren;
        this.startTimeUs = now;
        this.heartbeatUs = now;
        set(HEADER_MAGIC_OFFSET, MAGIC);
        set(HEADER_HEADER_SIZE_OFFSET, HEADER_SIZE);
        set(HEADER_SLOT_SIZE_OFFSET, SLOT_SIZE);
        set(HEADER_SLOT_COUNT_OFFSET, slotCount);
        set(HEADER_SLOTS_OFFSET_OFFSET, HEADER_SIZE);
        set(HEADER_MASTER_PID_OFFSET, ProcessHandle.current().pid());
        set(HEADER_START_TIME_US_OFFSET, now);
        set(HEADER_HEARTBEAT_US_OFFSET, now);
        set(HEADER_PM_MODE_OFFSET, mode.code());
        set(HEADER_ACCOUNTING_OFFSET, accounting.code());
        set(HEADER_MAX_CHILDREN_OFFSET, maxChildren);
        Utf8Field.write(buf, HEADER_POOL_NAME_OFFSET, HEADER_POOL_NAME_LENGTH, poolName);
        Words.LONG.setRelease(buf, HEADER_VERSION_OFFSET, VERSION);
    }

    public Path path() {
        return path;
    }

    public int slotCount() {
        return slotCount;
    }

    /** Whether the master has allocated slot {@code i} (master-private state, not the file's in_use). */
    public boolean isAllocated(int i) {
        return allocated[Objects.checkIndex(i, slotCount)];
    }

    /**
     * Allocates the first free slot for a worker about to be spawned: in_use = 1, the generation and
     * the spawn time, every worker field zeroed (stage STARTING, pid 0), all in one seqlock write.
     *
     * @return the slot index, or -1 when every slot is allocated
     */
    public int allocate(long generation) {
        ByteBuffer b = mapping();
        for (int i = 0; i < slotCount; i++) {
            if (!allocated[i]) {
                allocated[i] = true;
                int off = ScoreboardLayout.slotOffset(i);
                long odd = SlotSeqlock.beginWrite(b, off);
                b.put(off + SLOT_IN_USE_OFFSET, Words.ZEROS, 0, SLOT_SIZE - SLOT_IN_USE_OFFSET);
                Words.LONG.setOpaque(b, off + SLOT_IN_USE_OFFSET, 1L);
                Words.LONG.setOpaque(b, off + SLOT_GENERATION_OFFSET, generation);
                Words.LONG.setOpaque(b, off + SLOT_START_TIME_US_OFFSET, Words.nowUs());
                SlotSeqlock.endWrite(b, off, odd);
                return i;
            }
        }
        return -1;
    }

    /**
     * Frees slot {@code i} after its worker has been reaped: in_use = 0 and the slot zeroed, in one seqlock write.
     *
     * @throws IllegalStateException when the slot is not allocated
     */
    public void free(int i) {
        ByteBuffer b = mapping();
        Objects.checkIndex(i, slotCount);
        if (!allocated[i]) {
            throw new IllegalStateException("free slot " + i + " of " + path + ": not allocated");
        }
        int off = ScoreboardLayout.slotOffset(i);
        long odd = SlotSeqlock.beginWrite(b, off);
        b.put(off + SLOT_IN_USE_OFFSET, Words.ZEROS, 0, SLOT_SIZE - SLOT_IN_USE_OFFSET);
        SlotSeqlock.endWrite(b, off, odd);
        allocated[i] = false;
    }

    /** Stores the current time as the master's heartbeat (call every second). */
    public void heartbeat() {
        heartbeatUs = Words.nowUs();
        Words.LONG.setRelease(mapping(), HEADER_HEARTBEAT_US_OFFSET, heartbeatUs);
    }

    /** The accept queue's current length and capacity; raises max_listen_queue when exceeded. Negatives count as 0. */
    public void setListenQueue(long current, long capacity) {
        long queue = Math.max(0, current);
        listenQueue = queue;
        listenQueueLen = Math.max(0, capacity);
        maxListenQueue = Math.max(maxListenQueue, queue);
        set(HEADER_LISTEN_QUEUE_OFFSET, queue);
        set(HEADER_LISTEN_QUEUE_LEN_OFFSET, listenQueueLen);
        set(HEADER_MAX_LISTEN_QUEUE_OFFSET, maxListenQueue);
    }

    /**
     * Raises max_active_processes to {@code active} if lower (a CAS: workers raise it too). Thread-safe:
     * status readers call it from their own threads; after {@link #close()} only the master's copy rises.
     */
    public void updateMaxActive(long active) {
        maxActive.accumulateAndGet(active, Math::max);
        ByteBuffer b = buf;
        if (b != null) {
            ActiveRequests.raiseMax(b, active);
        }
    }

    /**
     * Undoes the +1 on active_requests of a worker that died in a request (its own slot said so
     * when it was reaped): workers keep the word by atomic +1/-1 and a killed one never subtracts.
     * The master never stores the word, which would race the workers' atomics and lose their
     * updates; it only takes back, by the same atomic -1 (never below 0), what a dead worker left.
     */
    public void requestAbandoned() {
        ActiveRequests.decrement(mapping());
    }

    public void incrementMaxChildrenReached() {
        set(HEADER_MAX_CHILDREN_REACHED_OFFSET, ++maxChildrenReached);
    }

    public void incrementSlowRequests() {
        set(HEADER_SLOW_REQUESTS_OFFSET, ++slowRequests);
    }

    public void incrementTerminatedRequests() {
        set(HEADER_TERMINATED_REQUESTS_OFFSET, ++terminatedRequests);
    }

    /** When this scoreboard (its pool generation) started, µs since the epoch, from the master's memory. */
    public long startTimeUs() {
        return startTimeUs;
    }

    /**
     * The pool header as the master knows it: every word the master writes (name, pm mode,
     * accounting, max children, start time, heartbeat, the master's counters, the listen queue) from
     * its own memory, never read back from the file, which any worker can overwrite; only the words
     * workers keep (accepted_conn, and max_active_processes, which is the higher of the master's own
     * samples and the workers' raises) come from the file, clamped like {@link ScoreboardReader#header()}.
     * Thread-safe (the status server calls it from its own threads), also after {@link #close()}.
     */
    public PoolHeaderSnapshot masterHeader() {
        PoolHeaderSnapshot file = fileReader.header();
        return new PoolHeaderSnapshot(poolName, mode, accounting, ProcessHandle.current().pid(), startTimeUs, heartbeatUs,
                slotCount, maxChildren, file.acceptedConn(), maxChildrenReached, slowRequests, terminatedRequests,
                Math.max(maxActive.get(), file.maxActiveProcesses()), listenQueue, maxListenQueue, listenQueueLen);
    }

    /** The generation workers are currently spawned into (raised on reload). */
    public void setGeneration(long generation) {
        set(HEADER_GENERATION_OFFSET, generation);
    }

    /** A reader over this scoreboard's mapping; it stays usable after {@link #close()} (the mapping lives until it is collected). */
    public ScoreboardReader reader() {
        return new ScoreboardReader(path, mapping().asReadOnlyBuffer(), slotCount);
    }

    /**
     * Stops using the mapping; further mutating calls throw {@code IllegalStateException}. JDK 17 has no
     * safe explicit unmap (an unmap under a live {@link #reader()} would crash the JVM), so the mapping
     * is released when the last buffer referring to it is garbage collected. The memfd's descriptor
     * is closed: no spawn may use {@link #fd()} after this. Idempotent.
     */
    @Override
    public void close() {
        buf = null;
        memory.close();
    }

    /**
     * {@link #close()}, then unlinks {@link #path()} if it is still this scoreboard's link (a later
     * generation of the pool may have made its own at the same path). Workers keep their mappings; the
     * memory goes with the last one.
     *
     * @throws UncheckedIOException when the link cannot be removed
     */
    public void delete() {
        close();
        try {
            if (Files.isSymbolicLink(path) && Files.readSymbolicLink(path).equals(linkTarget)) {
                Files.deleteIfExists(path);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("delete scoreboard " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The memfd's descriptor, {@code O_CLOEXEC}: a spawn dup's it to the worker's fd 3
     * ({@code JFPM_SCOREBOARD_FD}). Valid until {@link #close()}.
     */
    public int fd() {
        return memory.fd();
    }

    private ByteBuffer mapping() {
        ByteBuffer b = buf;
        if (b == null) {
            throw new IllegalStateException("scoreboard " + path + " is closed");
        }
        return b;
    }

    private void set(int offset, long value) {
        Words.LONG.setOpaque(mapping(), offset, value);
    }

}
