package org.jfpm.supervisor.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.SystemdSockets;
import org.jfpm.pool.AccessFormat;
import org.jfpm.pool.PmConfig;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolLogs;
import org.jfpm.pool.ShrinkMode;
import org.jfpm.pool.SpawnMode;
import org.jfpm.pool.WorkerLaunch;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;

/**
 * Reads and validates one pool ({@code jfpm.pools.<name>}, already merged with the pool defaults)
 * with PHP-FPM's rules ({@code fpm_conf.c}); every problem becomes a {@link ConfigError}.
 */
final class PoolReader {

    static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,63}");

    /** Keys of a pool. {@code command} and {@code listen} have no default. */
    static final Set<String> POOL_KEYS = Set.of(
            "command", "listen", "listen-backlog", "listen-mode", "listen-owner", "listen-group",
            "user", "group", "chdir", "clear-env", "env", "accounting", "stop-signal",
            "catch-workers-output", "rlimit-files", "rlimit-core",
            "request-terminate-timeout", "request-slowlog-timeout", "spawn-mode", "access-log", "access-format",
            "slowlog", "pm", "status-listen", "status-path", "ping-path", "ping-response");

    /** Keys of a pool's {@code pm}. {@code start-servers} has no default: it is computed as PHP-FPM does. */
    static final Set<String> PM_KEYS = Set.of(
            "mode", "max-children", "start-servers", "min-spare-servers", "max-spare-servers",
            "max-spawn-rate", "process-idle-timeout", "max-requests", "shrink");

    /** Variables jfpm sets for every worker; {@code env} may not override them. */
    static final Set<String> RESERVED_ENV = Set.of("JFPM_POOL", "JFPM_SCOREBOARD", "JFPM_SCOREBOARD_FD", "JFPM_SLOT",
            "JFPM_TEMPLATE_FD", "JFPM_ACCESS_LOG_FD", "JFPM_ACCESS_FORMAT", "JFPM_ACCESS_LOG_LIMIT");

    /** The largest pm.max-children: the scoreboard holds two slots of 2 KiB per child. */
    static final int MAX_CHILDREN = 65536;

    private static final Pattern OCTAL_MODE = Pattern.compile("[0-7]{1,5}");
    private static final Pattern ENV_NAME = Pattern.compile("[^=\\x00]+");
    private static final String COMMAND_EXPECTED =
            "a non-empty list of strings (the worker's argv), e.g. [\"/usr/bin/php-cgi\"]";

    private PoolReader() {
    }

    /** Rejects unknown keys in what the user wrote for a pool (or in {@code pool-defaults}). */
    static void rejectUnknownKeys(Fields userPool) {
        userPool.rejectUnknownKeys(POOL_KEYS);
        ConfigValue pm = userPool.value("pm");
        if (pm instanceof ConfigObject o) {
                new Fields(o, userPool.keyPath("pm"), userPool.errorsList()).rejectUnknownKeys(PM_KEYS);
        }
    }

    /** As {@link #read(String, ConfigObject, SystemdSockets, int, List)} with PHP-FPM's default log limit. */
    static PoolConfig read(String name, ConfigObject merged, SystemdSockets sockets, List<ConfigError> errors) {
        return read(name, merged, sockets, PoolLogs.DEFAULT_LOG_LIMIT, errors);
    }

    /**
     * The pool, or {@code null} when it has errors (all of them added to {@code errors}). A
     * {@code systemd:NAME} listen must name one of {@code sockets} (null: not checked).
     *
     * @param logLimit {@code jfpm.log-limit}: the access log's longest line
     */
    static PoolConfig read(String name, ConfigObject merged, SystemdSockets sockets, int logLimit,
                           List<ConfigError> errors) {
        int before = errors.size();
        Fields f = new Fields(merged, "jfpm.pools." + name, errors);

        List<String> command = command(f);
        ListenAddress listen = listen(f);
        if (listen instanceof ListenAddress.Systemd sd && sockets != null) {
            Optional<String> problem = sockets.problem(sd.name());
            if (problem.isPresent()) {
                f.error("listen", problem.get());
                listen = null;
            }
        }
        Long backlog = f.integer("listen-backlog", 1, Integer.MAX_VALUE);
        Integer mode = listenMode(f);
        String listenOwner = f.string("listen-owner");
        String listenGroup = f.string("listen-group");
        if (listenOwner != null && !listenOwner.isEmpty() && !SystemChecks.userExists(listenOwner)) {
            f.error("listen-owner", "an existing user name or uid");
        }
        if (listenGroup != null && !listenGroup.isEmpty() && !SystemChecks.groupExists(listenGroup)) {
            f.error("listen-group", "an existing group name or gid");
        }
        String user = f.string("user");
        String group = f.string("group");
        if (user != null && !user.isEmpty() && !SystemChecks.userExists(user)) {
            f.error("user", "an existing user name or uid");
        }
        if (group != null && !group.isEmpty() && !SystemChecks.groupExists(group)) {
            f.error("group", "an existing group name or gid");
        }
        if (group != null && !group.isEmpty() && user != null && user.isEmpty()) {
            f.error("group", "\"\" unless user is set (the group applies when dropping privileges)");
        }
        int beforeChdir = errors.size();
        Path chdir = chdir(f);
        if (command != null && errors.size() == beforeChdir
                && !SystemChecks.executableExists(command.get(0), chdir)) {
            errors.add(new ConfigError(f.keyPath("command"), Fields.render(f.value("command")),
                    "argv[0] to be an executable file (an absolute path, or a name found on PATH)"));
        }
        Boolean clearEnv = f.bool("clear-env");
        Map<String, String> env = env(f);
        Accounting accounting = accounting(f);
        Integer stopSignal = stopSignal(f);
        Boolean catchOutput = f.bool("catch-workers-output");
        Long rlimitFiles = f.integer("rlimit-files", 0, Long.MAX_VALUE);
        Long rlimitCore = rlimitCore(f);
        Duration terminate = f.duration("request-terminate-timeout");
        Duration slowlog = f.duration("request-slowlog-timeout");
        if (terminate != null && slowlog != null && !terminate.isZero() && slowlog.compareTo(terminate) > 0) {
            f.error("request-slowlog-timeout", "a duration <= request-terminate-timeout ("
                    + terminate.toString().substring(2).toLowerCase(Locale.ROOT) + ") when both are set");
        }
        PmConfig pm = pm(f);
        SpawnMode spawnMode = spawnMode(f);
        if (spawnMode == SpawnMode.FORK && accounting != null && accounting != Accounting.PRELOAD) {
            f.error("spawn-mode", "auto or exec with accounting = " + accounting.configName()
                    + " (fork needs accounting = preload: the preload library serves the template's forks)");
        }
        if (accounting == Accounting.NONE) {
            requireAccounting(f, "request-terminate-timeout", terminate != null && !terminate.isZero(), "0s");
            requireAccounting(f, "request-slowlog-timeout", slowlog != null && !slowlog.isZero(), "0s");
            Fields pmFields = f.value("pm") instanceof ConfigObject o ? new Fields(o, f.keyPath("pm"), errors) : null;
            if (pmFields != null) {
                requireAccounting(pmFields, "max-requests", pm != null && pm.maxRequests() > 0, "0");
            }
        }

        PoolLogs logs = logs(f, accounting, logLimit);

        if (errors.size() != before) {
            return null;
        }
        return new PoolConfig(name, command, listen, backlog.intValue(), mode, listenOwner, listenGroup,
                user, group, chdir, clearEnv, env, accounting, stopSignal, catchOutput,
                rlimitFiles, rlimitCore, terminate, slowlog, pm, spawnMode, logs);
    }

    /** {@code access-log}, {@code access-format} and {@code slowlog}; null when one is bad. */
    private static PoolLogs logs(Fields f, Accounting accounting, int logLimit) {
        String file = "\"\" (off) or an absolute file path in an existing directory";
        String accessText = f.string("access-log");
        Path access = null;
        boolean ok = accessText != null;
        if (accessText != null && !accessText.isEmpty()) {
            access = ConfigLoader.logFilePath(accessText);
            if (access == null) {
                f.error("access-log", file);
                ok = false;
            } else if (accounting != null && accounting != Accounting.PRELOAD) {
                f.error("access-log", "\"\" with accounting = " + accounting.configName()
                        + " (the preload library writes the lines: it needs accounting = preload)");
                ok = false;
            }
        }
        String format = f.string("access-format");
        if (format != null) {
            Optional<String> problem = AccessFormat.problem(format);
            if (problem.isPresent()) {
                f.error("access-format", problem.get());
                ok = false;
            }
        } else {
            ok = false;
        }
        String slowText = f.string("slowlog");
        Path slow = null;
        if (slowText == null) {
            ok = false;
        } else if (!slowText.isEmpty()) {
            slow = ConfigLoader.logFilePath(slowText);
            if (slow == null) {
                f.error("slowlog", file);
                ok = false;
            }
        }
        // the limit matters to workers only with an access log; without one a changed log-limit changes no pool
        return ok ? new PoolLogs(access, format, slow, access == null ? PoolLogs.DEFAULT_LOG_LIMIT : logLimit) : null;
    }

    /** PHP-FPM's rule for {@code pm.status_path} and {@code ping.path}: {@code /} then {@code [alnum]/_-.~}. */
    private static final Pattern STATUS_PATH = Pattern.compile("/[A-Za-z0-9/_.~-]*");

    /**
     * The pool's status over FastCGI ({@code status-listen}, {@code status-path}, {@code ping-path},
     * {@code ping-response}), validated with PHP-FPM's rules ({@code fpm_conf.c}); the listen ACLs and
     * backlog are the pool's own, as PHP-FPM's status pool copies them. {@code null} when a key is bad
     * (errors added). Call after {@link #read} (it reuses the pool's validated listen keys).
     */
    static FastCgiStatus fastCgiStatus(String name, ConfigObject merged, List<ConfigError> errors) {
        int before = errors.size();
        Fields f = new Fields(merged, "jfpm.pools." + name, errors);
        Optional<ListenAddress> listen = Optional.empty();
        String listenText = f.string("status-listen");
        if (listenText != null && !listenText.isBlank()) {
            try {
                listen = Optional.of(ListenAddress.parse(listenText));
            } catch (IllegalArgumentException e) {
                f.error("status-listen", "\"\" (off) or " + stripExpected(e.getMessage()));
            }
        }
        String statusPath = path(f, "status-path", 1);
        String pingPath = path(f, "ping-path", 2);
        String pingResponse = f.string("ping-response");
        if (pingResponse != null && pingResponse.isEmpty()) {
            f.error("ping-response", "a non-empty string (the ping's body, e.g. \"pong\")");
        }
        if (statusPath != null && pingPath != null && !statusPath.isEmpty() && statusPath.equals(pingPath)) {
            f.error("ping-path", "a path other than status-path (" + statusPath + ")");
        }
        Long backlog = f.integer("listen-backlog", 1, Integer.MAX_VALUE);
        String owner = f.string("listen-owner");
        String group = f.string("listen-group");
        ConfigValue modeValue = f.value("listen-mode");
        String modeText = modeValue == null ? "" : String.valueOf(modeValue.unwrapped()).trim();
        if (errors.size() != before || !OCTAL_MODE.matcher(modeText).matches()) {
            return null;
        }
        return new FastCgiStatus(name, listen, statusPath, pingPath, pingResponse, backlog.intValue(),
                Integer.parseInt(modeText, 8), owner, group);
    }

    /** {@code ""} (none), or PHP-FPM's path syntax with at least {@code minLength} characters. */
    private static String path(Fields f, String key, int minLength) {
        String text = f.string(key);
        if (text == null) {
            return null;
        }
        if (!text.isEmpty() && (text.length() < minLength || !STATUS_PATH.matcher(text).matches())) {
            f.error(key, "\"\" (none) or a path starting with / of the characters A-Z a-z 0-9 / _ - . ~"
                    + (minLength > 1 ? ", at least " + minLength + " characters" : "") + ", e.g. \"/"
                    + (key.startsWith("ping") ? "ping" : "status") + "\"");
            return null;
        }
        return text;
    }

    private static SpawnMode spawnMode(Fields f) {
        ConfigValue v = f.value("spawn-mode");
        Optional<SpawnMode> m = v == null || !(v.unwrapped() instanceof String text) ? Optional.empty() : SpawnMode.parse(text);
        if (m.isEmpty()) {
            f.error("spawn-mode", "one of auto, exec, fork");
            return null;
        }
        return m.get();
    }

    /** Request times and counts come from the scoreboard: without accounting these settings could do nothing. */
    private static void requireAccounting(Fields f, String key, boolean set, String off) {
        if (set) {
            f.error(key, off + " when accounting = none (it needs the request times and counts that "
                    + "preload or sdk accounting writes to the scoreboard)");
        }
    }

    private static List<String> command(Fields f) {
        List<String> command = f.strings("command", COMMAND_EXPECTED);
        if (command == null) {
            return null;
        }
        if (command.isEmpty() || command.get(0).isBlank()) {
            f.error("command", COMMAND_EXPECTED);
            return null;
        }
        if (command.stream().anyMatch(a -> a.indexOf('\0') >= 0)) {
            f.error("command", "arguments without NUL characters");
            return null;
        }
        return command;
    }

    private static ListenAddress listen(Fields f) {
        ConfigValue v = f.value("listen");
        if (v == null) {
            f.error("listen", "host:port, [ipv6]:port, unix:/path or systemd:NAME (every pool needs one)");
            return null;
        }
        String text = f.string("listen");
        if (text == null) {
            return null;
        }
        try {
            return ListenAddress.parse(text);
        } catch (IllegalArgumentException e) {
            f.error("listen", stripExpected(e.getMessage()));
            return null;
        }
    }

    /** ListenAddress messages start with "expected "; the error line adds its own. */
    static String stripExpected(String message) {
        return message != null && message.startsWith("expected ") ? message.substring("expected ".length()) : message;
    }

    private static Integer listenMode(Fields f) {
        ConfigValue v = f.value("listen-mode");
        String expected = "an octal file mode between \"0000\" and \"07777\", e.g. \"0660\"";
        String text = v == null ? null : String.valueOf(v.unwrapped()).trim();
        if (text == null || !OCTAL_MODE.matcher(text).matches() || Integer.parseInt(text, 8) > 07777) {
            f.error("listen-mode", expected);
            return null;
        }
        return Integer.parseInt(text, 8);
    }

    private static Path chdir(Fields f) {
        String text = f.string("chdir");
        if (text == null || text.isEmpty()) {
            return null;
        }
        Path p = SystemChecks.path(text);
        if (p == null || !p.isAbsolute() || !Files.isDirectory(p)) {
            f.error("chdir", "\"\" or the absolute path of an existing directory");
            return null;
        }
        return p;
    }

    private static Map<String, String> env(Fields f) {
        Map<String, String> env = f.stringMap("env");
        if (env == null) {
            return null;
        }
        boolean ok = true;
        for (Map.Entry<String, String> e : env.entrySet()) {
            String key = f.keyPath("env") + "." + e.getKey();
            if (RESERVED_ENV.contains(e.getKey())) {
                f.errorsList().add(new ConfigError(key, "\"" + e.getValue() + "\"",
                        "no such variable: jfpm sets " + String.join(", ", RESERVED_ENV.stream().sorted().toList()) + " itself"));
                ok = false;
            } else if (WorkerLaunch.SERVICE_MANAGER_ENV.contains(e.getKey())) {
                f.errorsList().add(new ConfigError(key, "\"" + e.getValue() + "\"",
                        "no such variable: " + String.join(", ", WorkerLaunch.SERVICE_MANAGER_ENV)
                                + " are systemd's for jfpm alone, and no worker gets them"));
                ok = false;
            } else if (!ENV_NAME.matcher(e.getKey()).matches() || e.getValue().indexOf('\0') >= 0) {
                f.errorsList().add(new ConfigError(key, "\"" + e.getValue() + "\"",
                        "a variable name without '=' and a value without NUL characters"));
                ok = false;
            }
        }
        return ok ? env : null;
    }

    private static Accounting accounting(Fields f) {
        String text = f.value("accounting") == null ? null : String.valueOf(f.value("accounting").unwrapped());
        for (Accounting a : Accounting.values()) {
            if (a.configName().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return a;
            }
        }
        f.error("accounting", "one of preload, sdk, none");
        return null;
    }

    private static Integer stopSignal(Fields f) {
        ConfigValue v = f.value("stop-signal");
        int n = v == null ? -1 : SignalNames.parseStopSignal(String.valueOf(v.unwrapped()));
        if (n < 0) {
            f.error("stop-signal", "a signal name or number, one of " + SignalNames.choices());
            return null;
        }
        return n;
    }

    /** {@code unlimited} is RLIM_INFINITY, returned as -1 (all bits set, as rlim_t). */
    private static Long rlimitCore(Fields f) {
        ConfigValue v = f.value("rlimit-core");
        if (v != null && "unlimited".equalsIgnoreCase(String.valueOf(v.unwrapped()).trim())) {
            return -1L;
        }
        Long n = v == null ? null : Fields.toLong(v);
        if (n == null || n < 0) {
            f.error("rlimit-core", "an integer >= 0 or \"unlimited\"");
            return null;
        }
        return n;
    }

    private static PmConfig pm(Fields pool) {
        Fields f = pool.object("pm", "an object, e.g. pm { mode = dynamic, max-children = 5 }");
        if (f == null) {
            return null;
        }
        PmMode mode = null;
        ConfigValue modeValue = f.value("mode");
        String modeText = modeValue == null ? "" : String.valueOf(modeValue.unwrapped()).trim();
        for (PmMode m : PmMode.values()) {
            if (m.configName().equalsIgnoreCase(modeText)) {
                mode = m;
            }
        }
        if (mode == null) {
            f.error("mode", "one of static, dynamic, ondemand");
        }
        Long maxChildren = f.integer("max-children", 1, MAX_CHILDREN);
        Long maxSpawnRate = f.integer("max-spawn-rate", 1, Integer.MAX_VALUE);
        Long maxRequests = f.integer("max-requests", 0, Long.MAX_VALUE);
        Duration idleTimeout = f.duration("process-idle-timeout");
        ShrinkMode shrink = shrink(f);
        if (mode == PmMode.ONDEMAND && idleTimeout != null && idleTimeout.isZero()) {
            f.error("process-idle-timeout", "a duration > 0 for pm.mode = ondemand, e.g. 10s");
            idleTimeout = null;
        }
        int start = 0;
        int minSpare = 0;
        int maxSpare = 0;
        boolean spareOk = true;
        if (mode == PmMode.DYNAMIC) {
            Long min = f.integer("min-spare-servers", 1, Integer.MAX_VALUE);
            Long max = f.integer("max-spare-servers", 1, Integer.MAX_VALUE);
            Long startValue = f.value("start-servers") == null ? Long.valueOf(0)
                    : f.integer("start-servers", 0, Integer.MAX_VALUE);
            spareOk = min != null && max != null && startValue != null;
            if (maxChildren != null && min != null && min > maxChildren) {
                f.error("min-spare-servers", "an integer <= pm.max-children (" + maxChildren + ")");
                spareOk = false;
            }
            if (maxChildren != null && max != null && max > maxChildren) {
                f.error("max-spare-servers", "an integer <= pm.max-children (" + maxChildren + ")");
                spareOk = false;
            }
            if (min != null && max != null && max < min) {
                f.error("max-spare-servers", "an integer >= pm.min-spare-servers (" + min + ")");
                spareOk = false;
            }
            if (spareOk) {
                minSpare = min.intValue();
                maxSpare = max.intValue();
                start = startValue == 0 ? minSpare + (maxSpare - minSpare) / 2 : startValue.intValue();
                if (start < minSpare || start > maxSpare) {
                    f.error("start-servers", "an integer between pm.min-spare-servers (" + minSpare
                            + ") and pm.max-spare-servers (" + maxSpare + "), or 0 for their midpoint");
                    spareOk = false;
                }
            }
        } else if (mode == PmMode.STATIC && maxChildren != null) {
            start = maxChildren.intValue();
        }
        if (mode == null || maxChildren == null || maxSpawnRate == null || maxRequests == null
                || idleTimeout == null || shrink == null || !spareOk) {
            return null;
        }
        return new PmConfig(mode, maxChildren.intValue(), start, minSpare, maxSpare, maxSpawnRate.intValue(),
                idleTimeout, maxRequests, shrink);
    }

    /**
     * {@code pm.shrink}: dynamic's rule for idle workers above max-spare-servers. Validated in every
     * mode (a typo is an error wherever it is), used by dynamic only.
     */
    private static ShrinkMode shrink(Fields f) {
        ConfigValue v = f.value("shrink");
        String text = v == null ? "" : String.valueOf(v.unwrapped()).trim();
        for (ShrinkMode s : ShrinkMode.values()) {
            if (s.configName().equalsIgnoreCase(text)) {
                return s;
            }
        }
        f.error("shrink", "one of fast (bury every idle worker above pm.max-spare-servers idle for a full tick), "
                + "gradual (one per tick, as PHP-FPM)");
        return null;
    }
}
