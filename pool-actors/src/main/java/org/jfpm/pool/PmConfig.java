package org.jfpm.pool;

import java.time.Duration;
import org.jfpm.scoreboard.PmMode;

/**
 * The process manager settings of a pool ({@code jfpm.pools.<name>.pm}), validated with
 * PHP-FPM's rules: for dynamic, {@code 1 <= minSpare <= startServers <= maxSpare <= maxChildren}.
 *
 * @param mode               static, dynamic or ondemand
 * @param maxChildren        the most workers alive at once (static: exactly this many)
 * @param startServers       dynamic: workers at start
 * @param minSpareServers    dynamic: spawn when fewer idle
 * @param maxSpareServers    dynamic: bury when more idle
 * @param maxSpawnRate       dynamic: cap of the doubling spawn rate per tick and of the fast path's burst
 * @param processIdleTimeout ondemand: bury workers idle longer than this
 * @param maxRequests        retire a worker after this many requests (0 = never)
 * @param shrink             dynamic: bury every idle worker above maxSpare per tick ({@link ShrinkMode#FAST})
 *                           or one ({@link ShrinkMode#GRADUAL}, PHP-FPM's rule)
 */
public record PmConfig(
        PmMode mode,
        int maxChildren,
        int startServers,
        int minSpareServers,
        int maxSpareServers,
        int maxSpawnRate,
        Duration processIdleTimeout,
        long maxRequests,
        ShrinkMode shrink) {

    public PmConfig {
        if (shrink == null) {
            throw new IllegalArgumentException("shrink must not be null");
        }
    }

    /** The settings with the default {@code pm.shrink = fast}. */
    public PmConfig(PmMode mode, int maxChildren, int startServers, int minSpareServers, int maxSpareServers,
                    int maxSpawnRate, Duration processIdleTimeout, long maxRequests) {
        this(mode, maxChildren, startServers, minSpareServers, maxSpareServers, maxSpawnRate, processIdleTimeout,
                maxRequests, ShrinkMode.FAST);
    }

    /** The same settings with another {@code pm.shrink}. */
    public PmConfig withShrink(ShrinkMode rule) {
        return new PmConfig(mode, maxChildren, startServers, minSpareServers, maxSpareServers, maxSpawnRate,
                processIdleTimeout, maxRequests, rule);
    }
}
