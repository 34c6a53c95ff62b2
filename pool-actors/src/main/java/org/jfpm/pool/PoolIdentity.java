package org.jfpm.pool;

import java.util.Objects;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PoolHeaderSnapshot;

/**
 * What a pool is, as the status server, {@code /api/pools}, {@code /metrics} and the dashboard name
 * it: routing ({@code /status/{pool}}) and the {@code pool} label use {@link #name()}.
 *
 * <p>Trust: the master builds it from its own memory ({@link #of(Generation)}: the configuration and
 * the start time it stamped), never from the scoreboard file, which every worker can overwrite; so a
 * worker cannot rename, hide or impersonate its pool. Only the {@code status} CLI, which has nothing
 * else, takes it from a file's header ({@link #fromFile}), with the name it opened the file by.
 *
 * @param name        the configured pool name
 * @param pmMode      the configured process manager ({@code null} only when read from a garbled file)
 * @param accounting  the configured accounting ({@code null} only when read from a garbled file)
 * @param maxChildren the configured pm.max-children
 * @param startTimeUs when the pool's current generation started, µs since the epoch
 */
public record PoolIdentity(String name, PmMode pmMode, Accounting accounting, int maxChildren, long startTimeUs) {

    public PoolIdentity {
        Objects.requireNonNull(name, "name");
    }

    /** The master's own idea of generation {@code g}'s pool (configuration and the scoreboard's start time, in memory). */
    public static PoolIdentity of(Generation g) {
        PoolConfig c = g.config();
        return new PoolIdentity(c.name(), c.pm().mode(), c.accounting(), c.pm().maxChildren(), g.scoreboard().startTimeUs());
    }

    /** From a file's header, untrusted, with the name the file was found by (null: the header's own). */
    public static PoolIdentity fromFile(PoolHeaderSnapshot h, String nameOrNull) {
        return new PoolIdentity(nameOrNull != null ? nameOrNull : h.poolName(), h.pmMode(), h.accounting(), h.maxChildren(),
                h.startTimeUs());
    }
}
