package org.jfpm.supervisor.status;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.RequestStage;

/**
 * Every pool's {@link HistoryRing}, by pool name: {@link #record} adds one sample of every pool from
 * the same snapshots the status page renders; {@link #renderJson} writes one pool's as {@code
 * /api/history} serves it (see {@link HistoryApi}). A pool that is no longer listed loses its
 * history; a name listed twice (a removed pool still draining while a new one of that name starts)
 * is sampled from its first entry, the configured pool.
 *
 * <p>Thread-safe: one lock, held while a sample is written (a few µs per pool) or one pool's JSON is
 * rendered.
 */
public final class History {

    /** Ten minutes of 1 s samples. */
    public static final int CAPACITY = 600;
    public static final long INTERVAL_MS = 1000;

    private final int capacity;
    private final long intervalMs;
    private final Map<String, Entry> rings = new HashMap<>();
    private long samples;

    private static final class Entry {
        final HistoryRing ring;
        long seen;

        Entry(HistoryRing ring) {
            this.ring = ring;
        }
    }

    public History() {
        this(CAPACITY, INTERVAL_MS);
    }

    /** A history of {@code capacity} samples taken every {@code intervalMs} (the interval is only reported). */
    public History(int capacity, long intervalMs) {
        this.capacity = capacity;
        this.intervalMs = intervalMs;
    }

    /** One sample of every pool in {@code pools}, taken at {@code timeMs} (epoch ms). */
    public synchronized void record(List<PoolStatus> pools, long timeMs) {
        long n = ++samples;
        for (int p = 0; p < pools.size(); p++) {
            PoolStatus s = pools.get(p);
            String name = s.identity().name();
            Entry e = rings.get(name);
            if (e == null) {
                e = new Entry(new HistoryRing(capacity, Math.min(64, Math.max(1, s.identity().maxChildren()))));
                rings.put(name, e);
            } else if (e.seen == n) {
                continue; // listed twice: the first is the configured pool
            }
            e.seen = n;
            record(e.ring, s, timeMs);
        }
        for (Iterator<Entry> it = rings.values().iterator(); it.hasNext(); ) {
            if (it.next().seen != n) {
                it.remove();
            }
        }
    }

    /** Whether {@code pool} has a history (it was listed in the last sample). */
    public synchronized boolean has(String pool) {
        return rings.containsKey(pool);
    }

    /**
     * Appends {@code pool}'s history as JSON to {@code b} (an empty history when it has none yet).
     * See {@link HistoryApi} for the format.
     */
    public synchronized void renderJson(String pool, StringBuilder b) {
        Entry e = rings.get(pool);
        HistoryApi.render(b, pool, e == null ? null : e.ring, capacity, intervalMs);
    }

    static void record(HistoryRing ring, PoolStatus s, long timeMs) {
        ring.begin(timeMs);
        List<WorkerStatus> workers = s.workers();
        long idle = 0;
        for (int i = 0; i < workers.size(); i++) {
            WorkerStatus w = workers.get(i);
            byte state = state(w.slot().stage());
            if (state == HistoryRing.IDLE) {
                idle++;
            }
            ring.worker(w.slot().index(), w.pid(), state);
        }
        long total = workers.size();
        ring.end(idle, total - idle, total, s.header().listenQueue(), s.header().acceptedConn(), s.spawned(), s.exited());
    }

    /** The dashboard's reading of a stage (as {@link ProcessFields#dashboardState()}): null is a slot that could not be read. */
    static byte state(RequestStage stage) {
        if (stage == null) {
            return HistoryRing.UNKNOWN;
        }
        return switch (stage) {
            case ACCEPTING -> HistoryRing.IDLE;
            case STARTING -> HistoryRing.STARTING;
            default -> HistoryRing.BUSY;
        };
    }
}
