package org.jfpm.supervisor.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.SystemdSockets;
import org.jfpm.pool.PoolConfig;

/**
 * Loads, resolves, merges with defaults and validates a HOCON configuration (root key {@code jfpm}).
 *
 * <ol>
 * <li>Parse the file (or the embedded {@code application.conf}); an unreadable or unparseable file is
 *     one error with key {@code (file)}.</li>
 * <li>Resolve {@code ${...}} against the file itself, then system properties ({@code ${java.home}},
 *     {@code ${jfpm.jar}}), then the environment ({@code ${HOME}}).</li>
 * <li>Merge the globals with {@code jfpm} of the supervisor's {@code reference.conf}, and every pool
 *     with {@code jfpm.pool-defaults} (the user's own {@code pool-defaults} first, then the reference's),
 *     so a pool needs only {@code command} and {@code listen}.</li>
 * <li>Validate everything and throw one {@link ConfigException} listing every error.</li>
 * </ol>
 *
 * <p>A pool's {@code listen = "systemd:NAME"} is checked against the sockets systemd passed when the
 * caller gives them ({@link #load(Path, SystemdSockets)}: the running master, at start and at each
 * reload); without them only its syntax is (the {@code reload} and {@code status} commands, and
 * {@code --test} run outside the service, have no sockets of their own).
 */
public final class ConfigLoader {

    /** The source description of the configuration embedded in the jar. */
    public static final String EMBEDDED = "(embedded application.conf)";

    static final Set<String> GLOBAL_KEYS = Set.of(
            "scoreboard-dir", "pid-file", "process-control-timeout", "emergency-restart-threshold",
            "emergency-restart-interval", "log-level", "log-file", "log-limit", "syslog", "status", "pools",
            "pool-defaults");
    static final Set<String> STATUS_KEYS = Set.of("listen");
    static final Set<String> SYSLOG_KEYS = Set.of("ident", "facility");

    private ConfigLoader() {
    }

    /**
     * Loads {@code fileOrNull}, or the embedded {@code application.conf} when {@code null}.
     *
     * @throws ConfigException listing every error found
     */
    public static SupervisorConfig load(Path fileOrNull) throws ConfigException {
        return load(fileOrNull, null);
    }

    /**
     * As {@link #load(Path)}; every {@code listen = "systemd:NAME"} must name one of {@code sockets}
     * (null: the syntax only).
     *
     * @throws ConfigException listing every error found
     */
    public static SupervisorConfig load(Path fileOrNull, SystemdSockets sockets) throws ConfigException {
        if (fileOrNull == null) {
            URL url = ConfigLoader.class.getClassLoader().getResource("application.conf");
            if (url == null) {
                throw single(ConfigError.FILE, EMBEDDED, "application.conf embedded in the jar (a build error)");
            }
            return fromParsed(parse(() -> ConfigFactory.parseURL(url, options()), EMBEDDED), EMBEDDED, sockets);
        }
        String source = fileOrNull.toString();
        if (!Files.isRegularFile(fileOrNull) || !Files.isReadable(fileOrNull)) {
            throw single(ConfigError.FILE, source, "an existing, readable HOCON file");
        }
        return fromParsed(parse(() -> ConfigFactory.parseFile(fileOrNull.toFile(), options()), source), source, sockets);
    }

    /** Loads HOCON text; {@code source} names it in messages. */
    public static SupervisorConfig fromString(String hocon, String source) throws ConfigException {
        return fromString(hocon, source, null);
    }

    /** Loads HOCON text, checking {@code systemd:NAME} listens against {@code sockets} (null: syntax only). */
    public static SupervisorConfig fromString(String hocon, String source, SystemdSockets sockets) throws ConfigException {
        return fromParsed(parse(() -> ConfigFactory.parseString(hocon, options().setOriginDescription(source)), source),
                source, sockets);
    }

