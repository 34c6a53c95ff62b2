package org.jfpm.supervisor;

import java.nio.file.Path;
import org.jfpm.os.AppendFile;
import org.jfpm.os.ListenSocket;
import org.jfpm.pool.Generation;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.scoreboard.Scoreboard;

/**
 * Makes a pool generation: a lease on its listening socket (and on its access log file, if any) and a
 * scoreboard file of its own (at the pool's path, replacing the previous generation's, which stays
 * mapped until that one is drained). All or nothing: a failure gives the leases back and leaves nothing
 * behind.
 */
final class GenerationFactory {

    private final Path scoreboardDir;
    private final PoolRuntime runtime;
    private final Listeners listeners;
    private final AccessLogs accessLogs;

    GenerationFactory(Path scoreboardDir, PoolRuntime runtime, Listeners listeners, AccessLogs accessLogs) {
        this.scoreboardDir = scoreboardDir;
        this.runtime = runtime;
        this.listeners = listeners;
        this.accessLogs = accessLogs;
    }

    /** With access log files closed on the runtime's spawn thread. */
    GenerationFactory(Path scoreboardDir, PoolRuntime runtime, Listeners listeners) {
        this(scoreboardDir, runtime, listeners, new AccessLogs(runtime.spawnExecutor()));
    }

    AccessLogs accessLogs() {
        return accessLogs;
    }

    /**
     * @throws ListenUnavailable when the pool's address cannot be bound
     * @throws FileUnavailable when its access log cannot be opened
     */
    Generation create(PoolConfig pool, long number) {
        ListenSocket socket = listeners.acquire(pool);
        AppendFile accessLog = null;
        Scoreboard sb = null;
        try {
            accessLog = accessLogs.acquire(pool);
            sb = Scoreboard.create(scoreboardDir, pool.name(), pool.pm().mode(), pool.accounting(),
                    pool.pm().maxChildren(), pool.scoreboardSlots());
            return Generation.of(number, pool, socket, sb, runtime, accessLog);
        } catch (RuntimeException e) {
            if (sb != null) {
                sb.delete();
            }
            accessLogs.release(accessLog);
            listeners.release(socket);
            throw e;
        }
    }
}
