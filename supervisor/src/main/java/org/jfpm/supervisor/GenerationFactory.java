package org.jfpm.supervisor;

import java.nio.file.Path;
import org.jfpm.os.ListenSocket;
import org.jfpm.pool.Generation;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.scoreboard.Scoreboard;

/**
 * Makes a pool generation: a lease on its listening socket and a scoreboard file of its own (at the
 * pool's path, replacing the previous generation's, which stays mapped until that one is drained).
 * All or nothing: a failure gives the lease back and leaves nothing behind.
 */
final class GenerationFactory {

    private final Path scoreboardDir;
    private final PoolRuntime runtime;
    private final Listeners listeners;

    GenerationFactory(Path scoreboardDir, PoolRuntime runtime, Listeners listeners) {
        this.scoreboardDir = scoreboardDir;
        this.runtime = runtime;
        this.listeners = listeners;
    }

    Generation create(PoolConfig pool, long number) {
        ListenSocket socket = listeners.acquire(pool);
        Scoreboard sb = null;
        try {
            sb = Scoreboard.create(scoreboardDir, pool.name(), pool.pm().mode(), pool.accounting(),
                    pool.pm().maxChildren(), pool.scoreboardSlots());
            return Generation.of(number, pool, socket, sb, runtime);
        } catch (RuntimeException e) {
            if (sb != null) {
                sb.delete();
            }
            listeners.release(socket);
            throw e;
        }
    }
}
