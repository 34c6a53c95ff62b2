package org.jfpm.pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Reaper;
import org.jfpm.os.Spawner;

/**
 * What every PoolActor shares, owned by the supervisor: the OS services (one spawner thread, one
 * reaper thread, one readiness thread for all pools) and the global settings.
 *
 * @param processControlTimeout graceful stop: how long a worker may take after its stop-signal before SIGKILL
 * @param preloadLibrary        the extracted accept-hook library, or null when no pool uses preload
 * @param launcher              the extracted {@code jfpm-launch} (death signal for workers), or null for none
 * @param supervisorEnv         the supervisor's environment, inherited by workers unless clear-env
 * @param spawner               posix_spawn binding
 * @param spawnExecutor         the single thread that calls {@code spawner} (posix_spawnp blocks until exec);
 *                              it must never exit while workers live (their death signal follows it), see
 *                              {@link org.jfpm.os.SpawnThread}
 * @param reaper                pidfd-based reaper
 * @param readiness             poll(2)-based readiness watcher for listening sockets
 */
public record PoolRuntime(
        Duration processControlTimeout,
        Path preloadLibrary,
        Path launcher,
        Map<String, String> supervisorEnv,
        Spawner spawner,
        Executor spawnExecutor,
        Reaper reaper,
        ReadinessWatcher readiness) {

    public PoolRuntime {
        supervisorEnv = Map.copyOf(supervisorEnv);
    }
}
