package org.jfpm.scoreboard;

import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_ACCEPTED_CONN_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_ACCEPTED_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_CONTENT_LENGTH_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_CPU_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_DURATION_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_LAST_ACTIVITY_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_MEMORY_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_METHOD_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_METHOD_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_PID_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_QUERY_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_QUERY_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_REQ_CPU_START_US_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SCRIPT_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SCRIPT_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_STAGE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_URI_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_URI_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_USER_LENGTH;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_USER_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;

/**
 * The worker SDK: a Java worker reports its request stages into its scoreboard slot, as PHP-FPM's
 * {@code fpm_request.c} does. Call {@link #accepting()} before blocking in {@code accept},
 * {@link #accepted()} when it returns, {@link #requestInfo} once the request's parameters are known,
 * {@link #executing()} when the application runs it, and optionally {@link #finished()} when the response
 * is complete ({@code accepting()} closes an open request too). Closing a request records its duration,
 * its CPU time (user + system of the thread that calls this writer, from {@code ThreadMXBean}: work the
 * request hands to other threads is not counted) and the process's resident memory ({@code /proc/self/statm}).
 *
 * <p>Threading: one thread at a time (the worker's accept loop); each call is one seqlock write of the
 * slot. The hot path allocates nothing of its own beyond {@code Instant.now()}, which the JIT usually elides.
 *
 * <p>A writer obtained from {@link #fromEnvironment()} without {@code JFPM_SCOREBOARD} set is a no-op
 * ({@link #isAttached()} false), so a worker runs unchanged outside jfpm.
 */
public final class SlotWriter implements AutoCloseable {

    public static final String ENV_SCOREBOARD = "JFPM_SCOREBOARD";
    public static final String ENV_SLOT = "JFPM_SLOT";
    /** The inherited fd of the scoreboard's memfd, when the master passed one. */
    public static final String ENV_SCOREBOARD_FD = "JFPM_SCOREBOARD_FD";
    /** The fd the master puts the scoreboard on. */
    public static final String SCOREBOARD_FD = "3";

    private static final SlotWriter NO_OP = new SlotWriter(null, -1, null);

    private final ByteBuffer buf;
    private final int slot;
    private final int off;
    private final ProcessMetrics metrics;
    private final long pid = ProcessHandle.current().pid();
    private RequestStage stage = RequestStage.STARTING;
    private long requests;
    private long acceptedUs;
    private long cpuStartUs;
    private boolean closed;

    private SlotWriter(ByteBuffer buf, int slot, ProcessMetrics metrics) {
        this.buf = buf;
        this.slot = slot;
        this.off = buf == null ? -1 : ScoreboardLayout.slotOffset(slot);
        this.metrics = metrics;
    }

    /**
     * Attaches to the slot named by {@code JFPM_SLOT} of the scoreboard on the inherited fd
     * {@code JFPM_SCOREBOARD_FD} (opened again through {@code /proc/self/fd}; the inherited fd stays
     * open, as the JDK cannot close an fd by number), or else of the file {@code JFPM_SCOREBOARD}; a
     * no-op writer when {@code JFPM_SCOREBOARD} is unset or empty.
     *
     * @throws IllegalStateException when {@code JFPM_SLOT} is missing or not a slot index
     * @throws ScoreboardFormatException when the file is not a usable scoreboard or has no such slot
     */
    public static SlotWriter fromEnvironment() throws IOException {
        return fromEnvironment(System.getenv());
    }

    /** {@link #fromEnvironment()} over the given variables. */
    public static SlotWriter fromEnvironment(Map<String, String> env) throws IOException {
        String file = env.get(ENV_SCOREBOARD);
        if (file == null || file.isEmpty()) {
            return NO_OP;
        }
        String slot = env.get(ENV_SLOT);
        int index;
        try {
            index = Integer.parseInt(Objects.requireNonNull(slot));
        } catch (NullPointerException | NumberFormatException e) {
            throw new IllegalStateException(ENV_SCOREBOARD + " is set but " + ENV_SLOT + "=" + slot
                    + " is not a slot index");
        }
        String fd = env.get(ENV_SCOREBOARD_FD);
        if (fd != null && fd.matches("[0-9]{1,9}")) {
            return attach(Path.of("/proc/self/fd/" + fd), index);
        }
        return attach(Path.of(file), index);
    }

