package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jfpm.os.ListenAddress;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.junit.jupiter.api.Test;

class WorkerLaunchTest {

    private static PoolConfig pool(boolean clearEnv, Accounting accounting, Map<String, String> env, String user,
                                   String group, long nofile) {
        return new PoolConfig("www", List.of("/usr/bin/php-cgi"), ListenAddress.parse("127.0.0.1:9000"), 511, 0660,
                "", "", user, group, null, clearEnv, env, accounting, 15, false, nofile, 0, Duration.ZERO,
                Duration.ZERO, new PmConfig(PmMode.STATIC, 2, 0, 0, 0, 32, Duration.ofSeconds(10), 0));
    }

    private static final Map<String, String> PARENT = Map.of("PATH", "/usr/bin:/bin", "HOME", "/root",
            "PHP_FCGI_CHILDREN", "8", "LD_PRELOAD", "/evil.so");

    @Test
    void clearEnvKeepsOnlyPathPoolEnvAndJfpmVariables() {
        Map<String, String> env = WorkerLaunch.forSlot(WorkerLaunch.environment(
                pool(true, Accounting.SDK, Map.of("APP", "1"), "", "", 0), Path.of("/dev/shm/jfpm-www.scoreboard"),
                null, PARENT), 3);
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "APP", "1", "PHP_FCGI_MAX_REQUESTS", "0", "JFPM_POOL", "www",
                "JFPM_SCOREBOARD", "/dev/shm/jfpm-www.scoreboard", "JFPM_SCOREBOARD_FD", "3", "JFPM_SLOT", "3"), env);
    }

    @Test
    void noScoreboardFdWithoutAccounting() {
        Map<String, String> env = WorkerLaunch.environment(
                pool(true, Accounting.NONE, Map.of(), "", "", 0), Path.of("/dev/shm/jfpm-www.scoreboard"), null, PARENT);
        assertEquals(null, env.get("JFPM_SCOREBOARD_FD"));
        assertEquals("/dev/shm/jfpm-www.scoreboard", env.get("JFPM_SCOREBOARD"), "Leftovers find workers by it");
    }

    @Test
    void inheritedEnvNeverCarriesPhpFcgiChildrenOrAForeignPreload() {
        Map<String, String> env = WorkerLaunch.environment(pool(false, Accounting.PRELOAD, Map.of(), "", "", 0),
                Path.of("/sb"), Path.of("/tmp/libjfpm-preload.so"), PARENT);
        assertFalse(env.containsKey("PHP_FCGI_CHILDREN"));
        assertEquals("/tmp/libjfpm-preload.so", env.get("LD_PRELOAD"));
        assertEquals("/root", env.get("HOME"));
    }

    @Test
    void noWorkerInheritsTheServiceManagersVariables() {
        Map<String, String> parent = new java.util.HashMap<>(PARENT);
        parent.putAll(Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "1",
                "LISTEN_FDS", "1", "LISTEN_PID", "1", "LISTEN_FDNAMES", "www"));
        Map<String, String> env = WorkerLaunch.environment(pool(false, Accounting.NONE, Map.of(), "", "", 0),
                Path.of("/sb"), null, parent);
        for (String name : List.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
                "LISTEN_FDNAMES")) {
            assertFalse(env.containsKey(name), name + " in " + env);
        }
        assertEquals("/root", env.get("HOME"), "the rest is inherited");
        assertEquals(java.util.Set.of("LISTEN_FDNAMES", "LISTEN_FDS", "LISTEN_PID", "NOTIFY_SOCKET", "WATCHDOG_PID",
                "WATCHDOG_USEC"), WorkerLaunch.SERVICE_MANAGER_ENV);
    }

    @Test
    void aPoolMaySetItsOwnPhpFcgiMaxRequests() {
        Map<String, String> env = WorkerLaunch.environment(
                pool(true, Accounting.NONE, Map.of("PHP_FCGI_MAX_REQUESTS", "100"), "", "", 0), Path.of("/sb"),
                null, PARENT);
        assertEquals("100", env.get("PHP_FCGI_MAX_REQUESTS"));
        assertFalse(env.containsKey("LD_PRELOAD"));
    }

    @Test
    void prefixRaisesLimitsFirstThenDropsPrivileges() {
        List<String> prefix = WorkerLaunch.prefix(pool(true, Accounting.NONE, Map.of(), "nobody", "nogroup", 4096),
                null, 42);
        assertEquals(List.of("prlimit", "--nofile=4096:4096", "--", "setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "--"), prefix);
    }

    @Test
    void theLauncherComesLastAfterThePrivilegeDropWithTheMasterPid() {
        Path launcher = Path.of("/run/jfpm-native-1-x/jfpm-launch-0123456789abcdef");
        List<String> prefix = WorkerLaunch.prefix(pool(true, Accounting.NONE, Map.of(), "nobody", "nogroup", 4096),
                launcher, 4242);
        assertEquals(List.of("prlimit", "--nofile=4096:4096", "--", "setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "--", launcher.toString(), "4242"), prefix);
        assertEquals(List.of(launcher.toString(), "1"),
                WorkerLaunch.prefix(pool(true, Accounting.NONE, Map.of(), "", "", 0), launcher, 1),
                "alone when there is nothing to drop or raise");
    }

    @Test
    void thePreloadGoesToTheLauncherSoThatTheHelpersBeforeItRunWithoutIt() {
        Path launcher = Path.of("/run/jfpm-launch");
        List<String> prefix = WorkerLaunch.prefix(pool(true, Accounting.PRELOAD, Map.of(), "nobody", "nogroup", 0),
                launcher, 7, "/lib/jfpm.so");
        assertEquals(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                launcher.toString(), "7", "--ld-preload=/lib/jfpm.so"), prefix);
        Map<String, String> env = WorkerLaunch.withoutPreload(Map.of("LD_PRELOAD", "/lib/jfpm.so", "A", "1"));
        assertEquals(Map.of("A", "1"), env);
    }

    @Test
    void userWithoutGroupTakesThePrimaryGroupAndItsSupplementaryGroups() {
        List<String> prefix = WorkerLaunch.prefix(pool(true, Accounting.NONE, Map.of(), "root", "", 0), null, 42);
        assertEquals(List.of("setpriv", "--reuid=root", "--regid=0", "--init-groups", "--"), prefix);
        assertTrue(WorkerLaunch.prefix(pool(true, Accounting.NONE, Map.of(), "", "", 0), null, 42).isEmpty());
    }
}