    private static ConfigParseOptions options() {
        return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false);
    }

    private interface Parser {
        Config parse();
    }

    private static Config parse(Parser parser, String source) throws ConfigException {
        Config parsed;
        try {
            parsed = parser.parse();
        } catch (com.typesafe.config.ConfigException e) {
            throw single(ConfigError.FILE, source, "valid HOCON (" + e.getMessage() + ")");
        }
        try {
            // not ConfigFactory.systemProperties(): it is cached, and Main sets jfpm.jar just before loading
            return parsed.resolveWith(parsed.withFallback(ConfigFactory.parseProperties(System.getProperties())),
                    ConfigResolveOptions.defaults());
        } catch (com.typesafe.config.ConfigException e) {
            throw single(ConfigError.FILE, source, "every ${...} substitution to resolve (" + e.getMessage() + ")");
        }
    }

    private static ConfigException single(String key, String value, String expected) {
        return new ConfigException(List.of(new ConfigError(key, value, expected)));
    }

    /** {@code jfpm} of the supervisor's reference.conf: the default of every global and pool key. */
    static ConfigObject reference() {
        return Reference.JFPM;
    }

    /**
     * Parsed once, through Typesafe's own cache, which Pekko's ActorSystem then reuses (the classpath's
     * reference.conf files include Pekko's, which are large). The unresolved variant carries no system
     * properties, so {@code -Djfpm.jar} does not appear as a key.
     */
    private static final class Reference {
        static final ConfigObject JFPM = parseReference();
    }

    private static ConfigObject parseReference() {
        Config all = ConfigFactory.defaultReferenceUnresolved(ConfigLoader.class.getClassLoader());
        ConfigValue jfpm = all.root().get("jfpm");
        if (!(jfpm instanceof ConfigObject o) || !(o.get("pool-defaults") instanceof ConfigObject)) {
            throw new IllegalStateException("reference.conf on the classpath has no jfpm.pool-defaults (a build error)");
        }
        return o.toConfig().resolve().root();
    }

    private static SupervisorConfig fromParsed(Config resolved, String source, SystemdSockets sockets)
            throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        ConfigValue root = resolved.root().get("jfpm");
        if (!(root instanceof ConfigObject user)) {
            throw single("jfpm", Fields.render(root), "an object holding the jfpm settings: jfpm { pools { ... } }");
        }
        ConfigObject reference = reference();
        new Fields(user, "jfpm", errors).rejectUnknownKeys(GLOBAL_KEYS);
        if (user.get("status") instanceof ConfigObject status) {
            new Fields(status, "jfpm.status", errors).rejectUnknownKeys(STATUS_KEYS);
        }
        if (user.get("syslog") instanceof ConfigObject syslog) {
            new Fields(syslog, "jfpm.syslog", errors).rejectUnknownKeys(SYSLOG_KEYS);
        }

        Fields g = new Fields(user.withFallback(reference.withoutKey("pool-defaults").withoutKey("pools")), "jfpm", errors);
        Path scoreboardDir = scoreboardDir(g);
        Path pidFile = pidFile(g);
        Duration controlTimeout = g.duration("process-control-timeout");
        Long threshold = g.integer("emergency-restart-threshold", 0, Integer.MAX_VALUE);
        Duration interval = g.duration("emergency-restart-interval");
        String logLevel = logLevel(g);
        MasterLog log = masterLog(g);
        Optional<ListenAddress.Tcp> statusListen = statusListen(g);

        ConfigObject poolDefaults = poolDefaults(user, (ConfigObject) reference.get("pool-defaults"), errors);
        int logLimit = log == null ? MasterLog.DEFAULT_LIMIT : log.limit();
        List<FastCgiStatus> fastCgiStatus = new ArrayList<>();
        List<PoolConfig> pools = pools(user, poolDefaults, statusListen, sockets, logLimit, fastCgiStatus, errors);

        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new SupervisorConfig(scoreboardDir, pidFile, controlTimeout, threshold.intValue(), interval,
                logLevel, log, statusListen, pools, source, fastCgiStatus);
    }

    /** {@code log-file} ("" = stderr, "syslog", or a file), {@code log-limit}, {@code syslog.ident/facility}. */
    private static MasterLog masterLog(Fields g) {
        String text = g.string("log-file");
        Long limit = g.integer("log-limit", MasterLog.MIN_LIMIT, MasterLog.MAX_LIMIT);
        Fields syslog = g.object("syslog", "an object, e.g. syslog { ident = \"jfpm\", facility = daemon }");
        String ident = syslog == null ? null : syslog.string("ident");
        if (ident != null && !MasterLog.validIdent(ident)) {
            syslog.error("ident", "a tag of 1 to 64 printable characters without spaces, e.g. \"jfpm\"");
            ident = null;
        }
        int facility = -1;
        if (syslog != null) {
            ConfigValue f = syslog.value("facility");
            facility = MasterLog.facility(f == null ? null : String.valueOf(f.unwrapped()));
            if (facility < 0) {
                syslog.error("facility", "one of " + String.join(", ", MasterLog.FACILITY_NAMES));
            }
        }
        Path file = null;
        boolean toSyslog = false;
        if (text != null && text.equals("syslog")) {
            toSyslog = true;
        } else if (text != null && !text.isEmpty()) {
            file = logFilePath(text);
            if (file == null) {
                g.error("log-file", "\"\" (stderr), \"syslog\", or an absolute file path in an existing directory");
            }
        }
        if (text == null || limit == null || ident == null || facility < 0 || (file == null && !toSyslog && !text.isEmpty())) {
            return null;
        }
        return new MasterLog(file, toSyslog, limit.intValue(), ident, facility);
    }

    /** An absolute path of a file (not a directory) in an existing directory, or null. */
    static Path logFilePath(String text) {
        Path p = SystemChecks.path(text);
        if (p == null || !p.isAbsolute() || p.getParent() == null || !Files.isDirectory(p.getParent()) || Files.isDirectory(p)) {
            return null;
        }
        return p;
    }

    private static Path scoreboardDir(Fields g) {
        String text = g.string("scoreboard-dir");
        if (text == null) {
            return null;
        }
        Path p = SystemChecks.path(text);
        if (text.isEmpty() || p == null || !p.isAbsolute() || !Files.isDirectory(p)) {
            g.error("scoreboard-dir", "the absolute path of an existing directory, e.g. \"/dev/shm\"");
            return null;
        }
        return p;
    }

    private static Path pidFile(Fields g) {
        String text = g.string("pid-file");
        if (text == null || text.isEmpty()) {
            return null;
        }
        Path p = SystemChecks.path(text);
        if (p == null || !p.isAbsolute() || p.getParent() == null || !Files.isDirectory(p.getParent()) || Files.isDirectory(p)) {
            g.error("pid-file", "\"\" or an absolute file path in an existing directory");
            return null;
        }
        return p;
    }

    private static String logLevel(Fields g) {
        ConfigValue v = g.value("log-level");
        String text = v == null ? null : String.valueOf(v.unwrapped());
        if (LogLevelName.parse(text) == null) {
            g.error("log-level", "one of " + LogLevelName.choices());
            return null;
        }
        return text.trim().toLowerCase(Locale.ROOT);
    }

    private static Optional<ListenAddress.Tcp> statusListen(Fields g) {
        Fields status = g.object("status", "an object, e.g. status { listen = \"127.0.0.1:9001\" }");
        if (status == null) {
            return Optional.empty();
        }
        String text = status.string("listen");
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            if (ListenAddress.parse(text) instanceof ListenAddress.Tcp tcp) {
                return Optional.of(tcp);
            }
            status.error("listen", "\"\" (off) or a TCP address host:port or [ipv6]:port");
        } catch (IllegalArgumentException e) {
            status.error("listen", "\"\" (off) or " + PoolReader.stripExpected(e.getMessage()));
        }
        return Optional.empty();
    }

    private static ConfigObject poolDefaults(ConfigObject user, ConfigObject reference, List<ConfigError> errors) {
        ConfigValue v = user.get("pool-defaults");
        if (v == null) {
            return reference;
        }
        if (!(v instanceof ConfigObject defaults)) {
            errors.add(new ConfigError("jfpm.pool-defaults", Fields.render(v), "an object of pool settings"));
            return reference;
        }
        Fields f = new Fields(defaults, "jfpm.pool-defaults", errors);
        PoolReader.rejectUnknownKeys(f);
        if (defaults.containsKey("listen")) {
            f.error("listen", "no listen in pool-defaults: every pool needs its own address");
        }
        if (defaults.containsKey("status-listen") && !String.valueOf(defaults.get("status-listen").unwrapped()).isBlank()) {
            f.error("status-listen", "\"\" in pool-defaults: every pool's status-listen needs its own address");
        }
        return defaults.withFallback(reference);
    }

    private static List<PoolConfig> pools(ConfigObject user, ConfigObject defaults, Optional<ListenAddress.Tcp> statusListen,
                                          SystemdSockets sockets, int logLimit, List<FastCgiStatus> fastCgiStatus,
                                          List<ConfigError> errors) {
        ConfigValue v = user.get("pools");
        String example = "at least one pool, e.g. pools { www { command = [\"/usr/bin/php-cgi\"], listen = \"127.0.0.1:9000\" } }";
        if (!(v instanceof ConfigObject poolsObject) || poolsObject.isEmpty()) {
            errors.add(new ConfigError("jfpm.pools", Fields.render(v), example));
            return List.of();
        }
        List<String> names = new ArrayList<>(poolsObject.keySet());
        names.sort(Comparator.<String>comparingInt(n -> poolsObject.get(n).origin().lineNumber()).thenComparing(n -> n));

        List<PoolConfig> pools = new ArrayList<>();
        Map<String, ListenAddress> listens = new LinkedHashMap<>();
        for (String name : names) {
            String path = "jfpm.pools." + name;
            ConfigValue pv = poolsObject.get(name);
            if (!PoolReader.POOL_NAME.matcher(name).matches()) {
                errors.add(new ConfigError(path, "\"" + name + "\"", "a pool name of 1-63 characters from [A-Za-z0-9_.-]"));
            }
            if (!(pv instanceof ConfigObject poolObject)) {
                errors.add(new ConfigError(path, Fields.render(pv),
                        "an object, e.g. " + name + " { command = [\"/usr/bin/php-cgi\"], listen = \"127.0.0.1:9000\" }"));
                continue;
            }
            PoolReader.rejectUnknownKeys(new Fields(poolObject, path, errors));
            PoolConfig pool = PoolReader.read(name, poolObject.withFallback(defaults), sockets, logLimit, errors);
            FastCgiStatus status = pool == null ? null : PoolReader.fastCgiStatus(name, poolObject.withFallback(defaults), errors);
            if (pool != null && status != null && PoolReader.POOL_NAME.matcher(name).matches()) {
                pools.add(pool);
                fastCgiStatus.add(status);
            }
            parsedListen(poolObject).ifPresent(a -> checkUnique(name, a, Fields.render(poolObject.get("listen")), listens, errors));
        }
        checkStatusListens(user, statusListen, fastCgiStatus, listens, errors);
        statusListen.ifPresent(s -> listens.forEach((pool, a) -> {
            if (clash(s, a)) {
                errors.add(new ConfigError("jfpm.status.listen", Fields.render(((ConfigObject) user.get("status")).get("listen")),
                        "an address no pool uses (pool " + pool + " listens on " + a + ")"));
            }
        }));
        return pools;
    }

    /** Every status-listen is an address of its own: no pool's listen, no other status-listen, not jfpm.status.listen. */
    private static void checkStatusListens(ConfigObject user, Optional<ListenAddress.Tcp> statusListen, List<FastCgiStatus> statuses,
                                           Map<String, ListenAddress> listens, List<ConfigError> errors) {
        Map<String, ListenAddress> seen = new LinkedHashMap<>();
        for (FastCgiStatus s : statuses) {
            if (s.listen().isEmpty()) {
                continue;
            }
            ListenAddress a = s.listen().get();
            String key = FastCgiStatus.listenKey(s.pool());
            String written = Fields.render(((ConfigObject) ((ConfigObject) user.get("pools")).get(s.pool())).get("status-listen"));
            if (written.equals(ConfigError.MISSING)) {
                written = "\"" + a + "\""; // from pool-defaults
            }
            String clash = null;
            for (Map.Entry<String, ListenAddress> e : listens.entrySet()) {
                if (clash(a, e.getValue())) {
                    clash = "pool " + e.getKey() + " listens on " + e.getValue();
                    break;
                }
            }
            for (Map.Entry<String, ListenAddress> e : seen.entrySet()) {
                if (clash == null && clash(a, e.getValue())) {
                    clash = "pool " + e.getKey() + "'s status-listen is " + e.getValue();
                }
            }
            if (clash == null && statusListen.isPresent() && clash(a, statusListen.get())) {
                clash = "jfpm.status.listen is " + statusListen.get();
            }
            if (clash != null) {
                errors.add(new ConfigError(key, written, "an address of its own (" + clash + ")"));
            }
            seen.put(s.pool(), a);
        }
    }

    private static Optional<ListenAddress> parsedListen(ConfigObject pool) {
        ConfigValue v = pool.get("listen");
        if (v == null || !(v.unwrapped() instanceof String s)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ListenAddress.parse(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static void checkUnique(String name, ListenAddress address, String written, Map<String, ListenAddress> seen,
                                    List<ConfigError> errors) {
        for (Map.Entry<String, ListenAddress> e : seen.entrySet()) {
            if (clash(address, e.getValue())) {
                errors.add(new ConfigError("jfpm.pools." + name + ".listen", written,
                        "an address no other pool uses (pool " + e.getKey() + " listens on " + e.getValue() + ")"));
                break;
            }
        }
        seen.put(name, address);
    }

    private static final Set<String> WILDCARDS = new HashSet<>(List.of("0.0.0.0", "::", "*"));

    /**
     * Two addresses that cannot both be bound: the same unix path, or the same port on the same or a
     * wildcard host; two pools cannot take the same socket systemd passed either.
     */
    static boolean clash(ListenAddress a, ListenAddress b) {
        if (a instanceof ListenAddress.Systemd || b instanceof ListenAddress.Systemd) {
            return a.equals(b);
        }
        if (a instanceof ListenAddress.Unix ua && b instanceof ListenAddress.Unix ub) {
            return ua.path().normalize().equals(ub.path().normalize());
        }
        if (a instanceof ListenAddress.Tcp ta && b instanceof ListenAddress.Tcp tb) {
            return ta.port() == tb.port() && (ta.host().equalsIgnoreCase(tb.host())
                    || WILDCARDS.contains(ta.host()) || WILDCARDS.contains(tb.host()));
        }
        return false;
    }
}