    /**
     * Maps {@code file} read-write, checks its header, size and {@code slot}, and publishes this
     * process's pid in the slot. The stage stays STARTING until the first {@link #accepting()}.
     */
    public static SlotWriter attach(Path file, int slot) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int slots = HeaderCheck.slotCount(file, channel);
            if (slot < 0 || slot >= slots) {
                throw new ScoreboardFormatException(file, "slot " + slot + " out of range [0, " + slots + ")");
            }
            ByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, ScoreboardLayout.fileSize(slots))
                    .order(ByteOrder.nativeOrder());
            SlotWriter writer = new SlotWriter(map, slot, new ProcessMetrics());
            writer.attachPid();
            return writer;
        }
    }

    private void attachPid() {
        requests = Math.max(0, (long) Words.LONG.getOpaque(buf, off + SLOT_REQUESTS_OFFSET));
        long odd = SlotSeqlock.beginWrite(buf, off);
        put(SLOT_PID_OFFSET, pid);
        put(SLOT_LAST_ACTIVITY_US_OFFSET, Words.nowUs());
        SlotSeqlock.endWrite(buf, off, odd);
    }

    /** False for the no-op writer. */
    public boolean isAttached() {
        return buf != null && !closed;
    }

    /** The slot index, or -1 for the no-op writer. */
    public int slot() {
        return slot;
    }

    /** About to block in {@code accept}: closes the open request, if any; stage ACCEPTING (idle). */
    public void accepting() {
        if (!isAttached()) {
            return;
        }
        boolean open = isOpen();
        long now = Words.nowUs();
        long cpu = open ? metrics.cpuUs() : 0;
        long memory = open ? metrics.rssBytes() : 0;
        long odd = SlotSeqlock.beginWrite(buf, off);
        if (open) {
            closeRequest(now, cpu, memory);
        }
        put(SLOT_PID_OFFSET, pid); // another process may have written over the slot: claim it again
        stage(RequestStage.ACCEPTING, now);
        SlotSeqlock.endWrite(buf, off, odd);
        if (open) {
            ActiveRequests.decrement(buf);
        }
    }

    /**
     * {@code accept} returned a connection: a new request (stage READING_HEADERS, accepted time,
     * requests + 1, request fields cleared) and the pool's accepted_conn + 1.
     */
    public void accepted() {
        if (!isAttached()) {
            return;
        }
        long now = Words.nowUs();
        long cpu = metrics.cpuUs();
        requests++;
        acceptedUs = now;
        cpuStartUs = cpu;
        long odd = SlotSeqlock.beginWrite(buf, off);
        stage(RequestStage.READING_HEADERS, now);
        put(SLOT_ACCEPTED_US_OFFSET, now);
        put(SLOT_REQUESTS_OFFSET, requests);
        put(SLOT_DURATION_US_OFFSET, 0);
        put(SLOT_CONTENT_LENGTH_OFFSET, 0);
        put(SLOT_REQ_CPU_START_US_OFFSET, cpu);
        buf.put(off + SLOT_METHOD_OFFSET, Words.ZEROS, 0, SLOT_USER_OFFSET + SLOT_USER_LENGTH - SLOT_METHOD_OFFSET);
        SlotSeqlock.endWrite(buf, off, odd);
        Words.LONG.getAndAdd(buf, HEADER_ACCEPTED_CONN_OFFSET, 1L);
        ActiveRequests.increment(buf);
    }

    /**
     * The request's parameters (null = empty; strings cut at a UTF-8 boundary to fit their fields);
     * stage INFO. Ignored when no request is open.
     */
    public void requestInfo(String method, String uri, String query, String script, long contentLength, String user) {
        if (!isAttached() || !isOpen()) {
            return;
        }
        long now = Words.nowUs();
        long odd = SlotSeqlock.beginWrite(buf, off);
        stage(RequestStage.INFO, now);
        put(SLOT_CONTENT_LENGTH_OFFSET, Math.max(0, contentLength));
        Utf8Field.write(buf, off + SLOT_METHOD_OFFSET, SLOT_METHOD_LENGTH, method);
        Utf8Field.write(buf, off + SLOT_URI_OFFSET, SLOT_URI_LENGTH, uri);
        Utf8Field.write(buf, off + SLOT_QUERY_OFFSET, SLOT_QUERY_LENGTH, query);
        Utf8Field.write(buf, off + SLOT_SCRIPT_OFFSET, SLOT_SCRIPT_LENGTH, script);
        Utf8Field.write(buf, off + SLOT_USER_OFFSET, SLOT_USER_LENGTH, user);
        SlotSeqlock.endWrite(buf, off, odd);
    }

    /** The application runs the request: stage EXECUTING. Ignored when no request is open. */
    public void executing() {
        if (!isAttached() || !isOpen()) {
            return;
        }
        long now = Words.nowUs();
        long odd = SlotSeqlock.beginWrite(buf, off);
        stage(RequestStage.EXECUTING, now);
        SlotSeqlock.endWrite(buf, off, odd);
    }

    /** The response is complete: records duration, CPU and memory; stage FINISHED. Ignored when no request is open. */
    public void finished() {
        if (!isAttached() || !isOpen()) {
            return;
        }
        long now = Words.nowUs();
        long cpu = metrics.cpuUs();
        long memory = metrics.rssBytes();
        long odd = SlotSeqlock.beginWrite(buf, off);
        closeRequest(now, cpu, memory);
        stage(RequestStage.FINISHED, now);
        SlotSeqlock.endWrite(buf, off, odd);
        ActiveRequests.decrement(buf);
    }

    /** Stops writing (later calls are no-ops) and releases the /proc handle; the mapping goes with the GC. */
    @Override
    public void close() {
        if (buf != null && !closed) {
            closed = true;
            metrics.close();
        }
    }

    private boolean isOpen() {
        return stage == RequestStage.READING_HEADERS || stage == RequestStage.INFO || stage == RequestStage.EXECUTING;
    }

    /** Measurements are taken by the caller before the seqlock write, to keep the write window short. */
    private void closeRequest(long now, long cpuUs, long memory) {
        put(SLOT_DURATION_US_OFFSET, Math.max(0, now - acceptedUs));
        put(SLOT_CPU_US_OFFSET, Math.max(0, cpuUs - cpuStartUs));
        put(SLOT_MEMORY_OFFSET, memory);
    }

    private void stage(RequestStage next, long now) {
        stage = next;
        put(SLOT_STAGE_OFFSET, next.code());
        put(SLOT_LAST_ACTIVITY_US_OFFSET, now);
    }

    private void put(int field, long value) {
        Words.LONG.setOpaque(buf, off + field, value);
    }
}
