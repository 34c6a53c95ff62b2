package org.jfpm.supervisor;

import java.util.List;
import org.jfpm.pool.LiveStatus;

/**
 * The master's live pools as the status server reads them, without asking the master: the configured
 * pools in configuration order, then pools removed by a reload that still drain (the order of
 * {@link Master.GetPools}). The master publishes a new list after every message it handles; readers
 * on any thread get the latest one.
 */
final class PoolDirectory {

    private volatile List<LiveStatus> pools = List.of();

    List<LiveStatus> pools() {
        return pools;
    }

    void publish(List<LiveStatus> next) {
        pools = List.copyOf(next);
    }
}
