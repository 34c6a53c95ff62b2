package org.jfpm.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A pool's protection against crashing workers, as pure state on the {@link System#nanoTime()} clock:
 * <ul>
 *   <li>the respawn backoff ({@link SpawnBackoff}): quick exits in a row delay respawns;</li>
 *   <li>PHP-FPM's {@code emergency_restart_threshold/interval}: that many <em>abnormal</em> worker
 *       deaths (killed by a signal the master did not send) within the interval ask for a restart of
 *       the pool as a new generation. {@code threshold = 0} turns it off.</li>
 * </ul>
 */
final class CrashBrake {

    private final int threshold;
    private final long intervalNanos;
    private final Deque<Long> abnormalDeaths = new ArrayDeque<>();
    private SpawnBackoff backoff = SpawnBackoff.none();

    CrashBrake(int threshold, Duration interval) {
        this.threshold = threshold;
        this.intervalNanos = interval.toNanos();
    }

    SpawnBackoff backoff() {
        return backoff;
    }

    boolean allowsSpawnAt(long nowNanos) {
        return backoff.allowsSpawnAt(nowNanos);
    }

    void spawnFailed(long nowNanos) {
        backoff = backoff.afterExit(0, nowNanos);
    }

    /**
     * A worker exited on its own (the master had not asked it to).
     *
     * @param abnormal killed by a signal (PHP-FPM counts SIGSEGV and SIGBUS; we count any signal we did not send)
     * @return true when this death reaches the emergency-restart threshold: the caller restarts the
     *         pool, and the count starts again
     */
    boolean workerDied(long lifetimeNanos, boolean abnormal, long nowNanos) {
        backoff = backoff.afterExit(lifetimeNanos, nowNanos);
        if (!abnormal || threshold <= 0) {
            return false;
        }
        abnormalDeaths.addLast(nowNanos);
        while (!abnormalDeaths.isEmpty() && nowNanos - abnormalDeaths.peekFirst() > intervalNanos) {
            abnormalDeaths.removeFirst();
        }
        if (abnormalDeaths.size() >= threshold) {
            abnormalDeaths.clear();
            return true;
        }
        return false;
    }
}
