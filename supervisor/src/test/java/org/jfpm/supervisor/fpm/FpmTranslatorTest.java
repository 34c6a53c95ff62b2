package org.jfpm.supervisor.fpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.PoolConfig;
import org.jfpm.supervisor.config.ConfigLoader;
import org.jfpm.supervisor.config.FastCgiStatus;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * import-fpm's translation, on Debian's stock php8.2-fpm files (unmodified copies in
 * {@code src/test/resources/fpm/debian-8.2}) and on a file that uses every directive
 * ({@code fpm/every-directive}).
 */
class FpmTranslatorTest {

    @TempDir
    Path tmp;

    private static final Map<String, String> ENV = Map.of("HOME", "/root");

    /** This machine, except that exactly /usr/bin/php-cgi8.2 is installed. */
    private static FpmTranslator.Host host(Path prefix) {
        return new FpmTranslator.Host(ENV::get, p -> p.equals(Path.of("/usr/bin/php-cgi8.2")), Files::exists,
                Files::isDirectory, 4096, prefix);
    }

    static Path resource(String name) {
        try {
            return Path.of(FpmTranslatorTest.class.getResource("/fpm/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The stock files copied to {@code TMP/etc/php/8.2/fpm/}: the one change is php-fpm.conf's absolute
     * {@code include=/etc/php/8.2/fpm/pool.d/*.conf}, pointed at the copy.
     */
    static Path copyStock(Path root) throws IOException {
        Path fpm = Files.createDirectories(root.resolve("etc/php/8.2/fpm/pool.d")).getParent();
        Files.copy(resource("debian-8.2/pool.d/www.conf"), fpm.resolve("pool.d/www.conf"));
        String conf = Files.readString(resource("debian-8.2/php-fpm.conf"));
        assertTrue(conf.contains("\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n"));
        Files.writeString(fpm.resolve("php-fpm.conf"), conf.replace("\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
                "\ninclude=" + fpm + "/pool.d/*.conf\n"));
        return fpm.resolve("php-fpm.conf");
    }

    private FpmTranslator.Translation translate(Path prefix, Path... files) throws FpmConfigException {
        FpmConfigReader.Result read = new FpmConfigReader(prefix, ENV::get).read(List.of(files));
        return FpmTranslator.translate(read, host(prefix));
    }

    private static Config parse(String hocon) {
        return ConfigFactory.parseString(hocon).resolve();
    }

    private static List<String> warningsAt(FpmTranslator.Translation t) {
        return t.warnings().stream().map(w -> w.source().file().getFileName() + ":" + w.source().line()).toList();
    }

    // ---- Debian's stock php-fpm.conf + pool.d/www.conf ------------------------------------------

    @Test
    void debianStockFiles() throws Exception {
        Path conf = copyStock(tmp);
        FpmTranslator.Translation t = translate(null, conf);
        Config c = parse(t.hocon());
        assertEquals("/run/php/php8.2-fpm.pid", c.getString("jfpm.pid-file"));
        Config www = c.getConfig("jfpm.pools.www");
        assertEquals(List.of("/usr/bin/php-cgi8.2"), www.getStringList("command"), "no php.ini beside the copy: no -c");
        assertEquals("unix:/run/php/php8.2-fpm.sock", www.getString("listen"));
        assertEquals(4096, www.getInt("listen-backlog"), "PHP-FPM's default backlog -1 = somaxconn");
        assertEquals("www-data", www.getString("user"));
        assertEquals("www-data", www.getString("group"));
        assertEquals("www-data", www.getString("listen-owner"));
        assertEquals("www-data", www.getString("listen-group"));
        assertFalse(www.hasPath("listen-mode"), "www.conf leaves listen.mode commented out: jfpm's default 0660 = PHP-FPM's");
        assertEquals("dynamic", www.getString("pm.mode"));
        assertEquals(5, www.getInt("pm.max-children"));
        assertEquals(2, www.getInt("pm.start-servers"));
        assertEquals(1, www.getInt("pm.min-spare-servers"));
        assertEquals(3, www.getInt("pm.max-spare-servers"));
        assertEquals(List.of("jfpm"), List.copyOf(c.root().keySet()));
        assertEquals(List.of("www"), List.copyOf(c.getObject("jfpm.pools").keySet()));

        assertEquals("/var/log/php8.2-fpm.log", c.getString("jfpm.log-file"), "error_log");

        // one warning: PHP-FPM's default limit_extensions is not enforced by php-cgi
        assertEquals(List.of("www.conf:4"), warningsAt(t), t.warnings()::toString);
        assertTrue(t.warnings().get(0).message().contains("try_files"), t.warnings()::toString);
        assertTrue(t.hocon().matches("(?s).*\n  log-file = \"/var/log/php8.2-fpm.log\" +# error_log \\(php-fpm.conf:26\\)\n.*"), t.hocon());
        assertFalse(t.hocon().contains("not yet supported"), t.hocon());
        assertTrue(t.hocon().contains("pid-file = \"/run/php/php8.2-fpm.pid\"          # pid (php-fpm.conf:19)"), t.hocon());
        assertTrue(t.hocon().contains("max-children = 5                        # pm.max_children (www.conf:127)"), t.hocon());
    }

    @Test
    void debianStockResultPassesTheConfigurationCheck() throws Exception {
        FpmTranslator.Translation t = translate(null, copyStock(tmp));
        // /run/php may not exist on a machine without php-fpm running: the pid file and the socket go to tmp
        String hocon = t.hocon().replace("/run/php/", tmp + "/run/");
        Files.createDirectories(tmp.resolve("run"));
        Path file = Files.writeString(tmp.resolve("jfpm.conf"), hocon);
        SupervisorConfig config = ConfigLoader.load(file);
        assertEquals(Path.of(tmp + "/run/php8.2-fpm.pid"), config.pidFile());
        assertEquals("www", config.pools().get(0).name());
        assertEquals(5, config.pools().get(0).pm().maxChildren());
        assertEquals(Path.of("/var/log/php8.2-fpm.log"), config.log().file());
    }

    @Test
    void phpFpmsPhpIniAndConfDBecomePhpCgisWhenPresent() throws Exception {
        Path conf = copyStock(tmp);
        Files.writeString(conf.resolveSibling("php.ini"), "; php-fpm's php.ini\n");
        Files.createDirectories(conf.resolveSibling("conf.d"));
        Config www = parse(translate(null, conf).hocon()).getConfig("jfpm.pools.www");
        assertEquals(List.of("/usr/bin/php-cgi8.2", "-c", conf.resolveSibling("php.ini").toString()), www.getStringList("command"));
        assertEquals(conf.resolveSibling("conf.d").toString(), www.getString("env.PHP_INI_SCAN_DIR"));
        // a pool file given alone finds them one level up from pool.d
        Config alone = parse(translate(null, conf.resolveSibling("pool.d/www.conf")).hocon()).getConfig("jfpm.pools.www");
        assertEquals(www.getStringList("command"), alone.getStringList("command"));
    }

    @Test
    void withoutThatVersionsPhpCgiTheCommandIsPhpCgiOnPathAndSaysSo() throws Exception {
        Path conf = copyStock(tmp);
        FpmConfigReader.Result read = new FpmConfigReader(null, ENV::get).read(List.of(conf));
        FpmTranslator.Translation t = FpmTranslator.translate(read, new FpmTranslator.Host(ENV::get, p -> false,
                Files::exists, Files::isDirectory, 4096, null));
        assertEquals(List.of("php-cgi"), parse(t.hocon()).getStringList("jfpm.pools.www.command"));
        assertTrue(t.warnings().stream().anyMatch(w -> w.message().startsWith("these files are PHP 8.2's but"
                + " /usr/bin/php-cgi8.2 is not installed (Debian: apt-get install php8.2-cgi)")), t.warnings()::toString);
    }

    // ---- every directive ---------------------------------------------------------------------

    /**
     * The fixture in {@code TMP/fpm}, with {@code prefix = /srv/$pool} pointed at {@code TMP/fpm/$pool}
     * (same line), whose {@code log/} exists: jfpm checks that a log file's directory exists.
     */
    private Path everyDirective() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("fpm/pool.d")).getParent();
        Files.copy(resource("every-directive/php-fpm.conf"), dir.resolve("php-fpm.conf"));
        String every = Files.readString(resource("every-directive/pool.d/every.conf"));
        assertTrue(every.contains("\nprefix = /srv/$pool\n"));
        Files.writeString(dir.resolve("pool.d/every.conf"), every.replace("\nprefix = /srv/$pool\n", "\nprefix = " + dir + "/$pool\n"));
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("shop/log"));
        return dir;
    }

    /** Every directive line of every file read shows up in the output, as a setting or a comment, with its file:line. */
    @Test
    void nothingIsSilentlyDropped() throws Exception {
        Path dir = everyDirective();
        FpmTranslator.Translation t = translate(dir, dir.resolve("php-fpm.conf"));
        List<String> missing = new ArrayList<>();
        for (Path f : List.of(dir.resolve("php-fpm.conf"), dir.resolve("pool.d/every.conf"))) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).strip();
                if (l.isEmpty() || l.startsWith(";") || l.startsWith("[") || l.startsWith("include")) {
                    continue;
                }
                String label = f.getFileName() + ":" + (i + 1);
                if (!t.hocon().contains("(" + label + ")")) {
                    missing.add(label + " " + l);
                }
            }
        }
        assertEquals(List.of(), missing, t.hocon());
    }

    @Test
    void everyDirectiveTranslates() throws Exception {
        Path dir = everyDirective();
        FpmTranslator.Translation t = translate(dir, dir.resolve("php-fpm.conf"));
        Config c = parse(t.hocon()).getConfig("jfpm");
        assertEquals(dir.resolve("run/php-fpm.pid").toString(), c.getString("pid-file"), "relative to the prefix");
        assertEquals("warning", c.getString("log-level"));
        assertEquals(10, c.getInt("emergency-restart-threshold"));
        assertEquals(Duration.ofMinutes(1), c.getDuration("emergency-restart-interval"));
        assertEquals(Duration.ofSeconds(10), c.getDuration("process-control-timeout"));
        assertEquals(1024, c.getInt("pool-defaults.rlimit-files"));
        assertEquals("unlimited", c.getString("pool-defaults.rlimit-core"));
        assertEquals(dir.resolve("log/php-fpm.log").toString(), c.getString("log-file"), "error_log, relative to the prefix");
        assertEquals("php-fpm", c.getString("syslog.ident"));
        assertEquals("daemon", c.getString("syslog.facility"));
        assertEquals(4096, c.getInt("log-limit"));

        Config shop = c.getConfig("pools.shop");
        assertEquals("unix:" + dir + "/shop/run/shop.sock", shop.getString("listen"), "relative to the pool's prefix, $pool expanded");
        assertEquals(dir + "/shop/log/shop.access.log", shop.getString("access-log"), "relative to the pool's prefix, $pool expanded");
        assertEquals("%R - %u %t \"%m %r%Q%q\" %s %f %{milli}d %{kilo}M %C%%", shop.getString("access-format"));
        assertEquals(dir + "/shop/log/shop.log.slow", shop.getString("slowlog"), "relative to the pool's prefix, $pool expanded");
        assertEquals("127.0.0.1:9001", shop.getString("status-listen"));
        assertEquals("/status", shop.getString("status-path"));
        assertEquals("/ping", shop.getString("ping-path"));
        assertEquals("pong", shop.getString("ping-response"));
        assertEquals(1024, shop.getInt("listen-backlog"));
        assertEquals("0660", shop.getString("listen-mode"));
        assertEquals("www-data", shop.getString("listen-owner"));
        assertEquals("www-data", shop.getString("user"));
        assertEquals("/", shop.getString("chdir"));
        assertFalse(shop.getBoolean("clear-env"));
        assertTrue(shop.getBoolean("catch-workers-output"));
        assertEquals(4096, shop.getInt("rlimit-files"));
        assertEquals(0, shop.getInt("rlimit-core"));
        assertEquals(Duration.ofMinutes(2), shop.getDuration("request-terminate-timeout"));
        assertEquals(Duration.ofSeconds(5), shop.getDuration("request-slowlog-timeout"));
        assertEquals("dynamic", shop.getString("pm.mode"));
        assertEquals(50, shop.getInt("pm.max-children"));
        assertEquals(5, shop.getInt("pm.start-servers"));
        assertEquals(5, shop.getInt("pm.min-spare-servers"));
        assertEquals(35, shop.getInt("pm.max-spare-servers"));
        assertEquals(16, shop.getInt("pm.max-spawn-rate"));
        assertEquals(Duration.ofSeconds(10), shop.getDuration("pm.process-idle-timeout"));
        assertEquals(500, shop.getInt("pm.max-requests"));
        assertEquals("127.0.0.1,::1", shop.getString("env.FCGI_WEB_SERVER_ADDRS"), "listen.allowed_clients, checked by php-cgi");
        assertEquals("/tmp/shop", shop.getString("env.TMP"));
        assertEquals("production ; not a comment", shop.getString("env.APP_ENV"));
        assertEquals(System.getenv().getOrDefault("HOSTNAME", ""), shop.getString("env.HOSTNAME"),
                "env[HOSTNAME] = $HOSTNAME: jfpm's own environment, read when it loads the file");
        assertEquals(List.of("php-cgi",
                "-d", "sendmail_path=\"/usr/sbin/sendmail -t -i -f www@my.domain.com\"",
                "-d", "display_errors=0",
                "-d", "error_log=\"/var/log/fpm-php.shop.log\"",
                "-d", "log_errors=1",
                "-d", "memory_limit=32M",
                "-d", "error_reporting=E_ALL & ~E_DEPRECATED & ~E_STRICT",
                "-d", "disable_functions=exec,passthru,shell_exec"), shop.getStringList("command"),
                "no PHP version in the fixture's path: php-cgi on PATH");

        assertEquals("0.0.0.0:9000", c.getString("pools.api.listen"), "a bare port: every IPv4 address");
        assertEquals("static", c.getString("pools.api.pm.mode"));
        assertEquals(4096, c.getInt("pools.api.listen-backlog"));
        assertEquals("ondemand", c.getString("pools.ondemand.pm.mode"));
        assertEquals(Duration.ofHours(1), c.getDuration("pools.ondemand.pm.process-idle-timeout"));
        assertEquals("[::1]:9020", c.getString("pools.tcp6.listen"));
        assertEquals(4096, c.getInt("pools.tcp6.listen-backlog"), "listen.backlog = -1: somaxconn");

        // the warnings name file:line; each kind of untranslated directive says what it was for
        List<String> at = warningsAt(t);
        for (String expected : List.of("php-fpm.conf:8",
                "php-fpm.conf:14", "php-fpm.conf:15", "php-fpm.conf:16", "php-fpm.conf:17",
                "php-fpm.conf:18", "php-fpm.conf:19", "php-fpm.conf:20", "every.conf:11", "every.conf:12",
                "every.conf:14", "every.conf:15", "every.conf:16", "every.conf:25", "every.conf:27",
                "every.conf:30", "every.conf:31", "every.conf:32", "every.conf:34",
                "every.conf:36", "every.conf:39", "every.conf:42", "every.conf:44", "every.conf:45", "every.conf:49",
                "every.conf:51", "every.conf:52", "every.conf:53", "every.conf:55", "every.conf:58")) {
            assertTrue(at.contains(expected), expected + " not warned about: " + t.warnings());
        }
        assertWarning(t, "every.conf:44", "security.limit_extensions = .php .php7: PHP-FPM's worker answered 403");
        assertWarning(t, "every.conf:44", "location ~ \\.php$ { try_files $uri =404; ... }");
        assertWarning(t, "every.conf:53", "php_admin_value[memory_limit] becomes php-cgi's -d memory_limit=32M: php-cgi"
                + " lets scripts override it with ini_set()");
        assertWarning(t, "every.conf:58", "listen = 9000: PHP-FPM listens on every address, IPv6 and IPv4");
        assertWarning(t, "php-fpm.conf:16", "daemonize = yes: no counterpart: jfpm always runs in the foreground");
        assertWarning(t, "every.conf:25", "pm.status_path = /status: PHP-FPM answered the status page on pm.status_listen"
                + " and, from a worker, on the pool's own listen; jfpm's master answers it on status-listen");
        assertWarning(t, "every.conf:27", "ping.path = /ping: PHP-FPM answered the ping on pm.status_listen");
        assertWarning(t, "every.conf:30", "access.format: %M is PHP's peak memory of the request in PHP-FPM");
        assertWarning(t, "every.conf:31", "access.suppress_path[] = /ping: no counterpart: jfpm's access log has no suppress list");
        assertWarning(t, "every.conf:32", "slowlog = log/$pool.log.slow: jfpm writes PHP-FPM's entry");
        assertWarning(t, "every.conf:42", "decorate_workers_output = no: no counterpart");
        assertWarning(t, "php-fpm.conf:20", "systemd_interval = 10: no counterpart");
        for (String translated : List.of("php-fpm.conf:5", "php-fpm.conf:6", "php-fpm.conf:7", "php-fpm.conf:10",
                "every.conf:26", "every.conf:28", "every.conf:29")) {
            assertFalse(at.contains(translated), translated + " translates as is: no warning " + t.warnings());
        }
        assertTrue(t.warnings().stream().noneMatch(w -> w.message().contains("not yet")), t.warnings()::toString);
        assertFalse(t.hocon().contains("not yet"), t.hocon());
        assertWarning(t, "every.conf:57", "[api]: PHP-FPM's default security.limit_extensions = .php .phar");
    }

    @Test
    void everyDirectiveResultPassesTheConfigurationCheck() throws Exception {
        Path dir = everyDirective();
        String hocon = translate(dir, dir.resolve("php-fpm.conf")).hocon();
        SupervisorConfig config = ConfigLoader.load(Files.writeString(tmp.resolve("jfpm.conf"), hocon));
        assertEquals(List.of("shop", "api", "ondemand", "tcp6"),
                config.pools().stream().map(p -> p.name()).toList());
        assertEquals(dir.resolve("log/php-fpm.log"), config.log().file());
        assertEquals(4096, config.log().limit());
        assertEquals("php-fpm", config.log().ident());
        PoolConfig shop = config.pools().get(0);
        assertEquals(dir.resolve("shop/log/shop.access.log"), shop.logs().accessLog());
        assertEquals(dir.resolve("shop/log/shop.log.slow"), shop.logs().slowlog());
        assertEquals("%R - %u %t \"%m %r%Q%q\" %s %f %{milli}d %{kilo}M %C%%", shop.logs().accessFormat());
        FastCgiStatus status = config.fastCgiStatus().get(0);
        assertEquals("127.0.0.1:9001", status.listen().orElseThrow().toString());
        assertEquals("/status", status.statusPath());
        assertEquals("/ping", status.pingPath());
        assertEquals("pong", status.pingResponse());
    }

    private static void assertWarning(FpmTranslator.Translation t, String at, String text) {
        assertTrue(t.warnings().stream().anyMatch(w -> (w.source().file().getFileName() + ":" + w.source().line()).equals(at)
                && w.message().contains(text)), "no warning at " + at + " with: " + text + "\n" + t.warnings());
    }

    // ---- single rules ------------------------------------------------------------------------

    private FpmTranslator.Translation pool(String... lines) throws Exception {
        Path f = tmp.resolve("pool.conf");
        Files.writeString(f, "[www]\nlisten = 127.0.0.1:9000\n" + String.join("\n", lines) + "\n");
        return translate(null, f);
    }

    @Test
    void timesTakePhpFpmsSuffixesAndPlainSeconds() throws Exception {
        Config c = parse(pool("request_terminate_timeout = 30", "request_slowlog_timeout = 5m",
                "pm.process_idle_timeout = 2h").hocon()).getConfig("jfpm.pools.www");
        assertEquals(Duration.ofSeconds(30), c.getDuration("request-terminate-timeout"));
        assertEquals(Duration.ofMinutes(5), c.getDuration("request-slowlog-timeout"));
        assertEquals(Duration.ofHours(2), c.getDuration("pm.process-idle-timeout"));
        assertEquals(86400, FpmTranslator.seconds("1d"));
        assertEquals(-1, FpmTranslator.seconds("10x"));
        FpmTranslator.Translation bad = pool("request_terminate_timeout = 10x");
        assertWarning(bad, "pool.conf:3", "request_terminate_timeout = 10x: not a PHP-FPM time");
    }

    @Test
    void phpIniValuesReachPhpCgiAsPhpFpmReadThem() throws Exception {
        Source at = new Source(tmp, 1);
        assertEquals("32M", FpmTranslator.phpIniValue(IniValue.parse(" 32M", at, n -> null)));
        assertEquals("E_ALL & ~E_NOTICE", FpmTranslator.phpIniValue(IniValue.parse(" E_ALL & ~E_NOTICE", at, n -> null)));
        assertEquals("-32768", FpmTranslator.phpIniValue(IniValue.parse(" ~E_ALL", at, n -> null)),
                "php-cgi would quote a value starting with ~: the evaluated number goes instead");
        assertEquals("\"/usr/sbin/sendmail -t -i\"", FpmTranslator.phpIniValue(IniValue.parse(" /usr/sbin/sendmail -t -i", at, n -> null)));
        assertEquals("\"a \\\"b\\\" \\$c;d\"", FpmTranslator.phpIniValue(IniValue.parse(" \"a \\\"b\\\" $c;d\"", at, n -> null)));
        assertEquals("\"\"", FpmTranslator.phpIniValue(IniValue.parse(" \"\"", at, n -> null)));
        assertEquals("on", FpmTranslator.phpIniValue(IniValue.parse(" on", at, n -> null)));
    }

    @Test
    void importTimeExpansionIsWarnedAbout() throws Exception {
        FpmTranslator.Translation t = pool("chdir = ${HOME}/www", "env[X] = ${NOPE_JFPM}x");
        assertEquals("/root/www", parse(t.hocon()).getString("jfpm.pools.www.chdir"));
        assertWarning(t, "pool.conf:3", "${HOME} in chdir is expanded now, at import, to '/root': PHP-FPM reads it at every start");
        assertWarning(t, "pool.conf:4", "${NOPE_JFPM} in env[X] is expanded now, at import, to '' (NOPE_JFPM is not set)");
    }

    @Test
    void unknownMisplacedAndRepeatedDirectivesAreWarnedAbout() throws Exception {
        Path f = tmp.resolve("odd.conf");
        Files.writeString(f, "pm = static\nbogus = 1\n[www]\nlisten = 9000\npid = /run/x.pid\nlisten = 9001\nenv[] = x\n");
        FpmTranslator.Translation t = translate(null, f);
        assertWarning(t, "odd.conf:1", "a pool directive in [global]: PHP-FPM rejects it there");
        assertWarning(t, "odd.conf:2", "bogus = 1: unknown to PHP-FPM 8.2 too");
        assertWarning(t, "odd.conf:5", "a [global] directive in a pool: PHP-FPM rejects it there");
        assertWarning(t, "odd.conf:6", "listen is set again: this value replaces the one at " + f + ":4");
        assertWarning(t, "odd.conf:7", "env[] needs a variable name");
        assertWarning(t, "odd.conf:3", "[www] has no pm: PHP-FPM requires it");
        assertWarning(t, "odd.conf:3", "[www] has no user: PHP-FPM started as root refuses such a pool");
        assertEquals("0.0.0.0:9001", parse(t.hocon()).getString("jfpm.pools.www.listen"));
    }

    @Test
    void listenForms() throws Exception {
        for (String[] c : new String[][] {{"9000", "0.0.0.0:9000"}, {":9000", "0.0.0.0:9000"},
                {"127.0.0.1:9000", "127.0.0.1:9000"}, {"[::]:9000", "[::]:9000"}, {"localhost:9000", "localhost:9000"},
                {"/run/php/www.sock", "unix:/run/php/www.sock"}, {"run/$pool.sock", "unix:/usr/run/www.sock"}}) {
            Path f = tmp.resolve("listen.conf");
            Files.writeString(f, "[www]\nlisten = " + c[0] + "\n");
            assertEquals(c[1], parse(translate(null, f).hocon()).getString("jfpm.pools.www.listen"), c[0]);
        }
        Path f = Files.writeString(tmp.resolve("listen.conf"), "[www]\nlisten = run/www.sock\n");
        assertEquals("unix:/srv/fpm/run/www.sock", parse(translate(Path.of("/srv/fpm"), f).hocon())
                .getString("jfpm.pools.www.listen"), "relative to -p");
    }

    @Test
    void poolNamesJfpmCannotTakeAreRenamed() throws Exception {
        Path f = tmp.resolve("names.conf");
        Files.writeString(f, "[my site]\nlisten = /run/$pool.sock\npm = static\npm.max_children = 1\n[my.shop]\n"
                + "listen = 127.0.0.1:9001\n");
        FpmTranslator.Translation t = translate(null, f);
        Config c = parse(t.hocon());
        assertEquals("unix:/run/my site.sock", c.getString("jfpm.pools.my_site.listen"), "$pool is PHP-FPM's name");
        assertEquals("127.0.0.1:9001", c.getConfig("jfpm.pools").getObject("\"my.shop\"").toConfig().getString("listen"));
        assertWarning(t, "names.conf:1", "pool name 'my site' is not a jfpm pool name");
    }

    @Test
    void envFromTheMastersEnvironmentIsReadWhenJfpmLoadsTheFile() throws Exception {
        String hocon = pool("env[HOME_COPY] = $HOME", "env[NONE] = $NO_SUCH_VARIABLE_JFPM").hocon();
        assertTrue(hocon.contains("HOME_COPY = \"\"${?HOME}"), hocon);
        Config c = parse(hocon).getConfig("jfpm.pools.www.env");
        assertEquals(System.getenv("HOME"), c.getString("HOME_COPY"));
        assertEquals("", c.getString("NONE"), "unset: empty, as PHP-FPM");
    }

    // ---- the master's log, systemd, access log, slowlog, status over FastCGI ---------------

    /** {@code [global]} {@code lines} and a pool, read with {@code prefix}; /dev/log exists as {@code devLog} says. */
    private FpmTranslator.Translation global(Path prefix, boolean devLog, String... lines) throws Exception {
        Path f = tmp.resolve("php-fpm.conf");
        Files.writeString(f, "[global]\n" + String.join("\n", lines) + "\n[www]\nlisten = 127.0.0.1:9000\n");
        FpmConfigReader.Result read = new FpmConfigReader(prefix, ENV::get).read(List.of(f));
        FpmTranslator.Host h = host(prefix);
        return FpmTranslator.translate(read, new FpmTranslator.Host(h.env(), h.executable(),
                p -> p.equals(Path.of("/dev/log")) ? devLog : Files.exists(p), h.directory(), h.somaxconn(), prefix));
    }

    /** What {@code --test} loads from the translation. */
    private static SupervisorConfig load(FpmTranslator.Translation t) throws Exception {
        return ConfigLoader.fromString(t.hocon(), "imported");
    }

    private static void assertNoWarningAt(FpmTranslator.Translation t, String at) {
        assertFalse(warningsAt(t).contains(at), "no warning at " + at + ": " + t.warnings());
    }

    @Test
    void errorLogFileResolvesAgainstThePrefixThenVar() throws Exception {
        FpmTranslator.Translation t = global(null, true, "error_log = log/php-fpm.log");
        assertEquals("/var/log/php-fpm.log", parse(t.hocon()).getString("jfpm.log-file"), "PHP-FPM's localstatedir, /var");
        assertTrue(t.hocon().matches("(?s).*\n  log-file = \"/var/log/php-fpm.log\" +# error_log \\(php-fpm.conf:2\\)\n.*"), t.hocon());
        assertNoWarningAt(t, "php-fpm.conf:2");
        assertEquals(Path.of("/var/log/php-fpm.log"), load(t).log().file());

        Files.createDirectories(tmp.resolve("log"));
        FpmTranslator.Translation prefixed = global(tmp, true, "error_log = log/$pool.log".replace("$pool", "fpm"));
        assertEquals(tmp + "/log/fpm.log", parse(prefixed.hocon()).getString("jfpm.log-file"), "against -p");
        assertEquals(tmp.resolve("log/fpm.log"), load(prefixed).log().file());

        FpmTranslator.Translation absolute = global(tmp, true, "error_log = /var/log/../log/x.log");
        assertEquals("/var/log/x.log", parse(absolute.hocon()).getString("jfpm.log-file"));

        FpmTranslator.Translation empty = global(null, true, "error_log = \"\"");
        assertWarning(empty, "php-fpm.conf:2", "an empty error_log");
        assertFalse(parse(empty.hocon()).hasPath("jfpm.log-file"));
    }

    @Test
    void errorLogSyslogTakesFacilityAndIdent() throws Exception {
        FpmTranslator.Translation t = global(null, true, "error_log = syslog", "syslog.facility = LOCAL3",
                "syslog.ident = shop-fpm");
        Config c = parse(t.hocon()).getConfig("jfpm");
        assertEquals("syslog", c.getString("log-file"));
        assertEquals("local3", c.getString("syslog.facility"));
        assertEquals("shop-fpm", c.getString("syslog.ident"));
        assertEquals(List.of(), warningsAt(t).stream().filter(w -> w.startsWith("php-fpm.conf:") && !w.endsWith(":5")
                && !w.endsWith(":0")).toList(), t.warnings()::toString);
        SupervisorConfig config = load(t);
        assertTrue(config.log().syslog());
        assertEquals(19, config.log().facility());
        assertEquals("shop-fpm", config.log().ident());

        // PHP-FPM tags its messages php-fpm by default; the import keeps that (jfpm's own default is jfpm)
        FpmTranslator.Translation dflt = global(null, true, "error_log = SYSLOG");
        assertEquals("php-fpm", parse(dflt.hocon()).getString("jfpm.syslog.ident"));
        assertEquals("php-fpm", load(dflt).log().ident());
        assertEquals("syslog", parse(dflt.hocon()).getString("jfpm.log-file"), "any case, as PHP-FPM");

        FpmTranslator.Translation noDaemon = global(null, false, "error_log = syslog");
        assertWarning(noDaemon, "php-fpm.conf:2", "there is no /dev/log on this machine, and jfpm refuses to start");

        FpmTranslator.Translation bad = global(null, true, "syslog.facility = local9", "syslog.ident = \"two words\"");
        assertWarning(bad, "php-fpm.conf:2", "syslog.facility = local9: not a syslog facility (PHP-FPM rejects it): one of auth");
        assertWarning(bad, "php-fpm.conf:3", "jfpm's syslog.ident takes 1 to 64 printable characters without spaces");
        load(bad);
    }

    @Test
    void logLimitKeepsPhpFpmsRangeWithinJfpms() throws Exception {
        FpmTranslator.Translation t = global(null, true, "log_limit = 8192");
        assertEquals(8192, parse(t.hocon()).getInt("jfpm.log-limit"));
        assertNoWarningAt(t, "php-fpm.conf:2");
        assertEquals(8192, load(t).log().limit());

        FpmTranslator.Translation big = global(null, true, "log_limit = 1000000");
        assertEquals(65536, parse(big.hocon()).getInt("jfpm.log-limit"));
        assertWarning(big, "php-fpm.conf:2", "log_limit = 1000000: jfpm's log-limit is at most 65536");
        assertEquals(65536, load(big).log().limit());

        FpmTranslator.Translation small = global(null, true, "log_limit = 100");
        assertWarning(small, "php-fpm.conf:2", "log_limit = 100: below 512 (PHP-FPM rejects it");
        assertFalse(parse(small.hocon()).hasPath("jfpm.log-limit"));
        assertWarning(global(null, true, "log_limit = lots"), "php-fpm.conf:2", "not an integer");
    }

    @Test
    void systemdIntervalHasNoCounterpartAndSaysWhatJfpmDoes() throws Exception {
        FpmTranslator.Translation t = global(null, true, "systemd_interval = 30");
        assertWarning(t, "php-fpm.conf:2", "systemd_interval = 30: no counterpart: the interval is fixed. Under systemd"
                + " (Type=notify) jfpm sends STATUS= with its pools' counts every 5 s, and WATCHDOG=1 every half of the"
                + " unit's WatchdogSec=");
        assertTrue(t.hocon().contains("# (not translated) systemd_interval = 30  (php-fpm.conf:2)"), t.hocon());
        assertWarning(global(null, true, "systemd_interval = 0"), "php-fpm.conf:2", "PHP-FPM sent nothing with 0");
        load(t);
    }

    @Test
    void accessLogAndSlowlogResolveAgainstThePoolsPrefixWithPoolExpanded() throws Exception {
        Files.createDirectories(tmp.resolve("www/log"));
        FpmTranslator.Translation t = pool("prefix = " + tmp + "/$pool", "access.log = log/$pool.access.log",
                "access.format = \"%{REMOTE_ADDR}e %t \\\"%m %r%Q%q\\\" %s %{mili}d\"", "slowlog = log/$pool.slow.log",
                "request_slowlog_timeout = 3s");
        Config www = parse(t.hocon()).getConfig("jfpm.pools.www");
        assertEquals(tmp + "/www/log/www.access.log", www.getString("access-log"));
        assertEquals("%{REMOTE_ADDR}e %t \"%m %r%Q%q\" %s %{mili}d", www.getString("access-format"));
        assertEquals(tmp + "/www/log/www.slow.log", www.getString("slowlog"));
        assertTrue(t.hocon().contains("# access.log (pool.conf:4)"), t.hocon());
        assertNoWarningAt(t, "pool.conf:4");
        assertNoWarningAt(t, "pool.conf:5");
        assertWarning(t, "pool.conf:6", "slowlog = log/$pool.slow.log: jfpm writes PHP-FPM's entry (time, pool, pid, script,"
                + " request and its duration so far) without the PHP backtrace");
        PoolConfig config = load(t).pools().get(0);
        assertEquals(tmp.resolve("www/log/www.access.log"), config.logs().accessLog());
        assertEquals(tmp.resolve("www/log/www.slow.log"), config.logs().slowlog());
        assertEquals("%{REMOTE_ADDR}e %t \"%m %r%Q%q\" %s %{mili}d", config.logs().accessFormat());

        // without a pool prefix: -p, then /usr
        Path f = Files.writeString(tmp.resolve("p.conf"), "[www]\nlisten = 127.0.0.1:9000\naccess.log = log/$pool.log\n");
        assertEquals("/usr/log/www.log", parse(translate(null, f).hocon()).getString("jfpm.pools.www.access-log"));
        assertEquals(tmp + "/log/www.log", parse(translate(tmp, f).hocon()).getString("jfpm.pools.www.access-log"));
        // empty: PHP-FPM's unset, jfpm's off
        assertEquals("", parse(pool("access.log = \"\"", "slowlog = \"\"").hocon()).getString("jfpm.pools.www.access-log"));
    }

    @Test
    void accessFormatsJfpmCannotWriteOrMeasuresDifferentlyAreWarnedAbout() throws Exception {
        FpmTranslator.Translation bad = pool("access.format = \"%m %{hours}d\"");
        assertWarning(bad, "pool.conf:3", "access.format = \"%m %{hours}d\": jfpm's access log cannot write this format:"
                + " it expects one of seconds, milli, milliseconds, micro or microseconds as the modifier of %d");
        assertFalse(parse(bad.hocon()).hasPath("jfpm.pools.www.access-format"));
        load(bad);
        FpmTranslator.Translation memory = pool("access.format = \"%m %{mega}M\"");
        assertEquals("%m %{mega}M", parse(memory.hocon()).getString("jfpm.pools.www.access-format"));
        assertWarning(memory, "pool.conf:3", "%M is PHP's peak memory of the request in PHP-FPM; jfpm writes the worker's peak RSS");
        load(memory);
    }

    @Test
    void suppressPathHasNoCounterpart() throws Exception {
        FpmTranslator.Translation t = pool("access.suppress_path[] = /health", "access.suppress_path[] = /ping");
        assertWarning(t, "pool.conf:3", "access.suppress_path[] = /health: no counterpart: jfpm's access log has no"
                + " suppress list, so the requests for /health that PHP-FPM left out (GET or HEAD, 2xx, no body, no query) are logged");
        assertWarning(t, "pool.conf:4", "access.suppress_path[] = /ping: no counterpart");
        assertTrue(t.hocon().contains("# (not translated) access.suppress_path[] = /health  (pool.conf:3)"), t.hocon());
        load(t);
    }

    @Test
    void statusAndPingOnStatusListenAreTheMastersThere() throws Exception {
        FpmTranslator.Translation t = pool("pm.status_listen = 127.0.0.1:9101", "pm.status_path = /fpm-status",
                "ping.path = /fpm-ping", "ping.response = alive");
        Config www = parse(t.hocon()).getConfig("jfpm.pools.www");
        assertEquals("127.0.0.1:9101", www.getString("status-listen"));
        assertEquals("/fpm-status", www.getString("status-path"));
        assertEquals("/fpm-ping", www.getString("ping-path"));
        assertEquals("alive", www.getString("ping-response"));
        assertNoWarningAt(t, "pool.conf:3");
        assertNoWarningAt(t, "pool.conf:6");
        assertWarning(t, "pool.conf:4", "pm.status_path = /fpm-status: PHP-FPM answered the status page on pm.status_listen"
                + " and, from a worker, on the pool's own listen; jfpm's master answers it on status-listen (\"127.0.0.1:9101\")"
                + " only, so a /fpm-status sent to listen now reaches php-cgi as a script");
        assertWarning(t, "pool.conf:5", "ping.path = /fpm-ping: PHP-FPM answered the ping on pm.status_listen");
        FastCgiStatus status = load(t).fastCgiStatus().get(0);
        assertEquals("127.0.0.1:9101", status.listen().orElseThrow().toString());
        assertEquals("/fpm-status", status.statusPath());
        assertEquals("/fpm-ping", status.pingPath());
        assertEquals("alive", status.pingResponse());
    }

    @Test
    void statusPathWithoutStatusListenIsAnsweredNowhereAndSaysWhatToDo() throws Exception {
        FpmTranslator.Translation t = pool("pm.status_path = /status", "ping.path = /ping");
        Config www = parse(t.hocon()).getConfig("jfpm.pools.www");
        assertEquals("/status", www.getString("status-path"));
        assertEquals("/ping", www.getString("ping-path"));
        assertFalse(www.hasPath("status-listen"));
        assertWarning(t, "pool.conf:3", "pm.status_path = /status: PHP-FPM's worker answered the status page on the pool's"
                + " own listen; jfpm answers it only on a status-listen of the pool (its master replies: php-cgi cannot),"
                + " and [www] has no pm.status_listen, so there is none and a /status sent to listen reaches php-cgi as a"
                + " script. Set status-listen");
        assertWarning(t, "pool.conf:4", "ping.path = /ping: PHP-FPM's worker answered the ping on the pool's own listen");
        FastCgiStatus status = load(t).fastCgiStatus().get(0);
        assertTrue(status.listen().isEmpty());
        assertEquals("/status", status.statusPath());
    }

    @Test
    void statusListenWithoutStatusPathServesNoStatusPage() throws Exception {
        FpmTranslator.Translation t = pool("pm.status_listen = 9102", "ping.path = /ping");
        Config www = parse(t.hocon()).getConfig("jfpm.pools.www");
        assertEquals("0.0.0.0:9102", www.getString("status-listen"), "a bare port, as listen");
        assertWarning(t, "pool.conf:3", "pm.status_listen = 9102: PHP-FPM listens on every address, IPv6 and IPv4");
        assertEquals("", www.getString("status-path"), "PHP-FPM: no pm.status_path, no status page (jfpm's default is /status)");
        assertEquals("", load(t).fastCgiStatus().get(0).statusPath());

        Path f = Files.writeString(tmp.resolve("unix.conf"), "[www]\nprefix = /srv/$pool\nlisten = 127.0.0.1:9000\n"
                + "pm.status_listen = run/$pool-status.sock\npm.status_path = \"\"\n");
        FpmTranslator.Translation unix = translate(null, f);
        assertEquals("unix:/srv/www/run/www-status.sock", parse(unix.hocon()).getString("jfpm.pools.www.status-listen"),
                "relative to the pool's prefix, as listen");
        assertEquals("", parse(unix.hocon()).getString("jfpm.pools.www.status-path"));
        load(unix);
    }

    @Test
    void statusPathEqualToPingPathIsThePing() throws Exception {
        FpmTranslator.Translation t = pool("pm.status_listen = 127.0.0.1:9103", "pm.status_path = /ping", "ping.path = /ping");
        Config www = parse(t.hocon()).getConfig("jfpm.pools.www");
        assertEquals("", www.getString("status-path"));
        assertEquals("/ping", www.getString("ping-path"));
        assertWarning(t, "pool.conf:4", "pm.status_path = /ping is also ping.path: PHP-FPM answered the ping there");
        assertEquals("/ping", load(t).fastCgiStatus().get(0).pingPath());
    }

    @Test
    void badStatusPathsAndPingResponsesAreWarnedAbout() throws Exception {
        FpmTranslator.Translation t = pool("pm.status_path = status", "ping.path = /", "ping.response = \"\"",
                "pm.status_path = /a b");
        assertWarning(t, "pool.conf:3", "pm.status_path = status: not a status path (PHP-FPM rejects it)");
        assertWarning(t, "pool.conf:4", "ping.path = /: not a ping path (PHP-FPM rejects it): / followed by A-Z a-z 0-9 / _ - . ~,"
                + " at least 2 characters");
        assertWarning(t, "pool.conf:5", "an empty ping.response (PHP-FPM rejects it)");
        assertWarning(t, "pool.conf:6", "not a status path");
        Config www = parse(t.hocon()).getConfig("jfpm.pools.www");
        assertFalse(www.hasPath("status-path") || www.hasPath("ping-path") || www.hasPath("ping-response"), t.hocon());
        load(t);
    }

    @Test
    void decorateWorkersOutputYesIsJfpmsWayNoIsWarnedAbout() throws Exception {
        FpmTranslator.Translation yes = pool("catch_workers_output = yes", "decorate_workers_output = yes");
        assertNoWarningAt(yes, "pool.conf:4");
        assertTrue(yes.hocon().contains("# decorate_workers_output = yes  (pool.conf:4): nothing to set, PHP-FPM's default"),
                yes.hocon());
        load(yes);
        FpmTranslator.Translation no = pool("catch_workers_output = yes", "decorate_workers_output = no");
        assertWarning(no, "pool.conf:4", "decorate_workers_output = no: no counterpart: jfpm always decorates captured"
                + " worker output, PHP-FPM's default ([pool www] child PID said into stderr: \"...\")");
        assertTrue(no.hocon().contains("# (not translated) decorate_workers_output = no  (pool.conf:4)"), no.hocon());
        assertWarning(pool("decorate_workers_output = maybe"), "pool.conf:3", "not a boolean");
        load(no);
    }
}
