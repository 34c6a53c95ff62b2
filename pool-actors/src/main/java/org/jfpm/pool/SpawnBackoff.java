package org.jfpm.pool;

/**
 * Crash-loop brake: a worker that dies (or fails to spawn) within {@link #QUICK_EXIT_NANOS} of its
 * start counts as a crash; after {@link #FREE_CRASHES} crashes in a row, respawns wait
 * 100 ms × 2^(n − FREE_CRASHES − 1), capped at 10 s. Any worker that lives longer resets it.
 * PHP-FPM respawns at once, forever; a worker that crashes at start then burns a core.
 * Immutable; all times on the {@link System#nanoTime()} clock.
 */
public record SpawnBackoff(int crashes, long notBeforeNanos) {

    public static final long QUICK_EXIT_NANOS = 1_000_000_000L;
    public static final int FREE_CRASHES = 2;
    static final long BASE_DELAY_NANOS = 100_000_000L;
    static final long MAX_DELAY_NANOS = 10_000_000_000L;

    public static SpawnBackoff none() {
        return new SpawnBackoff(0, 0);
    }

    /** After a worker exit (or a failed spawn: lifetime 0) not caused by the process manager. */
    public SpawnBackoff afterExit(long lifetimeNanos, long nowNanos) {
        if (lifetimeNanos >= QUICK_EXIT_NANOS) {
            return none();
        }
        int n = crashes + 1;
        if (n <= FREE_CRASHES) {
            return new SpawnBackoff(n, notBeforeNanos);
        }
        int exp = Math.min(n - FREE_CRASHES - 1, 20);
        long delay = Math.min(BASE_DELAY_NANOS << exp, MAX_DELAY_NANOS);
        return new SpawnBackoff(n, nowNanos + delay);
    }

    public boolean allowsSpawnAt(long nowNanos) {
        return crashes <= FREE_CRASHES || nowNanos - notBeforeNanos >= 0;
    }

    public long delayNanos(long nowNanos) {
        return Math.max(0, notBeforeNanos - nowNanos);
    }
}
