package org.jfpm.pool.policy;

import java.util.List;
import org.jfpm.pool.PmConfig;

/**
 * An immutable snapshot of a pool as its policy sees it, sent by the PoolActor after every change.
 *
 * @param pool               pool name (for log lines)
 * @param pm                 the pm settings
 * @param workers            live workers (spawned, not yet reaped), including retiring ones
 * @param spawnsPending      Spawn requests accepted by the PoolActor whose processes do not exist yet
 * @param connectionsWaiting the listen queue length now (TCP_INFO / sock_diag), 0 when unknown
 * @param readable           the listening socket polled readable since the last view (connections wait)
 * @param accountingKnown    false with accounting = none: stages, requests and activity are unknown; the
 *                           policies ignore them and decide on readiness, the queue length and spawn times
 * @param nowNanos           the time of the snapshot ({@link System#nanoTime()} clock)
 */
public record PoolView(
        String pool,
        PmConfig pm,
        List<WorkerView> workers,
        int spawnsPending,
        int connectionsWaiting,
        boolean readable,
        boolean accountingKnown,
        long nowNanos) {

    public PoolView {
        workers = List.copyOf(workers);
    }

    /** Workers that count: alive and not retiring, plus spawns in flight. */
    public int running() {
        int n = spawnsPending;
        for (WorkerView w : workers) {
            if (!w.retiring()) {
                n++;
            }
        }
        return n;
    }

    public int idle() {
        int n = 0;
        for (WorkerView w : workers) {
            if (w.isIdle()) {
                n++;
            }
        }
        return n;
    }

    public int active() {
        return running() - idle();
    }
}
