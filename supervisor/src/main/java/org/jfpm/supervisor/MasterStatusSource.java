package org.jfpm.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jfpm.pool.LiveStatus;
import org.jfpm.pool.PoolStatus;
import org.jfpm.supervisor.status.FastCgiStatusServer;
import org.jfpm.supervisor.status.StatusSource;

/**
 * Live pool statuses for the status server, read on the caller's thread: the master's {@link
 * PoolDirectory} names the live pools and each pool's {@link LiveStatus} reads its scoreboard as
 * the pool actor would, so an answer waits for neither the master's nor the pool's thread. (It used
 * to ask the master, then every pool: four thread hand-offs per request, which on the loaded 2-core
 * machine cost more than the rest of the answer.) The stage is always complete when returned.
 */
final class MasterStatusSource implements StatusSource, FastCgiStatusServer.PoolLookup {

    private final PoolDirectory directory;

    MasterStatusSource(PoolDirectory directory) {
        this.directory = directory;
    }

    @Override
    public CompletionStage<List<PoolStatus>> pools() {
        try {
            List<LiveStatus> live = directory.pools();
            List<PoolStatus> statuses = new ArrayList<>(live.size());
            for (LiveStatus l : live) {
                statuses.add(l.read());
            }
            return CompletableFuture.completedFuture(statuses);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The configured pool of that name (or, after a reload removed it, the draining one), read now. */
    @Override
    public Optional<PoolStatus> read(String pool) {
        for (LiveStatus l : directory.pools()) {
            if (l.pool().equals(pool)) {
                return Optional.of(l.read());
            }
        }
        return Optional.empty();
    }
}
