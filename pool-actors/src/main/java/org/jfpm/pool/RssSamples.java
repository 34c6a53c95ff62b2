package org.jfpm.pool;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongUnaryOperator;
import java.util.function.ToLongFunction;
import org.jfpm.os.ProcFs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers' resident set sizes, sampled from {@code /proc/<pid>/statm} once per pool tick on
 * {@code executor} (not the pool's thread), so that a status request reads no {@code /proc} file:
 * with 500 workers the 500 reads took 3–5 ms of every {@code /status} answer on a quiet machine and
 * tens of ms on a loaded one. A figure is therefore up to one tick old, and a worker spawned since
 * the last sample has none yet ({@code -1}, shown as unknown).
 *
 * <p>Samples are keyed by the worker object ({@link Child} in the pool; by identity), not by pid, so a
 * recycled pid never inherits another worker's figure. A refresh asked for while the previous one
 * still runs is skipped. The pool's thread calls {@link #refresh} and {@link #of}; the sampler thread
 * only applies {@code pidOf} (a final field of the worker) and publishes a complete, never-modified
 * map through a volatile field.
 *
 * @param <K> the worker type
 */
final class RssSamples<K> {

    private static final Logger LOG = LoggerFactory.getLogger(RssSamples.class);

    private final Executor executor;
    private final ToLongFunction<K> pidOf;
    private final LongUnaryOperator rssOfPid;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Map<K, Long> latest = Map.of();

    /**
     * @param pidOf    the worker's pid; called on the sampler's thread, so it must read only final state
     * @param rssOfPid bytes for a pid, -1 when unknown; must not throw
     */
    RssSamples(Executor executor, ToLongFunction<K> pidOf, LongUnaryOperator rssOfPid) {
        this.executor = executor;
        this.pidOf = pidOf;
        this.rssOfPid = rssOfPid;
    }

    /** RSS from {@code /proc/<pid>/statm}, -1 for a process that is gone or a file that cannot be read (logged at debug, tagged {@code tag}). */
    static LongUnaryOperator fromProc(String tag) {
        return pid -> {
            try {
                return ProcFs.rssBytes(pid);
            } catch (RuntimeException e) {
                LOG.debug("{} rss of child {} unavailable: {}", tag, pid, e.toString());
                return -1;
            }
        };
    }

    /**
     * Starts sampling {@code workers} on the executor, unless a sample is still being taken. Workers
     * left out (gone since) lose their figure when the sample is published.
     *
     * @return false when it was skipped because the previous sample is still running
     */
    boolean refresh(Collection<K> workers) {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        List<K> list = List.copyOf(workers);
        try {
            executor.execute(() -> {
                try {
                    Map<K, Long> m = new IdentityHashMap<>(list.size() * 2);
                    for (K w : list) {
                        m.put(w, rssOfPid.applyAsLong(pidOf.applyAsLong(w)));
                    }
                    latest = m;
                } finally {
                    running.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            running.set(false); // the system is shutting down
        }
        return true;
    }

    /** The last sampled RSS of {@code w} in bytes, or -1 when it has not been sampled yet or was unreadable. */
    long of(K w) {
        Long v = latest.get(w);
        return v == null ? -1 : v;
    }
}
