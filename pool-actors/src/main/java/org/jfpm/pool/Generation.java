package org.jfpm.pool;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jfpm.os.AppendFile;
import org.jfpm.os.ListenSocket;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;

/**
 * One generation of a pool: what its workers are started from. A reload that changes a pool starts
 * a new generation beside the old one; the old one drains and goes.
 *
 * <p>Ownership: the {@code listener} is a lease from the pool's owner (several generations, even of
 * different pools, may share one socket); the generation never closes it and hands it back with
 * {@link PoolActor.ListenerReleased} once none of its spawns can use it any more. The
 * {@code scoreboard} belongs to the generation: each generation has a file of its own, created at the
 * pool's path (the draining generation's file is then unlinked but stays mapped until it is gone).
 *
 * @param number       1 for the pool's first generation, +1 for each reload or restart
 * @param config       the pool's configuration in this generation
 * @param listener     the listening socket its workers get as fd 0 (leased, not owned)
 * @param scoreboard   its scoreboard (owned)
 * @param reader       a reader over the scoreboard's mapping (usable after the scoreboard is closed)
 * @param launchEnv    the workers' environment but for {@code JFPM_SLOT} (computed once)
 * @param launchPrefix programs run before the worker's argv (prlimit, setpriv; computed once: it may read /etc/passwd)
 * @param accessLog    the pool's access log, which every worker (and template) inherits, or null for none
 *                     (leased like the listener: the owner closes it when no generation uses it any more)
 */
public record Generation(long number, PoolConfig config, ListenSocket listener, Scoreboard scoreboard,
                         ScoreboardReader reader, Map<String, String> launchEnv, List<String> launchPrefix,
                         AppendFile accessLog) {

    public Generation {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(scoreboard, "scoreboard");
        Objects.requireNonNull(reader, "reader");
        launchEnv = Map.copyOf(launchEnv);
        launchPrefix = List.copyOf(launchPrefix);
    }

    /** A generation without an access log. */
    public Generation(long number, PoolConfig config, ListenSocket listener, Scoreboard scoreboard,
                      ScoreboardReader reader, Map<String, String> launchEnv, List<String> launchPrefix) {
        this(number, config, listener, scoreboard, reader, launchEnv, launchPrefix, null);
    }

    /** {@link #of(long, PoolConfig, ListenSocket, Scoreboard, PoolRuntime, AppendFile)} without an access log. */
    public static Generation of(long number, PoolConfig config, ListenSocket listener, Scoreboard scoreboard,
                                PoolRuntime runtime) {
        return of(number, config, listener, scoreboard, runtime, null);
    }

    /**
     * Computes the launch environment and prefix for {@code config} and stamps the scoreboard with the
     * number. With {@code accessLog} (only for {@code accounting = preload}: the library writes the lines)
     * workers get it on fd {@value WorkerLaunch#WORKER_ACCESS_LOG_FD}.
     */
    public static Generation of(long number, PoolConfig config, ListenSocket listener, Scoreboard scoreboard,
                                PoolRuntime runtime, AppendFile accessLog) {
        Path preload = runtime.preloadLibrary();
        Map<String, String> env = WorkerLaunch.environment(config, scoreboard.path(), preload, runtime.supervisorEnv());
        AppendFile log = config.accounting() == org.jfpm.scoreboard.Accounting.PRELOAD ? accessLog : null;
        if (log != null) {
            env = WorkerLaunch.withAccessLog(env, config.logs(), WorkerLaunch.WORKER_ACCESS_LOG_FD);
        }
        List<String> prefix;
        if (runtime.launcher() != null) {
            prefix = WorkerLaunch.prefix(config, runtime.launcher(), org.jfpm.os.ProcFs.selfPid(),
                    env.get(org.jfpm.scoreboard.PreloadLibrary.LD_PRELOAD));
            env = WorkerLaunch.withoutPreload(env);
        } else {
            prefix = WorkerLaunch.prefix(config, null, org.jfpm.os.ProcFs.selfPid());
        }
        scoreboard.setGeneration(number);
        return new Generation(number, config, listener, scoreboard, scoreboard.reader(), env, prefix, log);
    }

    public String pool() {
        return config.name();
    }

    /** The fds a worker inherits as 3, 4, ...: the scoreboard (unless accounting = none), then the access log. */
    List<Integer> workerFds() {
        if (config.accounting() == org.jfpm.scoreboard.Accounting.NONE) {
            return List.of();
        }
        return accessLog == null ? List.of(scoreboard.fd()) : List.of(scoreboard.fd(), accessLog.fd());
    }
}
