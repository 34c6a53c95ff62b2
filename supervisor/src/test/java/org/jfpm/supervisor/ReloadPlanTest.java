package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.PoolConfig;
import org.jfpm.supervisor.config.ConfigLoader;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.junit.jupiter.api.Test;

class ReloadPlanTest {

    private static List<PoolConfig> pools(String hocon) throws Exception {
        SupervisorConfig c = ConfigLoader.fromString("jfpm { status.listen = \"\", pools { " + hocon + " } }", "test");
        return c.pools();
    }

    private static Map<String, PoolConfig> running(List<PoolConfig> list) {
        Map<String, PoolConfig> m = new LinkedHashMap<>();
        list.forEach(p -> m.put(p.name(), p));
        return m;
    }

    @Test
    void diffsPoolByPool() throws Exception {
        List<PoolConfig> before = pools("""
                a { command = ["/bin/true"], listen = "127.0.0.1:9101" }
                b { command = ["/bin/true"], listen = "127.0.0.1:9102" }
                c { command = ["/bin/true"], listen = "127.0.0.1:9103" }
                """);
        List<PoolConfig> after = pools("""
                a { command = ["/bin/true"], listen = "127.0.0.1:9101" }
                b { command = ["/bin/true"], listen = "127.0.0.1:9102", env { X = "2" } }
                d { command = ["/bin/true"], listen = "127.0.0.1:9104" }
                """);
        ReloadPlan plan = ReloadPlan.diff(running(before), after);
        assertEquals(List.of("a"), plan.unchanged());
        assertEquals(List.of("b"), plan.changed().stream().map(PoolConfig::name).toList());
        assertEquals("2", plan.changed().get(0).env().get("X"), "the new config is carried");
        assertEquals(List.of("d"), plan.added().stream().map(PoolConfig::name).toList());
        assertEquals(List.of("c"), plan.removed());
        assertFalse(plan.changesNothing());
    }

    @Test
    void theSameFileChangesNothing() throws Exception {
        String hocon = "a { command = [\"/bin/true\"], listen = \"127.0.0.1:9101\", pm { mode = static, max-children = 2 } }";
        ReloadPlan plan = ReloadPlan.diff(running(pools(hocon)), pools(hocon));
        assertTrue(plan.changesNothing());
        assertEquals(List.of("a"), plan.unchanged());
    }

    @Test
    void restartLimitAllowsThreeFailuresPerMinute() {
        RestartLimit l = new RestartLimit(3, Duration.ofSeconds(60));
        long s = 1_000_000_000L;
        assertTrue(l.allowRestart(0));
        assertTrue(l.allowRestart(s));
        assertTrue(l.allowRestart(2 * s));
        assertFalse(l.allowRestart(3 * s), "a fourth within the window");
        assertTrue(l.allowRestart(61 * s), "the first ones aged out");
    }
}
