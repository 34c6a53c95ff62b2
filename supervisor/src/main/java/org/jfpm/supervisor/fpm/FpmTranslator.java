package org.jfpm.supervisor.fpm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.pool.AccessFormat;
import org.jfpm.supervisor.config.MasterLog;

/**
 * Translates what {@link FpmConfigReader} read into a jfpm HOCON configuration. Every directive ends up
 * in the output: as a setting with a comment naming the directive and {@code file:line}, or, when jfpm
 * has no counterpart, as a comment, with a {@link Warning} that says why and what to do instead.
 * The table of what becomes what is in {@code docs/configuration.md}, "Importing a PHP-FPM configuration".
 */
public final class FpmTranslator {

    /** What the translation looks up on this machine (injectable for tests). */
    public record Host(UnaryOperator<String> env, Predicate<Path> executable, Predicate<Path> exists,
            Predicate<Path> directory, int somaxconn, Path prefix) {

        /** This machine; {@code prefix} as {@code php-fpm -p} (null: PHP-FPM's defaults). */
        public static Host system(Path prefix) {
            return new Host(System::getenv, Files::isExecutable, Files::exists, Files::isDirectory, readSomaxconn(), prefix);
        }

        private static int readSomaxconn() {
            try {
                // readAllLines, not readString: /proc files report size 0 and readString returns a prefix here (JDK 17)
                return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim());
            } catch (IOException | RuntimeException e) {
                return 4096;
            }
        }
    }

    /** The HOCON text and the warnings, in the order met. */
    public record Translation(String hocon, List<Warning> warnings) {
    }

    /** PHP-FPM's {@code PHP_LOCALSTATEDIR} on Debian: where a relative pid or error_log goes without {@code -p}. */
    static final Path LOCALSTATEDIR = Path.of("/var");

    private static final Pattern TIME = Pattern.compile("(\\d+)([smhd]?)");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,63}");
    private static final Pattern VERSION = Pattern.compile("(?:/php/|php-?(?:fpm|cgi)?)(\\d+\\.\\d+)(?:/|-|\\.conf|$)");
    private static final Set<String> LOG_LEVELS = Set.of("alert", "error", "warning", "notice", "debug");
    private static final Set<String> RESERVED_ENV = Set.of("JFPM_POOL", "JFPM_SCOREBOARD", "JFPM_SCOREBOARD_FD", "JFPM_SLOT");

    /** jfpm's log-limit range ({@code MasterLog.MIN_LIMIT} .. {@code MAX_LIMIT}); PHP-FPM's minimum is 512 too. */
    private static final int LOG_LIMIT_MIN = MasterLog.MIN_LIMIT;
    private static final int LOG_LIMIT_MAX = MasterLog.MAX_LIMIT;
    /** PHP-FPM's rule for pm.status_path and ping.path (jfpm's status-path and ping-path): / then [alnum]/_-.~ */
    private static final Pattern STATUS_PATH = Pattern.compile("/[A-Za-z0-9/_.~-]*");
    /** An access-format code whose value jfpm measures differently: %M (PHP's memory vs the worker's peak RSS). */
    private static final Pattern MEMORY_CODE = Pattern.compile("%(\\{[^}]*\\})?M");

    private static final Set<String> POOL_DIRECTIVES = Set.of("prefix", "user", "group", "listen", "listen.backlog",
            "listen.owner", "listen.group", "listen.mode", "listen.acl_users", "listen.acl_groups",
            "listen.allowed_clients", "listen.setfib", "process.priority", "process.dumpable", "pm", "pm.max_children",
            "pm.start_servers", "pm.min_spare_servers", "pm.max_spare_servers", "pm.max_spawn_rate",
            "pm.process_idle_timeout", "pm.max_requests", "pm.status_path", "pm.status_listen", "ping.path",
            "ping.response", "access.log", "access.format", "access.suppress_path", "slowlog", "request_slowlog_timeout",
            "request_slowlog_trace_depth", "request_terminate_timeout", "request_terminate_timeout_track_finished",
            "rlimit_files", "rlimit_core", "chroot", "chdir", "catch_workers_output", "decorate_workers_output",
            "clear_env", "security.limit_extensions", "env", "php_value", "php_flag", "php_admin_value",
            "php_admin_flag", "apparmor_hat");
    private static final Set<String> GLOBAL_DIRECTIVES = Set.of("pid", "error_log", "syslog.ident", "syslog.facility",
            "log_buffering", "log_level", "log_limit", "emergency_restart_threshold", "emergency_restart_interval",
            "process_control_timeout", "process.max", "process.priority", "daemonize", "rlimit_files", "rlimit_core",
            "events.mechanism", "systemd_interval");

    /** The order of a pool's settings in the output. */
    private static final List<String> POOL_ORDER = List.of("command", "listen", "listen-backlog", "listen-owner",
            "listen-group", "listen-mode", "user", "group", "chdir", "clear-env", "env", "catch-workers-output",
            "rlimit-files", "rlimit-core", "request-terminate-timeout", "request-slowlog-timeout", "slowlog",
            "access-log", "access-format", "status-listen", "status-path", "ping-path", "ping-response");
    private static final List<String> PM_ORDER = List.of("mode", "max-children", "start-servers", "min-spare-servers",
            "max-spare-servers", "max-spawn-rate", "process-idle-timeout", "max-requests");

    private final Host host;
    private final List<Warning> warnings = new ArrayList<>();
    private final Map<Path, String> labels = new HashMap<>();

    private FpmTranslator(Host host, List<Path> files) {
        this.host = host;
        Map<String, Integer> names = new HashMap<>();
        files.forEach(f -> names.merge(String.valueOf(f.getFileName()), 1, Integer::sum));
        files.forEach(f -> labels.put(f, names.get(String.valueOf(f.getFileName())) == 1 ? String.valueOf(f.getFileName()) : f.toString()));
    }

    /** Translates {@code read}; warnings of the reading come first. */
    public static Translation translate(FpmConfigReader.Result read, Host host) {
        FpmTranslator t = new FpmTranslator(host, read.files());
        t.warnings.addAll(read.warnings());
        String hocon = t.render(read);
        return new Translation(hocon, List.copyOf(t.warnings));
    }

    // ---- one rendered setting or note ----------------------------------------------------------

    private record Setting(String value, String comment) {
    }

    /** What a pool's (or the global section's) directives became. */
    private final class Out {
        final Map<String, Setting> settings = new LinkedHashMap<>();
        final Map<String, Setting> env = new LinkedHashMap<>();
        final List<String> phpArgs = new ArrayList<>();
        final List<String> phpArgComments = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Map<String, Source> seen = new HashMap<>();

        void set(String key, String value, IniLine.Entry e) {
            settings.put(key, new Setting(value, e.key() + " (" + where(e.source()) + ")"));
        }

        /** Not translated: a comment in the output, a warning on stderr. */
        void skip(IniLine.Entry e, String why) {
            notes.add("(not translated) " + e.key() + " = " + e.raw() + "  (" + where(e.source()) + ")\n  " + why);
            warn(e.source(), e.key() + " = " + e.raw() + ": " + why);
        }
    }

    private String where(Source s) {
        String label = labels.getOrDefault(s.file(), s.file().toString());
        return s.line() > 0 ? label + ":" + s.line() : label;
    }

    private void warn(Source s, String message) {
        warnings.add(new Warning(s, message));
    }

    // ---- the whole file ------------------------------------------------------------------------

    private String render(FpmConfigReader.Result read) {
        Out global = new Out();
        Out poolDefaults = new Out();
        for (IniLine.Entry e : read.global()) {
            translateGlobal(e, global, poolDefaults);
        }
        Setting logFile = global.settings.get("log-file");
        if (logFile != null && logFile.value().equals(Hocon.string("syslog")) && !global.settings.containsKey("syslog.ident")) {
            global.settings.put("syslog.ident", new Setting(Hocon.string("php-fpm"),
                    "PHP-FPM's default syslog.ident (jfpm's own is jfpm)"));
        }
        PhpCgi php = phpCgi(read);
        List<Map.Entry<String, Out>> pools = new ArrayList<>();
        Set<String> jfpmNames = new java.util.HashSet<>();
        for (FpmConfigReader.Pool p : read.pools()) {
            String name = p.name();
            if (!POOL_NAME.matcher(name).matches()) {
                String fixed = name.replaceAll("[^A-Za-z0-9_.-]", "_");
                fixed = fixed.length() > 63 ? fixed.substring(0, 63) : fixed;
                warn(p.section(), "pool name '" + name + "' is not a jfpm pool name (1 to 63 of [A-Za-z0-9_.-]): named '"
                        + fixed + "' instead ($pool was expanded to '" + name + "')");
                name = fixed;
            }
            if (!jfpmNames.add(name)) {
                warn(p.section(), "pool '" + name + "' exists twice after renaming; this one is left out");
                continue;
            }
            pools.add(Map.entry(name, translatePool(p, php)));
        }

        Hocon h = new Hocon();
        h.comment("jfpm configuration imported from PHP-FPM by `java -jar jfpm.jar import-fpm`.");
        h.comment("Read, in this order:");
        for (Path f : read.files()) {
            h.comment("  " + f);
        }
        h.comment("A setting's comment names the PHP-FPM directive and file:line it comes from. \"(not translated)\"");
        h.comment("keeps a directive jfpm has no counterpart for; import-fpm warned about each on stderr.");
        h.comment("Check the result with: java -jar jfpm.jar --test --config FILE");
        h.open("jfpm", null);
        global.settings.forEach((k, s) -> h.setting(k, s.value(), s.comment()));
        global.notes.forEach(h::comment);
        if (!poolDefaults.settings.isEmpty()) {
            h.open("pool-defaults", "from [global]: PHP-FPM sets these on its master, whose workers inherit them");
            poolDefaults.settings.forEach((k, s) -> h.setting(k, s.value(), s.comment()));
            h.close();
        }
        if (pools.isEmpty()) {
            warn(read.files().isEmpty() ? new Source(Path.of("-"), 0) : new Source(read.files().get(0), 0),
                    "no pool section found: jfpm (like PHP-FPM) needs at least one pool");
        }
        h.open("pools", null);
        for (Map.Entry<String, Out> p : pools) {
            renderPool(h, p.getKey(), p.getValue());
        }
        h.close();
        h.close();
        return h.toString();
    }

    private void renderPool(Hocon h, String name, Out pool) {
        Setting section = pool.settings.remove("(section)");
        h.open(Hocon.key(name), section == null ? null : section.comment());
        for (String key : POOL_ORDER) {
            if (key.equals("env")) {
                if (!pool.env.isEmpty()) {
                    h.open("env", null);
                    pool.env.forEach((k, s) -> h.setting(Hocon.key(k), s.value(), s.comment()));
                    h.close();
                }
                continue;
            }
            Setting s = pool.settings.get(key);
            if (s != null) {
                h.setting(key, s.value(), s.comment());
            }
        }
        boolean pm = PM_ORDER.stream().anyMatch(k -> pool.settings.containsKey("pm." + k));
        if (pm) {
            h.open("pm", null);
            for (String key : PM_ORDER) {
                Setting s = pool.settings.get("pm." + key);
                if (s != null) {
                    h.setting(key, s.value(), s.comment());
                }
            }
            h.close();
        }
        pool.notes.forEach(h::comment);
        h.close();
    }

    // ---- [global] ------------------------------------------------------------------------------

    private void translateGlobal(IniLine.Entry e, Out out, Out poolDefaults) {
        String v = e.value().value();
        noteExpansion(e);
        if (e.index() != null) {
            out.skip(e, "array entries (" + e.key() + ") belong in a pool section; PHP-FPM rejects them in [global]");
            return;
        }
        redefinition(e, out);
        switch (e.name()) {
            case "pid" -> out.set("pid-file", Hocon.string(absolute(v, null, LOCALSTATEDIR)), e);
            case "error_log" -> errorLog(e, out);
            case "syslog.ident" -> {
                if (MasterLog.validIdent(v)) {
                    out.set("syslog.ident", Hocon.string(v), e);
                } else {
                    out.skip(e, "jfpm's syslog.ident takes 1 to 64 printable characters without spaces; its default is"
                            + " jfpm (PHP-FPM's php-fpm)");
                }
            }
            case "syslog.facility" -> {
                if (MasterLog.facility(v) >= 0) {
                    out.set("syslog.facility", v.trim().toLowerCase(Locale.ROOT), e);
                } else {
                    out.skip(e, "not a syslog facility (PHP-FPM rejects it): one of " + String.join(", ", MasterLog.FACILITY_NAMES));
                }
            }
            case "log_buffering" -> out.skip(e, "no counterpart: jfpm writes every log line whole, unbuffered");
            case "log_level" -> {
                String level = v.toLowerCase(Locale.ROOT);
                if (LOG_LEVELS.contains(level) || level.equals("warn")) {
                    out.set("log-level", level, e);
                } else {
                    out.skip(e, "not a PHP-FPM log level (alert, error, warning, notice, debug)");
                }
            }
            case "log_limit" -> logLimit(e, out);
            case "emergency_restart_threshold" -> integer(e, out, "emergency-restart-threshold", 0);
            case "emergency_restart_interval" -> duration(e, out, "emergency-restart-interval");
            case "process_control_timeout" -> {
                duration(e, out, "process-control-timeout");
                if (out.settings.containsKey("process-control-timeout") && seconds(v) == 0) {
                    warn(e.source(), "process_control_timeout = " + e.raw() + ": with 0, a jfpm reload or graceful stop kills"
                            + " requests in flight at once; jfpm's own default is 10s");
                }
            }
            case "process.max" -> out.skip(e, "no counterpart: jfpm has no cap across pools; the pools' pm.max-children add up");
            case "process.priority" -> out.skip(e, "no counterpart: start jfpm itself with nice(1) (systemd: Nice=); its workers inherit it");
            case "daemonize" -> out.skip(e, "no counterpart: jfpm always runs in the foreground (as php-fpm -F); let systemd,"
                    + " a container runtime or another supervisor run it");
            case "rlimit_files" -> {
                rlimit(e, poolDefaults, "rlimit-files", false);
                warn(e.source(), "rlimit_files = " + e.raw() + ": PHP-FPM sets it on its master and the workers inherit it;"
                        + " jfpm sets it on every worker (pool-defaults.rlimit-files). For jfpm itself use LimitNOFILE= in its systemd unit");
            }
            case "rlimit_core" -> {
                rlimit(e, poolDefaults, "rlimit-core", true);
                warn(e.source(), "rlimit_core = " + e.raw() + ": PHP-FPM sets it on its master and the workers inherit it;"
                        + " jfpm sets it on every worker (pool-defaults.rlimit-core)");
            }
            case "events.mechanism" -> out.skip(e, "no counterpart: jfpm waits on its sockets with poll(2)");
            case "systemd_interval" -> out.skip(e, "no counterpart: the interval is fixed. Under systemd (Type=notify) jfpm"
                    + " sends STATUS= with its pools' counts every 5 s, and WATCHDOG=1 every half of the unit's WatchdogSec="
                    + " (PHP-FPM's systemd_interval gives way to WatchdogSec= too); set WatchdogSec= in jfpm's unit for a watchdog"
                    + (seconds(v) == 0 ? ". PHP-FPM sent nothing with 0; jfpm notifies whenever systemd gives it NOTIFY_SOCKET"
                    + " (Type=simple: never)" : ""));
            default -> out.skip(e, POOL_DIRECTIVES.contains(e.name())
                    ? "a pool directive in [global]: PHP-FPM rejects it there (php-fpm -t fails)"
                    : "unknown to PHP-FPM 8.2 too (php-fpm -t fails with \"unknown entry\")");
        }
    }

    // ---- a pool --------------------------------------------------------------------------------

    /** The php-cgi command every pool starts from. */
    private record PhpCgi(List<String> argv, String comment, String scanDir) {
    }

    private Out translatePool(FpmConfigReader.Pool p, PhpCgi php) {
        Out out = new Out();
        out.settings.put("(section)", new Setting("", "[" + p.name() + "] (" + where(p.section()) + ")"));
        Path poolPrefix = null;
        for (IniLine.Entry e : p.entries()) {
            if (e.name().equals("prefix") && e.index() == null) {
                poolPrefix = Path.of(absolute(e.value().value(), host.prefix(), FpmConfigReader.DEFAULT_PREFIX));
            }
        }
        boolean limitExtensions = false;
        boolean listenSeen = false;
        boolean backlogSeen = false;
        IniLine.Entry statusPath = null;
        IniLine.Entry pingPath = null;
        List<String> command = new ArrayList<>(php.argv());
        for (IniLine.Entry e : p.entries()) {
            noteExpansion(e);
            String v = e.value().value();
            if (e.index() != null) {
                switch (e.name()) {
                    case "env" -> env(e, out);
                    case "php_value", "php_flag", "php_admin_value", "php_admin_flag" -> php(e, out);
                    case "access.suppress_path" -> suppressPath(e, out);
                    default -> out.skip(e, "unknown array directive " + e.name() + "[...] (php-fpm -t fails)");
                }
                continue;
            }
            redefinition(e, out);
            switch (e.name()) {
                case "prefix" -> out.notes.add("prefix = " + e.raw() + "  (" + where(e.source())
                        + "): used to resolve this pool's relative paths (" + poolPrefix + ")");
                case "user" -> out.set("user", Hocon.string(v), e);
                case "group" -> out.set("group", Hocon.string(v), e);
                case "listen" -> {
                    listenSeen = true;
                    address(e, out, poolPrefix, "listen");
                }
                case "listen.backlog" -> {
                    backlogSeen = true;
                    if (v.equals("-1")) {
                        out.settings.put("listen-backlog", new Setting(Integer.toString(host.somaxconn()),
                                e.key() + " = -1 (" + where(e.source()) + "): the kernel maximum, net.core.somaxconn here"));
                    } else {
                        integer(e, out, "listen-backlog", 1);
                    }
                }
                case "listen.owner" -> out.set("listen-owner", Hocon.string(v), e);
                case "listen.group" -> out.set("listen-group", Hocon.string(v), e);
                case "listen.mode" -> {
                    if (v.matches("[0-7]{1,5}")) {
                        String mode = v.length() < 4 ? "0".repeat(4 - v.length()) + v : v;
                        out.set("listen-mode", Hocon.string(mode), e);
                    } else {
                        out.skip(e, "not an octal mode (PHP-FPM rejects it)");
                    }
                }
                case "listen.acl_users", "listen.acl_groups" -> out.skip(e, "no counterpart: jfpm sets the socket's owner,"
                        + " group and mode only (listen-owner, listen-group, listen-mode); grant access through the group");
                case "listen.allowed_clients" -> {
                    out.env.put("FCGI_WEB_SERVER_ADDRS", new Setting(Hocon.string(v.replace(" ", "")),
                            e.key() + " (" + where(e.source()) + "): php-cgi itself closes connections from other addresses"));
                }
                case "listen.setfib" -> out.skip(e, "no counterpart: FreeBSD's SO_SETFIB; jfpm runs on Linux only");
                case "process.priority" -> out.skip(e, "no counterpart: start jfpm with nice(1); its workers inherit the priority");
                case "process.dumpable" -> out.skip(e, "no counterpart: jfpm does not change the workers' dumpable flag");
                case "pm" -> {
                    String mode = v.toLowerCase(Locale.ROOT);
                    if (Set.of("static", "dynamic", "ondemand").contains(mode)) {
                        out.set("pm.mode", mode, e);
                    } else {
                        out.skip(e, "not a process manager (static, dynamic, ondemand): PHP-FPM rejects it");
                    }
                }
                case "pm.max_children" -> integer(e, out, "pm.max-children", 1);
                case "pm.start_servers" -> integer(e, out, "pm.start-servers", 0);
                case "pm.min_spare_servers" -> integer(e, out, "pm.min-spare-servers", 1);
                case "pm.max_spare_servers" -> integer(e, out, "pm.max-spare-servers", 1);
                case "pm.max_spawn_rate" -> integer(e, out, "pm.max-spawn-rate", 1);
                case "pm.process_idle_timeout" -> duration(e, out, "pm.process-idle-timeout");
                case "pm.max_requests" -> integer(e, out, "pm.max-requests", 0);
                case "pm.status_path" -> {
                    if (statusPath(e, out, "status-path", 1)) {
                        statusPath = e;
                    }
                }
                case "ping.path" -> {
                    if (statusPath(e, out, "ping-path", 2)) {
                        pingPath = e;
                    }
                }
                case "ping.response" -> {
                    if (v.isEmpty()) {
                        out.skip(e, "an empty ping.response (PHP-FPM rejects it)");
                    } else {
                        out.set("ping-response", Hocon.string(v), e);
                    }
                }
                case "pm.status_listen" -> {
                    if (v.isEmpty()) {
                        out.set("status-listen", Hocon.string(""), e);
                    } else {
                        address(e, out, poolPrefix, "status-listen");
                    }
                }
                case "access.log" -> logPath(e, out, "access-log", poolPrefix);
                case "access.format" -> accessFormat(e, out);
                case "access.suppress_path" -> suppressPath(e, out);
                case "slowlog" -> {
                    logPath(e, out, "slowlog", poolPrefix);
                    if (!v.isEmpty() && out.settings.containsKey("slowlog")) {
                        warn(e.source(), "slowlog = " + e.raw() + ": jfpm writes PHP-FPM's entry (time, pool, pid, script,"
                                + " request and its duration so far) without the PHP backtrace: it reads the scoreboard"
                                + " and never ptraces a worker");
                    }
                }
                case "request_slowlog_timeout" -> duration(e, out, "request-slowlog-timeout");
                case "request_slowlog_trace_depth" -> out.skip(e, "no counterpart: jfpm's slow-request log has no PHP backtrace"
                        + " (PHP-FPM ptraces the worker for it)");
                case "request_terminate_timeout" -> duration(e, out, "request-terminate-timeout");
                case "request_terminate_timeout_track_finished" -> out.skip(e, "no counterpart: jfpm times a request until"
                        + " the worker accepts its next connection");
                case "rlimit_files" -> rlimit(e, out, "rlimit-files", false);
                case "rlimit_core" -> rlimit(e, out, "rlimit-core", true);
                case "chroot" -> out.skip(e, "no counterpart: jfpm cannot chroot its workers; run jfpm in a container"
                        + " (or systemd's RootDirectory=) instead");
                case "chdir" -> out.set("chdir", Hocon.string(v), e);
                case "catch_workers_output" -> bool(e, out, "catch-workers-output");
                case "decorate_workers_output" -> {
                    String b = booleanValue(v);
                    if (b == null) {
                        out.skip(e, "not a boolean (PHP-FPM rejects it)");
                    } else if (b.equals("true")) {
                        out.notes.add("decorate_workers_output = " + e.raw() + "  (" + where(e.source()) + "): nothing to set,"
                                + " PHP-FPM's default is what jfpm always does: each captured line is logged as"
                                + " [pool " + p.name() + "] child PID said into stderr: \"...\"");
                    } else {
                        out.skip(e, "no counterpart: jfpm always decorates captured worker output, PHP-FPM's default"
                                + " ([pool " + p.name() + "] child PID said into stderr: \"...\"); it cannot log the raw lines."
                                + " A tool that reads them can strip that prefix");
                    }
                }
                case "clear_env" -> bool(e, out, "clear-env");
                case "security.limit_extensions" -> {
                    limitExtensions = true;
                    out.skip(e, limitExtensionsAdvice("PHP-FPM's worker answered 403 \"Access denied.\" for a script"
                            + " whose name does not end in " + v));
                }
                case "apparmor_hat" -> out.skip(e, "no counterpart: jfpm does not change AppArmor hats; confine jfpm's"
                        + " workers with a profile on the php-cgi binary");
                default -> out.skip(e, GLOBAL_DIRECTIVES.contains(e.name())
                        ? "a [global] directive in a pool: PHP-FPM rejects it there (php-fpm -t fails)"
                        : "unknown to PHP-FPM 8.2 too (php-fpm -t fails with \"unknown entry\")");
            }
        }
        if (!limitExtensions) {
            String msg = limitExtensionsAdvice("PHP-FPM's default security.limit_extensions = .php .phar made its worker"
                    + " answer 403 \"Access denied.\" for any other script name");
            warn(p.section(), "[" + p.name() + "]: " + msg);
            out.notes.add(0, "(not translated) PHP-FPM's default for security.limit_extensions\n  " + msg);
        }
        statusAnswers(p, out, statusPath, pingPath);
        if (!listenSeen) {
            warn(p.section(), "[" + p.name() + "] has no listen: PHP-FPM and jfpm both need one");
        }
        if (!backlogSeen) {
            out.settings.put("listen-backlog", new Setting(Integer.toString(host.somaxconn()),
                    "PHP-FPM's listen.backlog default -1: the kernel maximum, net.core.somaxconn here"));
        }
        if (!out.settings.containsKey("user")) {
            warn(p.section(), "[" + p.name() + "] has no user: PHP-FPM started as root refuses such a pool (without -R);"
                    + " jfpm runs its workers as its own user, root if started as root. Set user");
        }
        if (!out.settings.containsKey("pm.mode")) {
            warn(p.section(), "[" + p.name() + "] has no pm: PHP-FPM requires it; jfpm uses its default, pm.mode = dynamic");
        }
        if (!out.settings.containsKey("pm.max-children")) {
            warn(p.section(), "[" + p.name() + "] has no pm.max_children: PHP-FPM requires it; jfpm uses its default, 5");
        }
        command.addAll(out.phpArgs);
        out.settings.put("command", new Setting(Hocon.strings(command), php.comment()
                + (out.phpArgs.isEmpty() ? "" : "; the -d come from php_value and friends, see below")));
        if (php.scanDir() != null && !out.env.containsKey("PHP_INI_SCAN_DIR")) {
            LinkedHashMap<String, Setting> env = new LinkedHashMap<>();
            env.put("PHP_INI_SCAN_DIR", new Setting(Hocon.string(php.scanDir()), "php-fpm's conf.d, not php-cgi's"));
            env.putAll(out.env);
            out.env.clear();
            out.env.putAll(env);
        }
        out.phpArgComments.forEach(out.notes::add);
        return out;
    }

    private static String limitExtensionsAdvice(String what) {
        return what + ". php-cgi has no such check: it runs whatever SCRIPT_FILENAME the web server sends (e.g. an"
                + " uploaded image through /upload/x.jpg/.php with cgi.fix_pathinfo=1). Let the web server pass only"
                + " existing .php files: nginx `location ~ \\.php$ { try_files $uri =404; ... }` (or `try_files"
                + " $fastcgi_script_name =404;` after fastcgi_split_path_info)";
    }

    /** {@code listen} or {@code pm.status_listen} (same syntax in PHP-FPM) as jfpm's {@code key}. */
    private void address(IniLine.Entry e, Out out, Path poolPrefix, String key) {
        String v = e.value().value();
        if (v.isEmpty()) {
            out.skip(e, "an empty " + e.key() + " (PHP-FPM rejects it)");
        } else if (v.matches(":?\\d+")) {
            v = v.substring(v.indexOf(':') + 1);
            out.settings.put(key, new Setting(Hocon.string("0.0.0.0:" + v), e.key() + " = " + e.raw() + " ("
                    + where(e.source()) + "): a bare port, every IPv4 address"));
            warn(e.source(), e.key() + " = " + e.raw() + ": PHP-FPM listens on every address, IPv6 and IPv4 (a dual-stack [::]);"
                    + " jfpm binds one address for " + key + " and keeps IPv6 sockets IPv6-only, so this becomes"
                    + " 0.0.0.0:" + v + " (every IPv4 address). Write \"[::]:" + v + "\" for IPv6 instead");
        } else if (v.indexOf(':') >= 0) {
            out.set(key, Hocon.string(v), e);
        } else {
            String path = absolute(v, poolPrefix != null ? poolPrefix : host.prefix(), FpmConfigReader.DEFAULT_PREFIX);
            out.set(key, Hocon.string("unix:" + path), e);
            if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
                warn(e.source(), e.key() + " = " + v + ": a unix socket path longer than 107 bytes, which no one can bind");
            }
        }
    }

    /** {@code error_log}: {@code syslog}, or a file relative to the prefix (else /var), as PHP-FPM resolves it. */
    private void errorLog(IniLine.Entry e, Out out) {
        String v = e.value().value();
        if (v.isEmpty()) {
            out.skip(e, "an empty error_log, which PHP-FPM cannot open; jfpm logs to stderr without log-file");
        } else if (v.equalsIgnoreCase("syslog")) {
            out.set("log-file", Hocon.string("syslog"), e);
            if (!host.exists().test(Path.of("/dev/log"))) {
                warn(e.source(), "error_log = " + e.raw() + ": there is no /dev/log on this machine, and jfpm refuses to"
                        + " start with log-file = syslog where no syslog daemon listens (PHP-FPM's syslog(3) drops the lines)");
            }
        } else {
            out.set("log-file", Hocon.string(absolute(v, null, LOCALSTATEDIR)), e);
        }
    }

    /** {@code log_limit}: PHP-FPM's minimum is jfpm's (512); above jfpm's maximum it is lowered, with a warning. */
    private void logLimit(IniLine.Entry e, Out out) {
        String v = e.value().value();
        if (!INTEGER.matcher(v).matches()) {
            out.skip(e, "not an integer (PHP-FPM rejects it)");
            return;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException tooLong) {
            n = Long.MAX_VALUE;
        }
        if (n < LOG_LIMIT_MIN) {
            out.skip(e, "below " + LOG_LIMIT_MIN + " (PHP-FPM rejects it: log_limit must be >= " + LOG_LIMIT_MIN + ")");
        } else if (n > LOG_LIMIT_MAX) {
            out.settings.put("log-limit", new Setting(Integer.toString(LOG_LIMIT_MAX), e.key() + " = " + e.raw() + " ("
                    + where(e.source()) + "): lowered to jfpm's maximum"));
            warn(e.source(), "log_limit = " + e.raw() + ": jfpm's log-limit is at most " + LOG_LIMIT_MAX + ", so lines"
                    + " longer than that are cut (and end in ...) where PHP-FPM kept them up to " + v + " bytes");
        } else {
            out.set("log-limit", v, e);
        }
    }

    /**
     * {@code pm.status_path} or {@code ping.path}: PHP-FPM's path rule, which jfpm's keys share; an
     * empty value is PHP-FPM's "unset" and jfpm's "none". Whether and where it is answered is
     * {@link #statusAnswers}'s. Returns whether it was translated.
     */
    private boolean statusPath(IniLine.Entry e, Out out, String key, int minLength) {
        String v = e.value().value();
        if (!v.isEmpty() && (!STATUS_PATH.matcher(v).matches() || v.length() < minLength)) {
            out.skip(e, "not a " + (minLength > 1 ? "ping" : "status") + " path (PHP-FPM rejects it): / followed by"
                    + " A-Z a-z 0-9 / _ - . ~" + (minLength > 1 ? ", at least " + minLength + " characters" : ""));
            return false;
        }
        out.set(key, Hocon.string(v), e);
        return true;
    }

    /**
     * Where PHP-FPM answered the pool's status and ping, and where jfpm does: PHP-FPM's workers answer
     * {@code pm.status_path} and {@code ping.path} on the pool's own {@code listen} (and, with
     * {@code pm.status_listen}, a hidden pool answers them there too); jfpm's master answers them on
     * {@code status-listen} only. Each difference is warned about.
     */
    private void statusAnswers(FpmConfigReader.Pool p, Out out, IniLine.Entry statusPath, IniLine.Entry pingPath) {
        Setting listen = out.settings.get("status-listen");
        boolean served = listen != null && !listen.value().equals(Hocon.string(""));
        String status = statusPath == null || !out.settings.containsKey("status-path") ? "" : statusPath.value().value();
        String ping = pingPath == null || !out.settings.containsKey("ping-path") ? "" : pingPath.value().value();
        if (served && statusPath == null) {
            out.settings.put("status-path", new Setting(Hocon.string(""), "no pm.status_path: PHP-FPM's status pool"
                    + " answers no status page (jfpm's default status-path is /status)"));
        }
        if (!status.isEmpty() && status.equals(ping)) {
            out.settings.put("status-path", new Setting(Hocon.string(""), statusPath.key() + " = " + statusPath.raw()
                    + " (" + where(statusPath.source()) + "): the same path as ping.path, which PHP-FPM matches first"));
            warn(statusPath.source(), "pm.status_path = " + statusPath.raw() + " is also ping.path: PHP-FPM answered the"
                    + " ping there, never the status page; jfpm needs two paths, so status-path is \"\" (none)");
            status = "";
        }
        if (!status.isEmpty()) {
            warnWhereAnswered(p, statusPath, "the status page", served, listen);
        }
        if (!ping.isEmpty()) {
            warnWhereAnswered(p, pingPath, "the ping", served, listen);
        }
    }

    private void warnWhereAnswered(FpmConfigReader.Pool p, IniLine.Entry e, String what, boolean served, Setting listen) {
        String path = e.value().value();
        if (served) {
            warn(e.source(), e.key() + " = " + e.raw() + ": PHP-FPM answered " + what + " on pm.status_listen and, from a"
                    + " worker, on the pool's own listen; jfpm's master answers it on status-listen (" + listen.value()
                    + ") only, so a " + path + " sent to listen now reaches php-cgi as a script. Send " + path
                    + " to status-listen");
        } else {
            warn(e.source(), e.key() + " = " + e.raw() + ": PHP-FPM's worker answered " + what + " on the pool's own"
                    + " listen; jfpm answers it only on a status-listen of the pool (its master replies: php-cgi cannot),"
                    + " and [" + p.name() + "] has no pm.status_listen, so there is none and a " + path + " sent to listen"
                    + " reaches php-cgi as a script. Set status-listen (e.g. \"127.0.0.1:9001\" or \"unix:/run/php/"
                    + p.name() + "-status.sock\") and send " + path + " there (nginx: location = " + path
                    + " { include fastcgi_params; fastcgi_pass ...; }); jfpm.status.listen's HTTP server serves /status/"
                    + p.name() + " as well");
        }
    }

    /** {@code access.log} or {@code slowlog}: a file, relative to the pool's prefix, then -p, then /usr (as PHP-FPM). */
    private void logPath(IniLine.Entry e, Out out, String key, Path poolPrefix) {
        String v = e.value().value();
        if (v.isEmpty()) {
            out.set(key, Hocon.string(""), e); // PHP-FPM's "unset", jfpm's "off"
            return;
        }
        out.set(key, Hocon.string(absolute(v, poolPrefix, FpmConfigReader.DEFAULT_PREFIX)), e);
    }

    private void accessFormat(IniLine.Entry e, Out out) {
        String v = e.value().value();
        Optional<String> problem = AccessFormat.problem(v);
        if (problem.isPresent()) {
            out.skip(e, "jfpm's access log cannot write this format: it expects " + problem.get());
            return;
        }
        out.set("access-format", Hocon.string(v), e);
        if (MEMORY_CODE.matcher(v).find()) {
            warn(e.source(), "access.format: %M is PHP's peak memory of the request in PHP-FPM; jfpm writes the worker's"
                    + " peak RSS so far (ru_maxrss: PHP's allocator is not visible from outside), which is larger and"
                    + " never goes down");
        }
    }

    private void suppressPath(IniLine.Entry e, Out out) {
        out.skip(e, "no counterpart: jfpm's access log has no suppress list, so the requests for " + e.value().value()
                + " that PHP-FPM left out (GET or HEAD, 2xx, no body, no query) are logged. Health checks sent to the"
                + " pool's status-listen (pm.status_path, ping.path) never reach a worker and are never logged: point"
                + " them there");
    }

    private void env(IniLine.Entry e, Out out) {
        String name = e.index();
        String v = e.value().value();
        if (name.isEmpty()) {
            out.skip(e, "env[] needs a variable name (PHP-FPM rejects it)");
        } else if (v.isEmpty()) {
            out.skip(e, "an empty env value: PHP-FPM rejects it (php-fpm -t fails with \"empty value\")");
        } else if (name.indexOf('=') >= 0 || RESERVED_ENV.contains(name)) {
            out.skip(e, name.indexOf('=') >= 0 ? "a variable name with '='" : name + " is set by jfpm for its workers");
        } else if (v.startsWith("$")) {
            out.env.put(name, new Setting(Hocon.fromEnvironment(v.substring(1)), e.key() + " = " + v + " ("
                    + where(e.source()) + "): jfpm's own " + v.substring(1) + ", as PHP-FPM copies its master's"));
        } else {
            out.env.put(name, new Setting(Hocon.string(v), e.key() + " (" + where(e.source()) + ")"));
        }
    }

    /** {@code php_value[k] = v} and friends: php-cgi's {@code -d k=v}. */
    private void php(IniLine.Entry e, Out out) {
        String name = e.index();
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            out.skip(e, "needs a PHP ini setting's name in the brackets");
            return;
        }
        IniValue v = e.value();
        boolean flag = e.name().endsWith("_flag");
        boolean admin = e.name().startsWith("php_admin_");
        String arg;
        if (flag) {
            String b = booleanValue(v.value());
            if (b == null) {
                out.skip(e, "not a boolean (PHP-FPM rejects it)");
                return;
            }
            arg = name + "=" + (b.equals("true") ? "1" : "0");
        } else {
            arg = name + "=" + phpIniValue(v);
        }
        out.phpArgs.add("-d");
        out.phpArgs.add(arg);
        out.phpArgComments.add("-d " + arg + "  <- " + e.key() + " = " + e.raw() + "  (" + where(e.source()) + ")");
        if (admin) {
            warn(e.source(), e.key() + " becomes php-cgi's -d " + arg + ": php-cgi lets scripts override it with ini_set()"
                    + " (PHP-FPM's \"admin\" values cannot be changed by scripts); settings PHP itself marks PHP_INI_SYSTEM"
                    + " stay fixed. To lock others, put them in the php.ini php-cgi reads");
        }
        if (name.equals("disable_functions") || name.equals("disable_classes")) {
            warn(e.source(), e.key() + ": PHP-FPM appends this list to php.ini's " + name + "; php-cgi's -d replaces it, so"
                    + " add php.ini's own list to the value if it has one");
        }
    }

    /**
     * The {@code VALUE} of {@code -d name=VALUE} that php-cgi reads as PHP-FPM read the directive. php-cgi
     * passes a VALUE that starts with a letter, digit or quote to PHP's INI parser as is, and wraps any
     * other in double quotes: so plain text (constants and expressions too) goes unchanged, and anything
     * else as a double-quoted INI string.
     */
    static String phpIniValue(IniValue v) {
        String text = v.bareText();
        boolean plain = text != null && !text.isEmpty() && Character.isLetterOrDigit(text.charAt(0))
                && text.chars().noneMatch(c -> ";\"'=\n\\".indexOf(c) >= 0) && !text.contains("${");
        if (plain) {
            return text;
        }
        if (text != null && v.evaluated()) {
            return v.value().isEmpty() ? "" : v.value(); // a number, "1" or "": plain
        }
        return "\"" + v.value().replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"";
    }

    // ---- value conversions ---------------------------------------------------------------------

    private void integer(IniLine.Entry e, Out out, String key, long min) {
        String v = e.value().value();
        if (!INTEGER.matcher(v).matches()) {
            out.skip(e, "not an integer (PHP-FPM rejects it)");
        } else if (Long.parseLong(v) < min) {
            out.skip(e, "below " + min + ", which jfpm does not accept for " + key);
        } else {
            out.set(key, v, e);
        }
    }

    private void duration(IniLine.Entry e, Out out, String key) {
        String v = e.value().value();
        Matcher m = TIME.matcher(v);
        if (!m.matches()) {
            out.skip(e, "not a PHP-FPM time (an integer with an optional s, m, h or d suffix)");
            return;
        }
        out.set(key, m.group(1) + (m.group(2).isEmpty() ? "s" : m.group(2)), e);
    }

    /** Seconds of a PHP-FPM time, or -1 if it is none. */
    static long seconds(String v) {
        Matcher m = TIME.matcher(v);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86400;
            default -> n;
        };
    }

    private void bool(IniLine.Entry e, Out out, String key) {
        String b = booleanValue(e.value().value());
        if (b == null) {
            out.skip(e, "not a boolean (PHP-FPM rejects it)");
        } else {
            out.set(key, b, e);
        }
    }

    /** PHP-FPM's {@code fpm_conf_set_boolean}: "1"/"" from the INI scanner, or the words themselves (from ${VAR}). */
    static String booleanValue(String v) {
        String w = IniValue.bool(v.trim());
        if (v.equals("1") || "1".equals(w)) {
            return "true";
        }
        if (v.isEmpty() || v.equals("0") || "".equals(w)) {
            return "false";
        }
        return null;
    }

    private void rlimit(IniLine.Entry e, Out out, String key, boolean unlimited) {
        String v = e.value().value();
        if (unlimited && v.equalsIgnoreCase("unlimited")) {
            out.set(key, Hocon.string("unlimited"), e);
        } else {
            integer(e, out, key, 0);
        }
    }

    /** An absolute path: as is, or against {@code prefix} (null: {@code fallback}), as fpm_evaluate_full_path. */
    private String absolute(String path, Path prefix, Path fallback) {
        if (path.startsWith("/")) {
            return Path.of(path).normalize().toString();
        }
        Path base = prefix != null ? prefix : host.prefix() != null ? host.prefix() : fallback;
        return base.resolve(path).normalize().toString();
    }

    private void redefinition(IniLine.Entry e, Out out) {
        Source before = out.seen.put(e.name(), e.source());
        if (before != null) {
            warn(e.source(), e.key() + " is set again: this value replaces the one at " + before + " (as in PHP-FPM)");
        }
    }

    private void noteExpansion(IniLine.Entry e) {
        for (String var : e.value().variables()) {
            int dflt = var.indexOf(":-");
            String name = dflt >= 0 ? var.substring(0, dflt) : var;
            String value = host.env().apply(name);
            warn(e.source(), "${" + var + "} in " + e.key() + " is expanded now, at import, to '"
                    + (value == null || value.isEmpty() ? (dflt >= 0 ? var.substring(dflt + 2) : "") : value)
                    + "'" + (value == null ? " (" + name + " is not set)" : "")
                    + ": PHP-FPM reads it at every start; jfpm's file keeps the value"
                    + (dflt >= 0 ? ". (${VAR:-default} is PHP 8.3's; PHP 8.2 reads it as an unset variable, so empty)" : ""));
        }
    }

    // ---- the php-cgi command -------------------------------------------------------------------

    /**
     * php-cgi of the PHP version the files belong to ({@code /etc/php/8.2/fpm/...} is 8.2:
     * {@code /usr/bin/php-cgi8.2} when it is installed, else {@code php-cgi} on PATH), with
     * {@code -c} the php.ini beside php-fpm.conf (Debian's {@code /etc/php/8.2/fpm/php.ini}, not php-cgi's
     * own {@code /etc/php/8.2/cgi/php.ini}) and its conf.d as {@code PHP_INI_SCAN_DIR}.
     */
    private PhpCgi phpCgi(FpmConfigReader.Result read) {
        String version = null;
        for (Path f : read.files()) {
            Matcher m = VERSION.matcher(f.toString());
            if (m.find()) {
                version = m.group(1);
                break;
            }
        }
        if (version == null) {
            for (IniLine.Entry e : read.global()) {
                Matcher m = VERSION.matcher(e.value().value());
                if (e.name().equals("pid") && m.find()) {
                    version = m.group(1);
                }
            }
        }
        List<String> argv = new ArrayList<>();
        String comment;
        Source first = read.files().isEmpty() ? new Source(Path.of("-"), 0) : new Source(read.files().get(0), 0);
        if (version != null && host.executable().test(Path.of("/usr/bin/php-cgi" + version))) {
            argv.add("/usr/bin/php-cgi" + version);
            comment = "php-cgi of PHP " + version + ", the files' version";
        } else {
            argv.add("php-cgi");
            comment = "php-cgi on PATH";
            warn(first, version != null
                    ? "these files are PHP " + version + "'s but /usr/bin/php-cgi" + version + " is not installed (Debian:"
                    + " apt-get install php" + version + "-cgi); the command is php-cgi from PATH, check its version"
                    : "no PHP version in the files' paths: the command is php-cgi from PATH; check it is the version"
                    + " PHP-FPM ran (php-cgi -v)");
        }
        String scanDir = null;
        if (!read.files().isEmpty()) {
            Path dir = read.files().get(0).getParent();
            if (dir != null && dir.getFileName() != null && dir.getFileName().toString().equals("pool.d")) {
                dir = dir.getParent();
            }
            if (dir != null && host.exists().test(dir.resolve("php.ini"))) {
                argv.add("-c");
                argv.add(dir.resolve("php.ini").toString());
                comment += ", reading php-fpm's php.ini";
                if (host.directory().test(dir.resolve("conf.d"))) {
                    scanDir = dir.resolve("conf.d").toString();
                }
            }
        }
        return new PhpCgi(argv, comment, scanDir);
    }
}
