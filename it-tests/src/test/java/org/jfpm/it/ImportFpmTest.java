package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.1 end to end: {@code jfpm import-fpm} on Debian's stock php8.2-fpm configuration
 * (unmodified copies of {@code /etc/php/8.2/fpm/php-fpm.conf} and {@code pool.d/www.conf}, from the
 * supervisor's test resources) gives a configuration that passes {@code --test}, runs php-cgi as
 * www-data on a unix socket owned by www-data, and serves a PHP script behind nginx configured as a
 * Debian site is: {@code include snippets/fastcgi-php.conf; fastcgi_pass unix:...sock;}.
 * <p>
 * What the test changes, and why: the copies live under a temporary {@code etc/php/8.2/fpm/}, so
 * php-fpm.conf's absolute {@code include=/etc/php/8.2/fpm/pool.d/*.conf} is pointed at the copy; and
 * in the imported HOCON, {@code /run/php/} (the socket and the pid file) becomes a temporary
 * {@code run/php/}, since /run/php exists only where php-fpm's tmpfiles.d entry made it and a real
 * php-fpm may be using it. The test then appends its own {@code scoreboard-dir} (for cleanup) and a short
 * {@code process-control-timeout}. nginx's fastcgi_pass names the same socket path as the pool's listen.
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
        assertTrue(warnings.contains("WARNING: " + fpm.resolve("php-fpm.conf") + ":26: error_log = /var/log/php8.2-fpm.log:"
                + " recognised, not yet supported by jfpm (no log-file key): jfpm logs to stderr; until it has a log file,"
                + " redirect stderr (systemd: StandardError=append:/var/log/php8.2-fpm.log)"), imported.stderr());
        assertTrue(warnings.stream().anyMatch(l -> l.startsWith("WARNING: " + fpm.resolve("pool.d/www.conf")
                + ":4: [www]: PHP-FPM's default security.limit_extensions = .php .phar")), imported.stderr());
        int expected = 2 + (cgi82 ? 0 : 1) + (runPhp ? 0 : 1);
        assertEquals(expected, warnings.size(), "warnings (php-cgi8.2 installed: " + cgi82 + ", /run/php exists: "
                + runPhp + "):\n" + imported.stderr());
        String hocon = imported.stdout();
        assertTrue(hocon.contains("command = [\"" + (cgi82 ? "/usr/bin/php-cgi8.2" : "php-cgi") + "\"]"), hocon);
        assertTrue(hocon.contains("listen = \"unix:/run/php/php8.2-fpm.sock\""), hocon);
        assertTrue(hocon.contains("pid-file = \"/run/php/php8.2-fpm.pid\""), hocon);

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
                + "jfpm.process-control-timeout = 3s\n";
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
