package org.jfpm.pool;

import java.util.List;
import java.util.Objects;
import org.jfpm.scoreboard.PoolHeaderSnapshot;

/**
 * What the status page, /metrics and the dashboard show of one pool: its identity, the scoreboard
 * header and slot copies, joined with what only the master knows. Built live by {@link LiveStatus#read()}
 * (for the PoolActor's GetStatus and the status server) or by the {@code status} CLI straight from the
 * scoreboard file (master may be hung: then {@code fromMaster = false} and RSS is read from /proc when
 * possible).
 *
 * <p>Trust: from the master, {@code identity} and every header word the master writes come from its
 * own memory ({@link PoolIdentity#of}, {@link org.jfpm.scoreboard.Scoreboard#masterHeader()}); only
 * worker-kept counters and the slot copies are what workers wrote.
 *
 * @param identity   the pool's name, pm mode, accounting, max children and start time (use these, not the header's)
 * @param header     the pool header (counters, listen queue)
 * @param workers    one entry per in-use slot, in slot order
 * @param nowUs      when the snapshot was taken (µs since the epoch)
 * @param fromMaster true when the master built it (pids verified against its own spawns)
 * @param template   the current generation's template ({@code spawn-mode = fork}), or null: never a worker
 * @param spawned    workers the pool actor has started since it started (monotonic; 0 when not from the master)
 * @param exited     workers it has reaped since it started (monotonic; 0 when not from the master)
 */
public record PoolStatus(PoolIdentity identity, PoolHeaderSnapshot header, List<WorkerStatus> workers, long nowUs,
                         boolean fromMaster, TemplateInfo template, long spawned, long exited) {

    public PoolStatus {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(header, "header");
        workers = List.copyOf(workers);
    }

    /** A status without spawn and exit counts. */
    public PoolStatus(PoolIdentity identity, PoolHeaderSnapshot header, List<WorkerStatus> workers, long nowUs,
                      boolean fromMaster, TemplateInfo template) {
        this(identity, header, workers, nowUs, fromMaster, template, 0, 0);
    }

    /** A status without a template. */
    public PoolStatus(PoolIdentity identity, PoolHeaderSnapshot header, List<WorkerStatus> workers, long nowUs,
                      boolean fromMaster) {
        this(identity, header, workers, nowUs, fromMaster, null);
    }

    /** A status whose identity is the header's own (the {@code status} CLI, tests): untrusted. */
    public PoolStatus(PoolHeaderSnapshot header, List<WorkerStatus> workers, long nowUs, boolean fromMaster) {
        this(PoolIdentity.fromFile(header, null), header, workers, nowUs, fromMaster);
    }

    /**
     * The status the master gives of its pool, whose current generation is {@code current}: identity
     * from the configuration, header from {@link org.jfpm.scoreboard.Scoreboard#masterHeader()}
     * (nothing the master owns is read back from the file). Call from the pool's owner thread.
     */
    public static PoolStatus ofMaster(Generation current, List<WorkerStatus> workers, long nowUs) {
        return new PoolStatus(PoolIdentity.of(current), current.scoreboard().masterHeader(), workers, nowUs, true);
    }

    public long idle() {
        long n = 0;
        for (WorkerStatus w : workers) {
            if (w.slot().isIdle()) {
                n++;
            }
        }
        return n;
    }

    public long active() {
        return workers.size() - idle();
    }

    /** Workers in a request (reading headers, info, executing): what max active processes counts. */
    public long inRequest() {
        long n = 0;
        for (WorkerStatus w : workers) {
            if (RequestTimeouts.isInRequest(w.slot().stage())) {
                n++;
            }
        }
        return n;
    }

    public long total() {
        return workers.size();
    }
}
