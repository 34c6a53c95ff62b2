package org.jfpm.supervisor.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jfpm.os.ListenAddress;
import org.jfpm.pool.PoolConfig;

/**
 * The whole validated configuration (HOCON root {@code jfpm}); built only by {@link ConfigLoader}.
 *
 * @param scoreboardDir             where pool scoreboard files live (an existing directory)
 * @param pidFile                   where to write the supervisor's pid, or {@code null} for none
 * @param processControlTimeout     graceful stop/reload window before SIGKILL
 * @param emergencyRestartThreshold abnormal worker exits within {@code emergencyRestartInterval} that
 *                                  trigger a restart of the pool (0 = off)
 * @param emergencyRestartInterval  the window of the emergency restart count
 * @param logLevel                  the log level as configured, lower case (see {@link LogLevelName})
 * @param log                       where the master's log goes, and its line limit
 * @param statusListen              the status HTTP server's TCP address; empty when off
 * @param pools                     at least one pool, in file order
 * @param source                    where the configuration came from, for messages: the file path or
 *                                  {@value ConfigLoader#EMBEDDED}
 * @param fastCgiStatus             every pool's status over FastCGI ({@code status-listen} ...), in
 *                                  the pools' order
 */
public record SupervisorConfig(
        Path scoreboardDir,
        Path pidFile,
        Duration processControlTimeout,
        int emergencyRestartThreshold,
        Duration emergencyRestartInterval,
        String logLevel,
        MasterLog log,
        Optional<ListenAddress.Tcp> statusListen,
        List<PoolConfig> pools,
        String source,
        List<FastCgiStatus> fastCgiStatus) {

    public SupervisorConfig {
        pools = List.copyOf(pools);
        fastCgiStatus = List.copyOf(fastCgiStatus);
    }

    /** The pools whose status-listen is set. */
    public List<FastCgiStatus> statusListens() {
        return fastCgiStatus.stream().filter(s -> s.listen().isPresent()).toList();
    }

    /** The pool with this name, if any. */
    public Optional<PoolConfig> pool(String name) {
        return pools.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
