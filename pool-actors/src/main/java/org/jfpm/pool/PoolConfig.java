package org.jfpm.pool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jfpm.os.ListenAddress;
import org.jfpm.scoreboard.Accounting;

/**
 * One pool's validated configuration (HOCON {@code jfpm.pools.<name>}). Built only by the
 * supervisor's config loader, which has checked every field; instances are immutable.
 *
 * @param name                    pool name ({@code [A-Za-z0-9_.-]}, at most 63 bytes)
 * @param command                 the worker's argv; {@code command.get(0)} is resolved on PATH
 * @param listen                  the listening address
 * @param listenBacklog           listen(2) backlog
 * @param listenMode              unix sockets: file mode (e.g. 0660)
 * @param listenOwner             unix sockets: owner user name or "" to keep
 * @param listenGroup             unix sockets: group name or "" to keep
 * @param user                    run workers as this user ("" = as the supervisor)
 * @param group                   run workers with this group ("" = the user's)
 * @param chdir                   the workers' working directory (null = the supervisor's)
 * @param clearEnv                start workers with an empty environment (plus {@code env} and jfpm's own)
 * @param env                     extra environment for workers
 * @param accounting              who writes the scoreboard slots
 * @param stopSignal              the worker's graceful-stop signal number (php-cgi: SIGTERM = 15)
 * @param catchWorkersOutput      capture worker stdout/stderr and log it with pool and pid
 * @param rlimitFiles             RLIMIT_NOFILE for workers (0 = inherit)
 * @param rlimitCore              RLIMIT_CORE for workers (0 = inherit)
 * @param requestTerminateTimeout kill a worker whose request runs longer (ZERO = off)
 * @param requestSlowlogTimeout   log a request running longer (ZERO = off)
 * @param pm                      the process manager settings
 * @param spawnMode               exec, fork or auto
 * @param logs                    the access log and slowlog files
 */
public record PoolConfig(
        String name,
        List<String> command,
        ListenAddress listen,
        int listenBacklog,
        int listenMode,
        String listenOwner,
        String listenGroup,
        String user,
        String group,
        Path chdir,
        boolean clearEnv,
        Map<String, String> env,
        Accounting accounting,
        int stopSignal,
        boolean catchWorkersOutput,
        long rlimitFiles,
        long rlimitCore,
        Duration requestTerminateTimeout,
        Duration requestSlowlogTimeout,
        PmConfig pm,
        SpawnMode spawnMode,
        PoolLogs logs) {

    public PoolConfig {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        spawnMode = spawnMode == null ? SpawnMode.EXEC : spawnMode;
        logs = logs == null ? PoolLogs.NONE : logs;
    }

    /** A pool without log files of its own. */
    public PoolConfig(String name, List<String> command, ListenAddress listen, int listenBacklog, int listenMode,
                      String listenOwner, String listenGroup, String user, String group, Path chdir, boolean clearEnv,
                      Map<String, String> env, Accounting accounting, int stopSignal, boolean catchWorkersOutput,
                      long rlimitFiles, long rlimitCore, Duration requestTerminateTimeout,
                      Duration requestSlowlogTimeout, PmConfig pm, SpawnMode spawnMode) {
        this(name, command, listen, listenBacklog, listenMode, listenOwner, listenGroup, user, group, chdir, clearEnv,
                env, accounting, stopSignal, catchWorkersOutput, rlimitFiles, rlimitCore, requestTerminateTimeout,
                requestSlowlogTimeout, pm, spawnMode, PoolLogs.NONE);
    }

    /** A pool that execs its workers ({@code spawn-mode = exec}). */
    public PoolConfig(String name, List<String> command, ListenAddress listen, int listenBacklog, int listenMode,
                      String listenOwner, String listenGroup, String user, String group, Path chdir, boolean clearEnv,
                      Map<String, String> env, Accounting accounting, int stopSignal, boolean catchWorkersOutput,
                      long rlimitFiles, long rlimitCore, Duration requestTerminateTimeout,
                      Duration requestSlowlogTimeout, PmConfig pm) {
        this(name, command, listen, listenBacklog, listenMode, listenOwner, listenGroup, user, group, chdir, clearEnv,
                env, accounting, stopSignal, catchWorkersOutput, rlimitFiles, rlimitCore, requestTerminateTimeout,
                requestSlowlogTimeout, pm, SpawnMode.EXEC, PoolLogs.NONE);
    }

    /** The same pool with other log settings. */
    public PoolConfig withLogs(PoolLogs newLogs) {
        return new PoolConfig(name, command, listen, listenBacklog, listenMode, listenOwner, listenGroup, user, group,
                chdir, clearEnv, env, accounting, stopSignal, catchWorkersOutput, rlimitFiles, rlimitCore,
                requestTerminateTimeout, requestSlowlogTimeout, pm, spawnMode, newLogs);
    }

    /** Whether a new generation should start a template: the mode allows it and so does accounting. */
    public boolean wantsTemplate() {
        return spawnMode.whyExec(accounting).isEmpty();
    }

    /** Slots in the pool's scoreboard: room for a full second generation during a reload. */
    public int scoreboardSlots() {
        return pm.maxChildren() * 2;
    }
}
