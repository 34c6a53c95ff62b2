package org.jfpm.supervisor.status;

import java.util.Arrays;

/**
 * One pool's recent past: the last {@code capacity} samples (600 at 1 s: ten minutes) of its worker
 * counts, listen queue and counters, and per scoreboard slot (a <em>lane</em>) the state of the worker
 * in it at each sample. Fixed-size primitive arrays, written in place: recording a sample allocates
 * nothing (a lane past the last one doubles the lane table: rare, as workers take the lowest free slots).
 * Memory: about 44 bytes per sample plus one byte per lane per sample (600 KB for 1000 lanes).
 *
 * <pre>
 *   sample i (0 = oldest)   time[]  idle[] active[] total[] queue[]  accepted[] spawned[] exited[]
 *   physical index          (head - size + i) mod capacity
 *   lanes                   states[lane * capacity + physical]: one byte per lane per sample
 * </pre>
 * Counters are recorded as totals and stored as the increase since the previous sample (0 for the
 * first; a total that went down, a pool actor started again, counts from 0).
 *
 * <p>Writing a sample: {@link #begin(long)}, {@link #worker(int, long, byte)} for every worker, then
 * {@link #end(long, long, long, long, long, long, long)}; readers see a sample once it has ended.
 * Not thread-safe: {@link History} guards it.
 */
public final class HistoryRing {

    /** Lane states, one byte each. A lane with two workers at once (a reload) shows the stronger, in this order. */
    public static final byte NONE = 0;
    public static final byte IDLE = 1;
    public static final byte STARTING = 2;
    public static final byte UNKNOWN = 3;
    public static final byte BUSY = 4;
    private static final char[] STATE_CHARS = {'-', 'i', 's', 'u', 'b'};
    /** The most slots a scoreboard has (two per child, max children 65536): a lane past it is ignored. */
    static final int MAX_LANES = 1 << 17;

    private final int capacity;
    private final long[] time;
    private final int[] idle;
    private final int[] active;
    private final int[] total;
    private final long[] queue;
    private final long[] accepted;
    private final long[] spawned;
    private final long[] exited;
    private byte[] states;
    private long[] lanePid;
    private int lanes;
    /** Lanes at least one sample in the ring has a worker in (the JSON leaves the others out). */
    private int usedLanes;
    private int head;
    private int size;
    private boolean open;
    private long lastAccepted = -1;
    private long lastSpawned = -1;
    private long lastExited = -1;

    public HistoryRing(int capacity, int lanes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        this.capacity = capacity;
        this.time = new long[capacity];
        this.idle = new int[capacity];
        this.active = new int[capacity];
        this.total = new int[capacity];
        this.queue = new long[capacity];
        this.accepted = new long[capacity];
        this.spawned = new long[capacity];
        this.exited = new long[capacity];
        this.lanes = Math.max(0, Math.min(MAX_LANES, lanes));
        this.states = new byte[this.lanes * capacity];
        this.lanePid = new long[this.lanes];
    }

    /** Starts the sample taken at {@code timeMs} (epoch ms): every lane empty until {@link #worker} fills it. */
    public void begin(long timeMs) {
        int p = head;
        time[p] = timeMs;
        for (int l = 0; l < lanes; l++) {
            states[l * capacity + p] = NONE;
        }
        open = true;
    }

    /**
     * The worker {@code pid} in slot {@code lane} is in {@code state} now. The first worker of a lane in
     * a sample names the lane's pid (the master lists the newest generation first); a second one only
     * makes the lane's state stronger.
     */
    public void worker(int lane, long pid, byte state) {
        if (!open || lane < 0 || lane >= MAX_LANES) {
            return;
        }
        if (lane >= lanes) {
            grow(Math.min(MAX_LANES, Math.max(lane + 1, lanes * 2)));
        }
        int i = lane * capacity + head;
        if (states[i] == NONE) {
            lanePid[lane] = pid;
        }
        if (state > states[i]) {
            states[i] = state;
        }
        if (lane >= usedLanes) {
            usedLanes = lane + 1;
        }
    }

    /** Ends the open sample with the pool's counts and its counters' totals; it becomes the newest. */
    public void end(long idleNow, long activeNow, long totalNow, long listenQueue, long acceptedTotal,
                    long spawnedTotal, long exitedTotal) {
        if (!open) {
            return;
        }
        int p = head;
        idle[p] = clampInt(idleNow);
        active[p] = clampInt(activeNow);
        total[p] = clampInt(totalNow);
        queue[p] = Math.max(0, listenQueue);
        accepted[p] = increase(lastAccepted, acceptedTotal);
        spawned[p] = increase(lastSpawned, spawnedTotal);
        exited[p] = increase(lastExited, exitedTotal);
        lastAccepted = Math.max(0, acceptedTotal);
        lastSpawned = Math.max(0, spawnedTotal);
        lastExited = Math.max(0, exitedTotal);
        head = (head + 1) % capacity;
        if (size < capacity) {
            size++;
        }
        open = false;
    }

    public int capacity() {
        return capacity;
    }

    /** Samples held, at most {@link #capacity()}. */
    public int size() {
        return size;
    }

    /** Lanes up to the last one with a worker in any sample ever recorded (their states read {@code '-'} where empty). */
    public int lanes() {
        return usedLanes;
    }

    public long time(int i) {
        return time[at(i)];
    }

    public int idle(int i) {
        return idle[at(i)];
    }

    public int active(int i) {
        return active[at(i)];
    }

    public int total(int i) {
        return total[at(i)];
    }

    public long listenQueue(int i) {
        return queue[at(i)];
    }

    /** Connections accepted between sample {@code i - 1} and sample {@code i}. */
    public long accepted(int i) {
        return accepted[at(i)];
    }

    public long spawned(int i) {
        return spawned[at(i)];
    }

    public long exited(int i) {
        return exited[at(i)];
    }

    /** The counters' totals at the newest sample (-1 before the first). */
    public long acceptedTotal() {
        return lastAccepted;
    }

    public long spawnedTotal() {
        return lastSpawned;
    }

    public long exitedTotal() {
        return lastExited;
    }

    /** Lane {@code lane}'s state at sample {@code i} ({@link #NONE} ... {@link #BUSY}). */
    public byte state(int lane, int i) {
        return lane < lanes ? states[lane * capacity + at(i)] : NONE;
    }

    /** The pid last seen in {@code lane} (0 = never). */
    public long lanePid(int lane) {
        return lane < lanes ? lanePid[lane] : 0;
    }

    /** Whether {@code lane} has a worker at the newest sample. */
    public boolean laneOccupied(int lane) {
        return size > 0 && state(lane, size - 1) != NONE;
    }

    /** The letter the JSON uses for a state: {@code - i s u b}. */
    public static char stateChar(byte state) {
        return state >= 0 && state < STATE_CHARS.length ? STATE_CHARS[state] : '?';
    }

    private int at(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("sample " + i + " of " + size);
        }
        return Math.floorMod(head - size + i, capacity);
    }

    private void grow(int to) {
        byte[] s = new byte[to * capacity];
        System.arraycopy(states, 0, s, 0, states.length);
        states = s;
        lanePid = Arrays.copyOf(lanePid, to);
        lanes = to;
    }

    private static long increase(long last, long now) {
        long n = Math.max(0, now);
        if (last < 0) {
            return 0;
        }
        return n >= last ? n - last : n;
    }

    private static int clampInt(long v) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, v));
    }
}
