package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jfpm.scoreboard.SlotSnapshot;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8.4, leaks: spawn/exit cycles through {@code pm.max-requests = 1}: a worker that has served
 * a request is retired gracefully and the static policy spawns a replacement (spawn, TERM, reap,
 * respawn). The retirement is decided on the pool's 1 s tick, so a pool of 2 would give 2 cycles a
 * second; the test uses 30 C accept-loop workers and a paced request loop (about 30 retirements per
 * tick) for at most 1000 cycles or 40 s, whichever comes first. After a warm-up of 50 cycles the master's fd count (/proc/PID/fd) and
 * thread count (/proc/PID/status) are taken at rest; at the end, at rest again, they may exceed
 * those by a small slack only, no child of the master is a zombie, and no worker reported an
 * inherited descriptor beyond 0, 1, 2 (the C worker checks every fd at start and exits 3 saying so;
 * {@link WorkerDescriptorsTest} checks the same from /proc for python workers).
 */
class LeakTest {

    private static final String POOL = "leak";
    private static final int WORKERS = 30;
    private static final int CYCLES = 1000;
    private static final Duration BUDGET = Duration.ofSeconds(40);
    private static final int FD_SLACK = 6;
    private static final int THREAD_SLACK = 4;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void spawnExitCyclesLeaveTheMastersFdsAndThreadsFlatAndNoZombie() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.cAcceptLoop(), "preload").staticPm(WORKERS).pm("max-requests", 1)
                        // exec: every cycle is a new program whose start checks what it inherited (forked
                        // workers start in the middle of the template's program; WarmSpawnTest checks their fds)
                        .set("spawn-mode", "exec"))
                .start()) {
            jfpm.awaitIdle(POOL, WORKERS, Duration.ofSeconds(20));
            int[] failed = {0};
            cycle(jfpm, 50, Duration.ofSeconds(30), failed);
            int[] base = atRest(jfpm);
            long t0 = System.nanoTime();
            int exits0 = jfpm.exitedPids(POOL).size();
            int done = cycle(jfpm, exits0 + CYCLES, BUDGET, failed);
            double secs = (System.nanoTime() - t0) / 1e9;
            int[] after = atRest(jfpm);
            int exits = jfpm.exitedPids(POOL).size() - exits0;
            System.out.printf("leaks: %d requests, %d worker exits (spawn+reap cycles) in %.1f s (%.0f/s), %d failed requests;"
                            + " master fds %d -> %d, threads %d -> %d%n", done, exits, secs, exits / secs, failed[0],
                    base[0], after[0], base[1], after[1]);
            assertTrue(exits >= 300, "enough cycles to show a leak: " + exits);
            assertTrue(after[0] <= base[0] + FD_SLACK, "master fds " + base[0] + " -> " + after[0] + "\n" + jfpm.dump());
            assertTrue(after[1] <= base[1] + THREAD_SLACK, "master threads " + base[1] + " -> " + after[1]);
            List<String> inherited = jfpm.log().stream().filter(l -> l.contains("inherited fd")).toList();
            assertEquals(List.of(), inherited, "workers that found a descriptor beyond 0, 1, 2");
            assertTrue(jfpm.log().stream().noneMatch(l -> l.matches(".*\\[pool leak\\] child \\d+ exited with code 3.*")),
                    "no worker exited 3 (inherited fd)");
            assertTrue(failed[0] <= done / 20, failed[0] + " of " + done + " requests failed");
        }
    }

    /**
     * Requests one after the other, 5 ms apart, until {@code exits} workers have exited in all or
     * {@code budget} has passed; returns how many were made.
     */
    private static int cycle(Jfpm jfpm, int exits, Duration budget, int[] failed) {
        long end = System.nanoTime() + budget.toNanos();
        int i = 0;
        for (; jfpm.exitedPids(POOL).size() < exits && System.nanoTime() < end; i++) {
            Poll.sleep(Duration.ofMillis(5));
            try {
                Http.Response r = Http.get(jfpm.pool(POOL).address(), "/", Duration.ofSeconds(5));
                if (r.status() != 200) {
                    failed[0]++;
                }
            } catch (AssertionError e) {
                failed[0]++; // a connection taken by a worker in the instant its TERM arrived
            }
        }
        return i;
    }

    /**
     * Waits until every worker is a fresh one (idle, no request served: the retirements are over)
     * and no child is a zombie; returns the master's {fd count, thread count}.
     */
    private static int[] atRest(Jfpm jfpm) {
        jfpm.pollUntil(() -> {
            List<SlotSnapshot> s = jfpm.inUse(POOL);
            return s.size() == WORKERS && s.stream().allMatch(x -> x.pid() > 0 && x.isIdle() && x.requests() == 0)
                    && jfpm.workerPids(POOL).size() == WORKERS;
        }, Duration.ofSeconds(20), "every worker fresh and idle");
        jfpm.pollUntil(() -> Procs.zombieChildren(jfpm.pid()).isEmpty(), Duration.ofSeconds(10),
                () -> "no zombie child of the master; zombies: " + Procs.zombieChildren(jfpm.pid()));
        return new int[] {Procs.fds(jfpm.pid()).size(), Procs.threads(jfpm.pid())};
    }
}
