package org.jfpm.pool;

import java.util.List;
import org.jfpm.scoreboard.PoolHeaderSnapshot;

/**
 * What the status page, /metrics and the dashboard show of one pool: the scoreboard header and
 * slot copies, joined with what only the master knows. Built by the PoolActor (live) or by the
 * {@code status} CLI straight from the scoreboard file (master may be hung: then
 * {@code fromMaster = false} and RSS is read from /proc when possible).
 *
 * @param header     the pool header (counters, listen queue, start time)
 * @param workers    one entry per in-use slot, in slot order
 * @param nowUs      when the snapshot was taken (µs since the epoch)
 * @param fromMaster true when the master built it (pids verified against its own spawns)
 */
public record PoolStatus(PoolHeaderSnapshot header, List<WorkerStatus> workers, long nowUs, boolean fromMaster) {

    public PoolStatus {
        workers = List.copyOf(workers);
    }

    public long idle() {
        return workers.stream().filter(w -> w.slot().isIdle()).count();
    }

    public long active() {
        return workers.size() - idle();
    }

    public long total() {
        return workers.size();
    }
}
