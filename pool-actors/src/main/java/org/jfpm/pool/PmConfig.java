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
 */
public record PmConfig(
        PmMode mode,
        int maxChildren,
        int startServers,
        int minSpareServers,
        int maxSpareServers,
        int maxSpawnRate,
        Duration processIdleTimeout,
        long maxRequests) {
}
