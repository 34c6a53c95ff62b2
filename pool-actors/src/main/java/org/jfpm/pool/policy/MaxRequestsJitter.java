package org.jfpm.pool.policy;

/**
 * When a worker is retired under {@code pm.max-requests}: at {@code maxRequests + jitter}, where the
 * jitter is a fixed function of the pid in {@code [0, maxRequests / 10]}. Workers of one pool so
 * reach their limits at different request counts and do not all recycle in the same second
 * (PHP-FPM bug #68824), while any given pid always gets the same limit (deterministic tests).
 */
public final class MaxRequestsJitter {

    private MaxRequestsJitter() {
    }

    /**
     * The request count at which the worker {@code pid} is retired, or {@link Long#MAX_VALUE}
     * (never) when {@code maxRequests <= 0}.
     */
    public static long limitFor(long pid, long maxRequests) {
        if (maxRequests <= 0) {
            return Long.MAX_VALUE;
        }
        long span = maxRequests / 10;
        if (span == 0 || maxRequests > Long.MAX_VALUE - span) {
            return maxRequests;
        }
        return maxRequests + Math.floorMod(mix(pid), span + 1);
    }

    /** SplitMix64's finaliser: consecutive pids land far apart. */
    private static long mix(long pid) {
        long z = pid * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
