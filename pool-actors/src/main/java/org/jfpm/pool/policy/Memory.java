package org.jfpm.pool.policy;

import java.util.Map;
import java.util.Set;

/**
 * What every policy remembers between decisions, beyond its own rules' state: the requests it made
 * that the PoolActor's views do not show yet. A tick or a readiness event may reach the policy with
 * a view taken before the PoolActor handled the policy's last Spawn or Bury; without this memory the
 * policy would ask twice for the same thing.
 *
 * <p>A Spawn counts as acknowledged as soon as a view differs in what spawning changes (a different
 * {@code spawnsPending}, or a pid that was not there); a Bury as soon as the view shows the worker
 * retiring or gone. Anything not acknowledged within {@link #ACK_WINDOW_NANOS} is presumed lost and
 * the rules may ask again.
 *
 * @param begun           a first view has been seen
 * @param quietSinceNanos the last time connections were seen waiting (or the first view's time)
 * @param spawnsInFlight  spawns asked for and not yet seen in a view
 * @param pendingAtAsk    the view's {@code spawnsPending} when they were asked for
 * @param pidsAtAsk       the view's pids when they were asked for
 * @param askedAtNanos    when they were asked for
 * @param buriedAtNanos   pid → when a Bury was sent, for workers the views do not yet show retiring
 */
record Memory(
        boolean begun,
        long quietSinceNanos,
        int spawnsInFlight,
        int pendingAtAsk,
        Set<Long> pidsAtAsk,
        long askedAtNanos,
        Map<Long, Long> buriedAtNanos) {

    /** How long a request may go unseen in the views before it is presumed lost. */
    static final long ACK_WINDOW_NANOS = 1_000_000_000L;

    static final Memory INITIAL = new Memory(false, 0, 0, 0, Set.of(), 0, Map.of());

    Memory {
        pidsAtAsk = Set.copyOf(pidsAtAsk);
        buriedAtNanos = Map.copyOf(buriedAtNanos);
    }

    /** A memory that has seen a view at {@code nowNanos} and has nothing in flight. */
    static Memory begunAt(long nowNanos) {
        return new Memory(true, nowNanos, 0, 0, Set.of(), 0, Map.of());
    }

    /** The spawns asked for earlier that {@code view} (whose pids are {@code pids}) does not show yet. */
    int unacknowledgedSpawns(PoolView view, Set<Long> pids) {
        if (spawnsInFlight == 0
                || view.nowNanos() - askedAtNanos >= ACK_WINDOW_NANOS
                || view.spawnsPending() != pendingAtAsk
                || !pidsAtAsk.containsAll(pids)) {
            return 0;
        }
        return spawnsInFlight;
    }

    /** Whether a Bury for {@code pid} was sent recently and the view does not show it yet. */
    boolean buryInFlight(long pid, long nowNanos) {
        Long at = buriedAtNanos.get(pid);
        return at != null && nowNanos - at < ACK_WINDOW_NANOS;
    }
}
