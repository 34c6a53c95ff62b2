package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8.4, crash storms: one jfpm with three broken pools (a command that exits at once,
 * {@code /bin/false}; one that SIGSEGVs itself at start; one that never accepts, {@code sleep 3600})
 * beside a healthy python pool. Over a 15 s window (after the backoff of both crashing pools has
 * kicked in): the master's CPU (utime + stime of /proc/PID/stat) stays under 20% of one core, its
 * {@code /ping} answers every time, and the healthy pool serves every request. The respawns of the
 * crashing pools in the window are counted and bounded (the backoff caps them).
 */
class CrashStormTest {

    private static final Duration WINDOW = Duration.ofSeconds(15);
    private static final double CLK_TCK = 100.0; // getconf CLK_TCK on Linux x86-64/arm64
    private static final Map<String, List<String>> BROKEN = new LinkedHashMap<>();

    static {
        BROKEN.put("exits", List.of("/bin/false"));
        BROKEN.put("segv", List.of("/bin/sh", "-c", "kill -SEGV $$"));
        BROKEN.put("hangs", List.of("/bin/sleep", "3600"));
    }

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void brokenPoolsCostTheMasterLittleAndTheHealthyPoolServesThroughout() {
        Jfpm.Builder b = Jfpm.in(tmp).status()
                .pool(PoolSpec.named("ok", Workers.python(), "none").staticPm(2));
        BROKEN.forEach((name, cmd) -> b.pool(PoolSpec.named(name, cmd, "none").staticPm(2)));
        try (Jfpm jfpm = b.start()) {
            jfpm.awaitWorkers("ok", 2, "JFPM_POOL", "ok", Duration.ofSeconds(20));
            for (String crashing : List.of("exits", "segv")) {
                jfpm.awaitLog("\\[pool " + crashing + "\\] \\d+ children in a row exited within 1 s of their start; delaying",
                        Duration.ofSeconds(20));
            }
            Map<String, Integer> startedBefore = started(jfpm);
            long ticks0 = Procs.cpuTicks(jfpm.pid());
            long t0 = System.nanoTime();
            int served = 0;
            int pings = 0;
            long end = t0 + WINDOW.toNanos();
            while (System.nanoTime() < end) {
                Http.Response r = Http.get(jfpm.pool("ok").address(), "/", Duration.ofSeconds(2));
                assertEquals(200, r.status(), "healthy pool, request " + (served + 1) + ": " + r.body() + "\n" + jfpm.dump());
                served++;
                if (served % 5 == 0) {
                    Http.Response ping = Http.get(jfpm.statusAddress(), "/ping", Duration.ofSeconds(2));
                    assertEquals("pong", ping.body().trim(), "status /ping " + (pings + 1));
                    pings++;
                }
                Poll.sleep(Duration.ofMillis(50));
            }
            long ticks1 = Procs.cpuTicks(jfpm.pid());
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpuPercent = 100.0 * (ticks1 - ticks0) / CLK_TCK / wall;
            Map<String, Integer> startedAfter = started(jfpm);
            StringBuilder spawns = new StringBuilder();
            startedAfter.forEach((pool, n) -> spawns.append(' ').append(pool).append('=').append(n - startedBefore.get(pool)));
            System.out.printf("crash storm: %.1f s window, master cpu %.1f%% of a core (%d ticks), %d requests served, "
                    + "%d pings, spawns in the window:%s%n", wall, cpuPercent, ticks1 - ticks0, served, pings, spawns);
            assertTrue(cpuPercent < 20.0, "master cpu " + cpuPercent + "% of a core over " + wall + " s\n" + jfpm.dump());
            assertTrue(served >= 100, "the healthy pool served throughout: " + served);
            for (String crashing : List.of("exits", "segv")) {
                int n = startedAfter.get(crashing) - startedBefore.get(crashing);
                assertTrue(n <= 40, "pool " + crashing + " respawned " + n + " times in " + WINDOW.toSeconds()
                        + " s: the backoff should cap it");
            }
            assertEquals(startedBefore.get("hangs"), startedAfter.get("hangs"),
                    "a worker that never accepts is not respawned (it does not exit)");
            assertTrue(jfpm.alive(), "the master runs");
        }
    }

    private static Map<String, Integer> started(Jfpm jfpm) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (String pool : List.of("ok", "exits", "segv", "hangs")) {
            n.put(pool, jfpm.startedPids(pool).size());
        }
        return n;
    }
}
