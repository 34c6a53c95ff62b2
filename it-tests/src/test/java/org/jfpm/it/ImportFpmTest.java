package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.1 end to end.
 * <p>
 * {@link #debianStockConfigurationServesBehindNginxAsWwwData}: {@code jfpm import-fpm} on Debian's stock php8.2-fpm configuration
 * (unmodified copies of {@code /etc/php/8.2/fpm/php-fpm.conf} and {@code pool.d/www.conf}, from the
 * supervisor's test resources) gives a configuration that passes {@code --test}, runs php-cgi as
 * www-data on a unix socket owned by www-data, and serves a PHP script behind nginx configured as a
 * Debian site is: {@code include snippets/fastcgi-php.conf; fastcgi_pass unix:...sock;}.
 * <p>
 * What the test changes, and why: the copies live under a temporary {@code etc/php/8.2/fpm/}, so
 * php-fpm.conf's absolute {@code include=/etc/php/8.2/fpm/pool.d/*.conf} is pointed at the copy; and
 * in the imported HOCON, {@code /run/php/} (the socket and the pid file) becomes a temporary
 * {@code run/php/}, since /run/php exists only where php-fpm's tmpfiles.d entry made it and a real
 * php-fpm may be using it. The test then appends its own {@code scoreboard-dir} (for cleanup), a short
 * {@code process-control-timeout} and {@code log-file = ""} (error_log's /var/log/php8.2-fpm.log becomes
 * {@code log-file}; the harness reads jfpm's stderr). nginx's fastcgi_pass names the same socket path as
 * the pool's listen.
 * <p>
 * {@link #everyDirectiveOfTheIssueImportsPassesTestAndServes}: files that use every directive issue 10
 * lists, imported with {@code --prefix}: no "not yet supported" is left, the output passes {@code --test}
 * unchanged, and, started, the translated access log, slowlog path, status-listen, status and ping work.
 */
class ImportFpmTest {

    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /** A test resource of the supervisor's test-jar (a jar entry, not a file). */
    private static String resource(String name) throws IOException {
        try (InputStream in = ImportFpmTest.class.getResourceAsStream("/fpm/" + name)) {
            if (in == null) {
                throw new AssertionError("no test resource fpm/" + name + " (from the supervisor's test-jar)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void debianStockConfigurationServesBehindNginxAsWwwData() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // www-data must get through
        Path fpm = Files.createDirectories(tmp.resolve("etc/php/8.2/fpm/pool.d")).getParent();
        Files.writeString(fpm.resolve("pool.d/www.conf"), resource("debian-8.2/pool.d/www.conf"));
        String stock = resource("debian-8.2/php-fpm.conf");
        Files.writeString(fpm.resolve("php-fpm.conf"), stock.replace("\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
                "\ninclude=" + fpm + "/pool.d/*.conf\n"));

        Jfpm.Outputs imported = Jfpm.cliOutputs(CLI_TIMEOUT, "import-fpm", fpm.resolve("php-fpm.conf").toString());
        System.out.println("---- import-fpm stdout\n" + imported.stdout() + "---- stderr\n" + imported.stderr());
        assertEquals(0, imported.exitCode(), imported.stderr());

        boolean cgi82 = Files.isExecutable(Path.of("/usr/bin/php-cgi8.2"));
        boolean runPhp = Files.isDirectory(Path.of("/run/php"));
        List<String> warnings = imported.stderr().lines().toList();
        assertTrue(warnings.stream().allMatch(l -> l.startsWith("WARNING: ")), imported.stderr());
        assertTrue(warnings.stream().anyMatch(l -> l.startsWith("WARNING: " + fpm.resolve("pool.d/www.conf")
                + ":4: [www]: PHP-FPM's default security.limit_extensions = .php .phar")), imported.stderr());
        assertTrue(warnings.stream().noneMatch(l -> l.contains("not yet supported")), imported.stderr());
        int expected = 1 + (cgi82 ? 0 : 1) + (runPhp ? 0 : 1);
        assertEquals(expected, warnings.size(), "warnings (php-cgi8.2 installed: " + cgi82 + ", /run/php exists: "
                + runPhp + "):\n" + imported.stderr());
        String hocon = imported.stdout();
        assertTrue(hocon.contains("command = [\"" + (cgi82 ? "/usr/bin/php-cgi8.2" : "php-cgi") + "\"]"), hocon);
        assertTrue(hocon.contains("listen = \"unix:/run/php/php8.2-fpm.sock\""), hocon);
        assertTrue(hocon.contains("pid-file = \"/run/php/php8.2-fpm.pid\""), hocon);
        assertTrue(hocon.contains("log-file = \"/var/log/php8.2-fpm.log\""), "error_log (php-fpm.conf:26): " + hocon);

        Path unmodified = Files.writeString(tmp.resolve("imported.conf"), hocon);
        if (runPhp) {
            Jfpm.Cli test = Jfpm.cli(null, CLI_TIMEOUT, "--test", "--config", unmodified.toString());
            assertEquals(0, test.exitCode(), "the imported configuration, unchanged, passes --test: " + test.output());
        } else {
            System.out.println("/run/php does not exist here: --test of the unchanged output would fail on jfpm.pid-file;"
                    + " only the relocated configuration is tested");
        }

        Path run = Files.createDirectories(tmp.resolve("run/php"));
        Path socket = run.resolve("php8.2-fpm.sock");
        Jfpm.Builder builder = Jfpm.in(tmp);
        String relocated = hocon.replace("/run/php/", run + "/")
                + "jfpm.scoreboard-dir = \"" + builder.scoreboardDir() + "\"\n"
                + "jfpm.process-control-timeout = 3s\n"
                + "jfpm.log-file = \"\"\n";
        Path conf = Files.writeString(tmp.resolve("relocated.conf"), relocated);
        Files.createDirectories(builder.scoreboardDir()); // start() creates it again; run() removes it after
        Jfpm.Cli test = builder.run(CLI_TIMEOUT, "--test", "--config", conf.toString());
        assertEquals(0, test.exitCode(), test.output());
        assertEquals("configuration file " + conf + " test is successful\n", test.output());

        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(docroot.resolve("hi.php"), "php says hi <?= getmypid() ?>\n");
        Path nginxDir = Files.createDirectories(tmp.resolve("nginx/snippets"));
        Files.copy(Path.of("/etc/nginx/snippets/fastcgi-php.conf"), nginxDir.resolve("fastcgi-php.conf"));
        Files.copy(Path.of("/etc/nginx/fastcgi.conf"), nginxDir.resolveSibling("fastcgi.conf"));
        String site = """
                        location ~ \\.php$ {
                            include snippets/fastcgi-php.conf;
                            fastcgi_pass unix:%s;
                        }
                """.formatted(socket);
        long wwwData = uid("www-data");

        try (Jfpm jfpm = builder.raw(relocated).start();
             Nginx nginx = Nginx.start(tmp.resolve("nginx"), "user www-data;", site, docroot)) {
            Set<Long> workers = jfpm.awaitIdle("www", 2, Duration.ofSeconds(30)).stream()
                    .map(SlotSnapshot::pid).collect(Collectors.toSet());
            for (long pid : workers) {
                List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
                assertTrue(status.stream().anyMatch(l -> l.matches("Uid:\\s+" + wwwData + "\\s+" + wwwData + "\\s+.*")),
                        "php-cgi " + pid + " runs as www-data: " + status);
                String exe = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
                assertTrue(exe.matches("/usr/bin/php-cgi[0-9.]*"), "a php-cgi binary: " + exe);
            }
            PosixFileAttributes sock = Files.readAttributes(socket, PosixFileAttributes.class);
            assertEquals("www-data", sock.owner().getName(), "listen.owner");
            assertEquals("www-data", sock.group().getName(), "listen.group");
            assertEquals("rw-rw----", PosixFilePermissions.toString(sock.permissions()), "PHP-FPM's default listen.mode 0660");

            for (int i = 0; i < 4; i++) {
                Http.Response r = Http.get(nginx.address(), "/hi.php");
                assertEquals(200, r.status(), () -> r.body() + "\n" + nginx.logs() + jfpm.dump());
                assertTrue(r.body().startsWith("php says hi "), r.body());
                long pid = Long.parseLong(r.body().substring("php says hi ".length()).trim());
                assertTrue(workers.contains(pid), "answered by php-cgi " + pid + ", one of jfpm's www workers " + workers);
            }
            assertEquals(404, Http.get(nginx.address(), "/missing.php").status(),
                    "Debian's fastcgi-php.conf: try_files $fastcgi_script_name =404 (what replaces limit_extensions)");
            jfpm.pollUntil(() -> jfpm.header("www").acceptedConn() == 4, Duration.ofSeconds(5),
                    "the scoreboard counted the 4 requests");
        }
    }

    /**
     * Every directive issue 10 lists (and the rest of each family: syslog.*, systemd_interval,
     * listen.acl_*, access.suppress_path), in a php-fpm.conf and a pool.d file read with --prefix, so
     * that the relative paths ($pool in them) resolve under the test's directory as PHP-FPM resolves them.
     */
    @Test
    void everyDirectiveOfTheIssueImportsPassesTestAndServes() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // www-data must get through
        Path prefix = Files.createDirectories(tmp.resolve("fpm"));
        Files.createDirectories(prefix.resolve("pool.d"));
        Files.createDirectories(prefix.resolve("run"));
        Path log = Files.createDirectories(prefix.resolve("log"));
        int statusPort = Ports.free();
        int apiPort = Ports.free();
        Files.writeString(prefix.resolve("php-fpm.conf"), """
                [global]
                pid = run/php-fpm.pid
                error_log = log/php-fpm.log
                syslog.ident = php-fpm-it
                syslog.facility = local1
                log_level = notice
                log_limit = 2048
                emergency_restart_threshold = 10
                emergency_restart_interval = 1m
                process_control_timeout = 3s
                rlimit_files = 1024
                rlimit_core = unlimited
                systemd_interval = 10
                include = pool.d/*.conf
                """);
        Files.writeString(prefix.resolve("pool.d/www.conf"), """
                [www]
                user = www-data
                group = www-data
                listen = run/$pool.sock
                listen.backlog = 511
                listen.owner = www-data
                listen.group = www-data
                listen.mode = 0660
                listen.acl_users = www-data
                listen.acl_groups = www-data
                pm = dynamic
                pm.max_children = 4
                pm.start_servers = 2
                pm.min_spare_servers = 1
                pm.max_spare_servers = 3
                pm.max_spawn_rate = 8
                pm.process_idle_timeout = 10s
                pm.max_requests = 500
                pm.status_path = /status
                pm.status_listen = 127.0.0.1:%d
                ping.path = /ping
                ping.response = pong-it
                request_terminate_timeout = 30s
                request_slowlog_timeout = 5s
                slowlog = log/$pool.slow.log
                chdir = /
                catch_workers_output = yes
                decorate_workers_output = yes
                clear_env = no
                env[APP_ENV] = it
                env[COPIED_PATH] = $PATH
                access.log = log/$pool.access.log
                access.format = "%%R - %%u %%t \\"%%m %%r%%Q%%q\\" %%s %%n %%{mili}d"
                access.suppress_path[] = /ping
                php_value[memory_limit] = 64M
                php_flag[display_errors] = off
                php_admin_value[max_execution_time] = 20
                php_admin_flag[log_errors] = on

                [api]
                user = www-data
                listen = %d
                listen.allowed_clients = 127.0.0.1
                listen.setfib = 1
                pm = static
                pm.max_children = 1
                pm.status_path = /status
                catch_workers_output = yes
                decorate_workers_output = no
                """.formatted(statusPort, apiPort));

        Jfpm.Outputs imported = Jfpm.cliOutputs(CLI_TIMEOUT, "import-fpm", "--prefix", prefix.toString(),
                prefix.resolve("php-fpm.conf").toString());
        System.out.println("---- import-fpm stdout\n" + imported.stdout() + "---- stderr\n" + imported.stderr());
        assertEquals(0, imported.exitCode(), imported.stderr());
        List<String> warnings = imported.stderr().lines().toList();
        assertTrue(warnings.stream().allMatch(l -> l.startsWith("WARNING: ")), imported.stderr());
        assertTrue(warnings.stream().noneMatch(l -> l.contains("not yet")), imported.stderr());
        assertTrue(warnings.stream().noneMatch(l -> l.contains("does not pass --test")), imported.stderr());
        String hocon = imported.stdout();
        assertTrue(!hocon.contains("not yet"), hocon);
        String conf = prefix.resolve("php-fpm.conf").toString();
        String www = prefix.resolve("pool.d/www.conf").toString();
        // the directives with no counterpart are warned about, naming file and line
        for (String w : List.of(conf + ":13: systemd_interval = 10: no counterpart", www + ":9: listen.acl_users",
                www + ":10: listen.acl_groups", www + ":34: access.suppress_path[] = /ping: no counterpart",
                www + ":44: listen.setfib = 1: no counterpart", www + ":49: decorate_workers_output = no: no counterpart",
                www + ":19: pm.status_path = /status: PHP-FPM answered the status page on pm.status_listen",
                www + ":47: pm.status_path = /status: PHP-FPM's worker answered the status page on the pool's own listen",
                www + ":42: listen = " + apiPort + ": PHP-FPM listens on every address")) {
            assertTrue(warnings.stream().anyMatch(l -> l.startsWith("WARNING: " + w)), "a warning " + w + ":\n" + imported.stderr());
        }
        for (String setting : List.of("pid-file = \"" + prefix + "/run/php-fpm.pid\"", "log-file = \"" + log + "/php-fpm.log\"",
                "syslog.ident = \"php-fpm-it\"", "syslog.facility = local1", "log-limit = 2048",
                "listen = \"unix:" + prefix + "/run/www.sock\"", "listen = \"0.0.0.0:" + apiPort + "\"",
                "slowlog = \"" + log + "/www.slow.log\"", "access-log = \"" + log + "/www.access.log\"",
                "access-format = \"%R - %u %t \\\"%m %r%Q%q\\\" %s %n %{mili}d\"",
                "status-listen = \"127.0.0.1:" + statusPort + "\"", "status-path = \"/status\"", "ping-path = \"/ping\"",
                "ping-response = \"pong-it\"", "request-slowlog-timeout = 5s", "catch-workers-output = true")) {
            assertTrue(hocon.contains(setting + " "), setting + " in:\n" + hocon);
        }
        assertTrue(hocon.contains("# decorate_workers_output = yes  (www.conf:28): nothing to set"), hocon);

        Path file = Files.writeString(tmp.resolve("imported.conf"), hocon);
        Jfpm.Cli test = Jfpm.cli(null, CLI_TIMEOUT, "--test", "--config", file.toString());
        assertEquals(0, test.exitCode(), "the imported configuration, unchanged, passes --test: " + test.output());
        assertEquals("configuration file " + file + " test is successful\n", test.output());

        // started: the harness reads jfpm's stderr (log-file = "" below) and cleans its scoreboard dir up
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(docroot.resolve("hi.php"), "hi <?= getenv('APP_ENV') ?>\n");
        Jfpm.Builder builder = Jfpm.in(tmp);
        String run = hocon + "jfpm.scoreboard-dir = \"" + builder.scoreboardDir() + "\"\njfpm.log-file = \"\"\n";
        Files.createDirectories(builder.scoreboardDir());
        try (Jfpm jfpm = builder.raw(run).start()) {
            jfpm.awaitIdle("www", 2, Duration.ofSeconds(30));
            InetSocketAddress status = new InetSocketAddress("127.0.0.1", statusPort);
            FastCgiRecords.Response ping = FastCgi.request(status, Map.of("SCRIPT_NAME", "/ping", "SCRIPT_FILENAME", "/ping",
                    "REQUEST_METHOD", "GET", "QUERY_STRING", ""), Duration.ofSeconds(5));
            assertEquals("pong-it", ping.body(), () -> ping.stdout() + jfpm.dump());
            FastCgiRecords.Response page = FastCgi.request(status, Map.of("SCRIPT_NAME", "/status", "SCRIPT_FILENAME",
                    "/status", "REQUEST_METHOD", "GET", "QUERY_STRING", ""), Duration.ofSeconds(5));
            assertTrue(page.body().startsWith("pool:                 www\n"), () -> page.stdout() + jfpm.dump());

            Map<String, String> params = new LinkedHashMap<>();
            params.put("GATEWAY_INTERFACE", "CGI/1.1");
            params.put("REQUEST_METHOD", "GET");
            params.put("SCRIPT_FILENAME", docroot.resolve("hi.php").toString());
            params.put("SCRIPT_NAME", "/hi.php");
            params.put("REQUEST_URI", "/hi.php?x=1");
            params.put("QUERY_STRING", "x=1");
            params.put("SERVER_PROTOCOL", "HTTP/1.1");
            params.put("REDIRECT_STATUS", "200");
            FastCgiRecords.Response hi = FastCgi.request(UnixDomainSocketAddress.of(prefix.resolve("run/www.sock")), params,
                    Duration.ofSeconds(10));
            assertEquals("hi it", hi.body(), () -> hi.stdout() + hi.stderr() + jfpm.dump());
            Path access = log.resolve("www.access.log");
            jfpm.pollUntil(() -> read(access).contains("\"GET /hi.php?x=1\" 200 www "),
                    Duration.ofSeconds(5), () -> "the access log line in " + access + ": " + read(access));
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no file)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long uid(String user) throws IOException {
        for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
            String[] f = line.split(":");
            if (f.length > 2 && f[0].equals(user)) {
                return Long.parseLong(f[2]);
            }
        }
        throw new AssertionError("no user " + user + " in /etc/passwd");
    }
}
