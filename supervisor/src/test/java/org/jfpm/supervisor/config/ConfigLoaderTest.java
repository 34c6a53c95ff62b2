package org.jfpm.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jfpm.os.ListenAddress;
import org.jfpm.pool.PmConfig;
import org.jfpm.pool.ShrinkMode;
import org.jfpm.pool.PoolLogs;
import org.jfpm.pool.SpawnMode;
import org.jfpm.pool.PoolConfig;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path tmp;

    @Test
    void everyKeyRoundTripsIntoTheRecords() throws Exception {
        String hocon = """
                jfpm {
                  scoreboard-dir = "%1$s"
                  pid-file = "%1$s/jfpm.pid"
                  process-control-timeout = 30s
                  emergency-restart-threshold = 10
                  emergency-restart-interval = 1m
                  log-level = notice
                  log-file = "%1$s/jfpm.log"
                  log-limit = 4096
                  syslog { ident = "php-fpm", facility = LOCAL3 }
                  status.listen = "[::1]:9101"
                  pools {
                    www {
                      command = ["/bin/sh", "-c", "exec php-cgi", 7]
                      listen = "unix:%1$s/www.sock"
                      listen-backlog = 1024
                      listen-mode = "0600"
                      listen-owner = "nobody"
                      listen-group = "nogroup"
                      user = "nobody"
                      group = "nogroup"
                      chdir = "%1$s"
                      clear-env = false
                      env { APP_ENV = prod, WORKERS = 4, DEBUG = true }
                      accounting = sdk
                      stop-signal = SIGQUIT
                      catch-workers-output = yes
                      rlimit-files = 4096
                      rlimit-core = unlimited
                      request-terminate-timeout = 2m
                      request-slowlog-timeout = 500ms
                      spawn-mode = exec
                      access-format = "%%m %%r %%s %%{mili}d"
                      slowlog = "%1$s/slow.log"
                      pm {
                        mode = dynamic
                        max-children = 50
                        start-servers = 7
                        min-spare-servers = 5
                        max-spare-servers = 10
                        max-spawn-rate = 8
                        process-idle-timeout = 20s
                        max-requests = 1000
                        shrink = gradual
                      }
                    }
                  }
                }
                """.formatted(tmp);
        SupervisorConfig c = ConfigLoader.fromString(hocon, "round-trip");

        assertEquals(tmp, c.scoreboardDir());
        assertEquals(tmp.resolve("jfpm.pid"), c.pidFile());
        assertEquals(Duration.ofSeconds(30), c.processControlTimeout());
        assertEquals(10, c.emergencyRestartThreshold());
        assertEquals(Duration.ofMinutes(1), c.emergencyRestartInterval());
        assertEquals("notice", c.logLevel());
        assertEquals(new MasterLog(tmp.resolve("jfpm.log"), false, 4096, "php-fpm", 19), c.log());
        assertEquals(Optional.of(new ListenAddress.Tcp("::1", 9101)), c.statusListen());
        assertEquals("round-trip", c.source());
        PoolConfig expected = new PoolConfig("www", List.of("/bin/sh", "-c", "exec php-cgi", "7"),
                new ListenAddress.Unix(tmp.resolve("www.sock")), 1024, 0600, "nobody", "nogroup", "nobody", "nogroup",
                tmp, false, Map.of("APP_ENV", "prod", "WORKERS", "4", "DEBUG", "true"), Accounting.SDK, 3, true,
                4096, -1, Duration.ofMinutes(2), Duration.ofMillis(500),
                new PmConfig(PmMode.DYNAMIC, 50, 7, 5, 10, 8, Duration.ofSeconds(20), 1000, ShrinkMode.GRADUAL),
                SpawnMode.EXEC, new PoolLogs(null, "%m %r %s %{mili}d", tmp.resolve("slow.log"), PoolLogs.DEFAULT_LOG_LIMIT));
        // (no access log: the pool does not carry log-limit, so a changed limit does not restart it)
        assertEquals(List.of(expected), c.pools());
        assertEquals(Optional.of(expected), c.pool("www"));
    }

    @Test
    void aPoolNeedsOnlyCommandAndListen() throws Exception {
        SupervisorConfig c = ConfigLoader.fromString("""
                jfpm.pools.www { command = ["/bin/sh"], listen = "127.0.0.1:9000" }
                """, "minimal");
        assertEquals(Path.of("/dev/shm"), c.scoreboardDir());
        assertNull(c.pidFile());
        assertEquals(Duration.ofSeconds(10), c.processControlTimeout());
        assertEquals(0, c.emergencyRestartThreshold());
        assertEquals(Duration.ZERO, c.emergencyRestartInterval());
        assertEquals("info", c.logLevel());
        assertEquals(MasterLog.STDERR, c.log());
        assertEquals(Optional.empty(), c.statusListen());
        PoolConfig expected = new PoolConfig("www", List.of("/bin/sh"), new ListenAddress.Tcp("127.0.0.1", 9000),
                511, 0660, "", "", "", "", null, true, Map.of(), Accounting.PRELOAD, 15, false, 0, 0,
                Duration.ZERO, Duration.ZERO,
                new PmConfig(PmMode.DYNAMIC, 5, 2, 1, 3, 32, Duration.ofSeconds(10), 0, ShrinkMode.FAST),
                SpawnMode.AUTO);
        assertEquals(List.of(expected), c.pools());
    }

    @Test
    void logsDefaultToPhpFpmsAndTakeTheGlobalLimit() throws Exception {
        PoolConfig p = onePool("pm { mode = dynamic }");
        assertEquals(new PoolLogs(null, "%R - %u %t \"%m %r\" %s", null, 1024), p.logs());
        SupervisorConfig c = ConfigLoader.fromString("""
                jfpm {
                  log-file = syslog
                  log-limit = 2048
                  pools.www { command = ["/bin/sh"], listen = "127.0.0.1:9000", access-log = "%1$s/access.log" }
                }
                """.formatted(tmp), "logs");
        assertEquals(new MasterLog(null, true, 2048, "jfpm", 3), c.log());
        assertEquals("syslog", c.log().describe());
        assertEquals(new PoolLogs(tmp.resolve("access.log"), PoolLogs.DEFAULT_ACCESS_FORMAT, null, 2048), c.pools().get(0).logs());
    }

    @Test
    void spawnModeIsAutoByDefaultAndForkNeedsPreload() throws Exception {
        assertEquals(SpawnMode.AUTO, onePool("pm { mode = dynamic }").spawnMode());
        assertEquals(SpawnMode.FORK, onePool("spawn-mode = Fork").spawnMode());
        assertTrue(onePool("spawn-mode = auto").wantsTemplate(), "auto with the default accounting (preload) forks");
        assertFalse(onePool("spawn-mode = auto, accounting = sdk").wantsTemplate(), "auto with sdk execs");
        assertFalse(onePool("spawn-mode = exec").wantsTemplate());
    }

    @Test
    void shrinkIsFastByDefaultAndAcceptsGradualInAnyCase() throws Exception {
        assertEquals(ShrinkMode.FAST, onePool("pm { mode = dynamic }").pm().shrink());
        assertEquals(ShrinkMode.GRADUAL, onePool("pm { shrink = gradual }").pm().shrink());
        assertEquals(ShrinkMode.GRADUAL, onePool("pm { shrink = \" Gradual \" }").pm().shrink());
        assertEquals(ShrinkMode.FAST, onePool("pm { shrink = FAST }").pm().shrink());
    }

    @Test
    void startServersDefaultsToPhpFpmsMidpoint() throws Exception {
        PmConfig pm = onePool("pm { max-children = 20, min-spare-servers = 2, max-spare-servers = 7 }").pm();
        assertEquals(2 + (7 - 2) / 2, pm.startServers());
        assertEquals(pm, onePool("pm { max-children = 20, min-spare-servers = 2, max-spare-servers = 7, start-servers = 0 }").pm());
    }

    @Test
    void staticAndOndemandIgnoreTheSpareSettingsAsPhpFpmDoes() throws Exception {
        PmConfig st = onePool("pm { mode = static, max-children = 2, min-spare-servers = 9, max-spare-servers = 1 }").pm();
        assertEquals(new PmConfig(PmMode.STATIC, 2, 2, 0, 0, 32, Duration.ofSeconds(10), 0), st);
        PmConfig od = onePool("pm { mode = ondemand, max-children = 3, process-idle-timeout = 500ms }").pm();
        assertEquals(new PmConfig(PmMode.ONDEMAND, 3, 0, 0, 0, 32, Duration.ofMillis(500), 0), od);
    }

    @Test
    void acceptsSignalNamesNumbersAndOctalModesAsPhpFpmUsersWriteThem() throws Exception {
        assertEquals(15, onePool("stop-signal = SIGTERM").stopSignal());
        assertEquals(15, onePool("stop-signal = term").stopSignal());
        assertEquals(15, onePool("stop-signal = 15").stopSignal());
        assertEquals(3, onePool("stop-signal = QUIT").stopSignal());
        assertEquals(0660, onePool("listen-mode = 660").listenMode());
        assertEquals(0660, onePool("listen-mode = 0660").listenMode());
        assertEquals(0755, onePool("listen-mode = \"755\"").listenMode());
        assertEquals(Duration.ZERO, onePool("request-terminate-timeout = 0").requestTerminateTimeout());
        assertEquals(Accounting.SDK, onePool("accounting = SDK").accounting());
        assertEquals(Accounting.NONE, onePool("accounting = none").accounting());
        assertEquals(List.of("sh"), onePool("command = [sh]").command());
    }

    @Test
    void userPoolDefaultsApplyToEveryPoolAndAPoolsOwnValueWins() throws Exception {
        SupervisorConfig c = ConfigLoader.fromString("""
                jfpm {
                  pool-defaults { command = ["/bin/sh"], user = nobody, env { A = 1 }, pm.max-children = 8 }
                  pools {
                    a { listen = "127.0.0.1:9000" }
                    b { listen = "127.0.0.1:9001", user = "", env { B = 2 }, pm { mode = static } }
                  }
                }
                """, "defaults");
        PoolConfig a = c.pool("a").orElseThrow();
        PoolConfig b = c.pool("b").orElseThrow();
        assertEquals(List.of("/bin/sh"), b.command());
        assertEquals("nobody", a.user());
        assertEquals("", b.user());
        assertEquals(Map.of("A", "1"), a.env());
        assertEquals(Map.of("A", "1", "B", "2"), b.env());
        assertEquals(8, a.pm().maxChildren());
        assertEquals(new PmConfig(PmMode.STATIC, 8, 8, 0, 0, 32, Duration.ofSeconds(10), 0), b.pm());
    }

    @Test
    void poolsKeepTheirFileOrder() throws Exception {
        SupervisorConfig c = ConfigLoader.fromString("""
                jfpm.pools {
                  zeta { command = ["/bin/sh"], listen = "127.0.0.1:9000" }
                  alpha { command = ["/bin/sh"], listen = "127.0.0.1:9001" }
                  mid { command = ["/bin/sh"], listen = "127.0.0.1:9002" }
                }
                """, "order");
        assertEquals(List.of("zeta", "alpha", "mid"), c.pools().stream().map(PoolConfig::name).toList());
    }

    @Test
    void reportsEveryErrorAtOnce() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromString("""
                jfpm {
                  log-level = loud
                  process-control-timeout = 10
                  pools {
                    www { command = [], listen = "127.0.0.1:9000", pm { max-children = 0, mode = fast } }
                    api { command = ["/bin/sh"], listen = "127.0.0.1:9000", accounting = magic, colour = blue }
                  }
                }
                """, "many"));
        List<String> keys = e.errors().stream().map(ConfigError::key).toList();
        assertEquals(new HashSet<>(List.of(
                "jfpm.log-level", "jfpm.process-control-timeout",
                "jfpm.pools.www.command", "jfpm.pools.www.pm.max-children", "jfpm.pools.www.pm.mode",
                "jfpm.pools.api.listen", "jfpm.pools.api.accounting", "jfpm.pools.api.colour")), new HashSet<>(keys),
                e::getMessage);
        assertEquals(8, keys.size(), e::getMessage);
        assertEquals(8, e.getMessage().lines().count());
    }

    @Test
    void theMessageHasOneLinePerErrorWithKeyValueAndExpectation() {
        ConfigException e = assertThrows(ConfigException.class, () -> onePool("pm.max-children = 0"));
        assertEquals("jfpm.pools.www.pm.max-children = 0: expected an integer between 1 and 65536", e.getMessage());
    }

    @Test
    void theEmbeddedConfigurationLoadsWhenTheJarPathIsKnown() throws Exception {
        String previous = System.getProperty("jfpm.jar");
        System.setProperty("jfpm.jar", "/opt/jfpm/jfpm.jar");
        try {
            SupervisorConfig c = ConfigLoader.load(null);
            assertEquals(ConfigLoader.EMBEDDED, c.source());
            assertEquals(Optional.of(new ListenAddress.Tcp("127.0.0.1", 9001)), c.statusListen());
            PoolConfig demo = c.pool("demo").orElseThrow();
            assertEquals(List.of("demo"), c.pools().stream().map(PoolConfig::name).toList());
            assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), demo.command().get(0));
            List<String> tail = demo.command().subList(demo.command().size() - 3, demo.command().size());
            assertEquals(List.of("-cp", "/opt/jfpm/jfpm.jar", "org.jfpm.demo.HelloWorker"), tail);
            assertEquals(new ListenAddress.Tcp("127.0.0.1", 8080), demo.listen());
            assertEquals(Accounting.SDK, demo.accounting());
            assertEquals(15, demo.stopSignal());
            assertEquals(new PmConfig(PmMode.DYNAMIC, 4, 2, 1, 3, 32, Duration.ofSeconds(10), 0), demo.pm());
        } finally {
            restore("jfpm.jar", previous);
        }
    }

    @Test
    void theEmbeddedConfigurationNamesTheMissingJarPath() {
        String previous = System.getProperty("jfpm.jar");
        System.clearProperty("jfpm.jar");
        try {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null));
            assertEquals(ConfigError.FILE, e.errors().get(0).key());
            assertEquals(ConfigLoader.EMBEDDED, e.errors().get(0).value());
            assertTrue(e.errors().get(0).expected().contains("${jfpm.jar}"), e::getMessage);
        } finally {
            restore("jfpm.jar", previous);
        }
    }

    @Test
    void loadsAFileWithIncludesAndEnvironmentSubstitutions() throws Exception {
        Files.writeString(tmp.resolve("pool.conf"), "command = [\"/bin/sh\"]\nchdir = ${HOME}\n");
        Path main = tmp.resolve("jfpm.conf");
        Files.writeString(main, "jfpm.pools.www { include \"pool.conf\"\n listen = \"127.0.0.1:9000\" }\n");
        SupervisorConfig c = ConfigLoader.load(main);
        assertEquals(main.toString(), c.source());
        assertEquals(Path.of(System.getenv("HOME")), c.pools().get(0).chdir());
    }

    @Test
    void aMissingFileIsOneFileError() {
        Path missing = tmp.resolve("nope.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(List.of(new ConfigError("(file)", missing.toString(), "an existing, readable HOCON file")), e.errors());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(tmp));
    }

    @Test
    void aSyntaxErrorIsOneFileErrorWithTheLine() throws Exception {
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "jfpm {\n  pools {\n    www { listen = \n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(bad));
        assertEquals(1, e.errors().size());
        ConfigError error = e.errors().get(0);
        assertEquals("(file)", error.key());
        assertEquals(bad.toString(), error.value());
        assertTrue(error.expected().startsWith("valid HOCON (") && error.expected().contains("bad.conf: 4: "), error::toString);
    }

    @Test
    void anUnresolvedSubstitutionIsOneFileError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromString("jfpm.pools.www { command = [${NO_SUCH_VAR_JFPM}], listen = \"127.0.0.1:9000\" }", "subst"));
        assertEquals(1, e.errors().size());
        assertTrue(e.errors().get(0).expected().contains("${NO_SUCH_VAR_JFPM}"), e::getMessage);
    }

    @Test
    void statusOverFastCgiIsOffByDefaultAndTakesThePoolsListenSettings() throws Exception {
        SupervisorConfig c = ConfigLoader.fromString("""
                jfpm.pools.www { command = ["/bin/sh"], listen = "127.0.0.1:9000" }
                jfpm.pools.api {
                  command = ["/bin/sh"], listen = "unix:/run/api.sock", listen-mode = "0600", listen-backlog = 64
                  status-listen = "unix:/run/api-status.sock", status-path = "/fpm-status", ping-path = "/ping", ping-response = "ok"
                }
                jfpm.pools.tcp { command = ["/bin/sh"], listen = "127.0.0.1:9100", status-listen = "127.0.0.1:9101", status-path = "" }
                """, "status");
        assertEquals(List.of(
                new FastCgiStatus("www", Optional.empty(), "/status", "", "pong", 511, 0660, "", ""),
                new FastCgiStatus("api", Optional.of(new ListenAddress.Unix(Path.of("/run/api-status.sock"))), "/fpm-status", "/ping", "ok",
                        64, 0600, "", ""),
                new FastCgiStatus("tcp", Optional.of(new ListenAddress.Tcp("127.0.0.1", 9101)), "", "", "pong", 511, 0660, "", "")),
                c.fastCgiStatus());
        assertEquals(List.of("api", "tcp"), c.statusListens().stream().map(FastCgiStatus::pool).toList());
    }

    @Test
    void theReferenceDefaultsAndTheAcceptedKeysAgree() {
        ConfigObject reference = ConfigLoader.reference();
        assertEquals(ConfigLoader.GLOBAL_KEYS, reference.keySet());
        ConfigObject pool = (ConfigObject) reference.get("pool-defaults");
        Set<String> poolKeys = new HashSet<>(PoolReader.POOL_KEYS);
        poolKeys.removeAll(Set.of("command", "listen"));
        assertEquals(poolKeys, pool.keySet());
        Set<String> pmKeys = new HashSet<>(PoolReader.PM_KEYS);
        pmKeys.remove("start-servers");
        assertEquals(pmKeys, ((ConfigObject) pool.get("pm")).keySet());
        assertFalse(pool.containsKey("start-servers"));
    }

    private static PoolConfig onePool(String settings) throws ConfigException {
        return ConfigLoader.fromString("jfpm.pools.www { command = [\"/bin/sh\"], listen = \"127.0.0.1:9000\"\n"
                + settings + "\n}", "one pool").pools().get(0);
    }

    private static void restore(String property, String previous) {
        if (previous == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, previous);
        }
    }
}
