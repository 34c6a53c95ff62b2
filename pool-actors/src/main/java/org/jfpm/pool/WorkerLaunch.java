package org.jfpm.pool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.Launcher;
import org.jfpm.scoreboard.PreloadLibrary;
import org.jfpm.scoreboard.SlotWriter;

/**
 * Builds a worker's argv prefix and environment from its pool's configuration: the worker contract
 * of {@code ARCHITECTURE.md}. Pure; the PoolActor turns the result into a spawn.
 *
 * <p>Environment: the supervisor's own (unless {@code clear-env}), then the pool's {@code env}, then
 * jfpm's: {@code JFPM_POOL}, {@code JFPM_SCOREBOARD}, {@code JFPM_SLOT}, {@code JFPM_SCOREBOARD_FD=3}
 * unless {@code accounting = none} (the spawn puts the scoreboard's memfd there), {@code LD_PRELOAD} with
 * {@code accounting = preload}, {@code PHP_FCGI_MAX_REQUESTS=0} (php-cgi's own default of 500 would
 * make every worker exit; jfpm recycles with {@code pm.max-requests}) unless the pool sets it, and
 * never {@code PHP_FCGI_CHILDREN} (php-cgi would fork its own children behind our back), nor the
 * service manager's variables meant for jfpm alone ({@link #SERVICE_MANAGER_ENV}: a worker must not
 * notify systemd as jfpm, nor take the sockets systemd passed to jfpm for its own).
 */
public final class WorkerLaunch {

    /** systemd's {@code NOTIFY_SOCKET}, {@code WATCHDOG_*} and {@code LISTEN_*}: never in a worker's environment. */
    public static final java.util.Set<String> SERVICE_MANAGER_ENV;

    static {
        java.util.Set<String> names = new java.util.TreeSet<>(org.jfpm.os.SdNotify.ENVIRONMENT);
        names.addAll(org.jfpm.os.SystemdSockets.ENVIRONMENT);
        SERVICE_MANAGER_ENV = java.util.Collections.unmodifiableSet(names);
    }

    /** The access log's fd number in the worker (after the scoreboard's 3); the library moves it away at load. */
    public static final String ACCESS_LOG_FD_ENV = "JFPM_ACCESS_LOG_FD";
    public static final String ACCESS_FORMAT_ENV = "JFPM_ACCESS_FORMAT";
    public static final String ACCESS_LOG_LIMIT_ENV = "JFPM_ACCESS_LOG_LIMIT";
    public static final String WORKER_ACCESS_LOG_FD = "4";
    /** In a template the control socket is fd 4, so the access log is fd 5; forked workers inherit it from there. */
    public static final String TEMPLATE_ACCESS_LOG_FD = "5";

    private WorkerLaunch() {
    }

    /**
     * {@code environment} plus the access log's variables for the preload library: which inherited fd
     * it is, the format ({@code access-format}) and the longest line ({@code log-limit}).
     */
    public static Map<String, String> withAccessLog(Map<String, String> environment, PoolLogs logs, String fd) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(ACCESS_LOG_FD_ENV, fd);
        env.put(ACCESS_FORMAT_ENV, logs.accessFormat());
        env.put(ACCESS_LOG_LIMIT_ENV, Integer.toString(logs.logLimit()));
        return env;
    }

    /** The pool's worker environment, the same for every worker but for {@code JFPM_SLOT} (see {@link #forSlot}). */
    public static Map<String, String> environment(PoolConfig pool, Path scoreboard, Path preloadLibrary,
                                                  Map<String, String> supervisorEnv) {
        Map<String, String> env = new LinkedHashMap<>();
        if (!pool.clearEnv()) {
            env.putAll(supervisorEnv);
            env.remove("LD_PRELOAD");
        } else if (supervisorEnv.containsKey("PATH")) {
            env.put("PATH", supervisorEnv.get("PATH"));
        }
        env.putAll(pool.env());
        env.keySet().removeAll(SERVICE_MANAGER_ENV);
        env.remove("PHP_FCGI_CHILDREN");
        env.putIfAbsent("PHP_FCGI_MAX_REQUESTS", "0");
        env.put("JFPM_POOL", pool.name());
        env.put("JFPM_SCOREBOARD", scoreboard.toString());
        if (pool.accounting() != Accounting.NONE) {
            env.put(SlotWriter.ENV_SCOREBOARD_FD, SlotWriter.SCOREBOARD_FD);
        }
        if (pool.accounting() == Accounting.PRELOAD && preloadLibrary != null) {
            env.put(PreloadLibrary.LD_PRELOAD, PreloadLibrary.ldPreload(preloadLibrary, pool.env().get("LD_PRELOAD")));
        }
        return env;
    }

    /**
     * {@code environment} without {@code LD_PRELOAD}, for a launch through the launcher, which sets it
     * for the worker alone: the helpers before it (prlimit, setpriv) must not load the accounting
     * library, which would take the scoreboard's fd 3 meant for the worker.
     */
    public static Map<String, String> withoutPreload(Map<String, String> environment) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.remove(PreloadLibrary.LD_PRELOAD);
        return env;
    }

    /** One worker's environment: the pool's, plus the slot it was spawned into. */
    public static Map<String, String> forSlot(Map<String, String> poolEnvironment, int slot) {
        Map<String, String> env = new LinkedHashMap<>(poolEnvironment);
        env.put("JFPM_SLOT", Integer.toString(slot));
        return env;
    }

    /**
     * The programs run before the worker's own argv: {@code prlimit} for rlimits, then
     * {@code setpriv} to drop privileges, then {@code jfpm-launch MASTER_PID} (see {@link Launcher}),
     * which arms {@code PR_SET_PDEATHSIG = SIGKILL} and checks the master is still its parent. Each
     * execs the next, so the pid stays the worker's. The launcher must be last: the kernel clears the
     * death signal when setpriv changes the euid/egid.
     *
     * @param launcher  the extracted {@code jfpm-launch}, or null for no death signal (tests only)
     * @param masterPid the pid the worker's parent must have: the supervisor's own
     */
    public static List<String> prefix(PoolConfig pool, Path launcher, long masterPid) {
        return prefix(pool, launcher, masterPid, null);
    }

    /**
     * As {@link #prefix(PoolConfig, Path, long)}, with the launcher setting {@code LD_PRELOAD} to
     * {@code ldPreload} for the worker alone (see {@link #withoutPreload}).
     */
    public static List<String> prefix(PoolConfig pool, Path launcher, long masterPid, String ldPreload) {
        List<String> prefix = new ArrayList<>();
        if (pool.rlimitFiles() > 0 || pool.rlimitCore() > 0) {
            prefix.add("prlimit");
            if (pool.rlimitFiles() > 0) {
                prefix.add("--nofile=" + pool.rlimitFiles() + ":" + pool.rlimitFiles());
            }
            if (pool.rlimitCore() > 0) {
                prefix.add("--core=" + pool.rlimitCore() + ":" + pool.rlimitCore());
            }
            prefix.add("--");
        }
        if (!pool.user().isEmpty()) {
            prefix.add("setpriv");
            prefix.add("--reuid=" + pool.user());
            if (pool.group().isEmpty()) {
                prefix.add("--regid=" + primaryGroupOf(pool.user()));
                prefix.add("--init-groups");
            } else {
                prefix.add("--regid=" + pool.group());
                prefix.add("--clear-groups");
            }
            prefix.add("--");
        }
        if (launcher != null) {
            prefix.addAll(Launcher.prefix(launcher, masterPid, ldPreload));
        }
        return prefix;
    }

    /** The primary gid of a user from /etc/passwd, or the name itself when it cannot be found (setpriv then says why). */
    static String primaryGroupOf(String user) {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length > 3 && (f[0].equals(user) || f[2].equals(user))) {
                    return f[3];
                }
            }
        } catch (java.io.IOException e) {
            return user;
        }
        return user;
    }
}
