package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: a dynamic pool (max 8, start 1, spare 1..2) of python workers with preload accounting
 * grows to max-children under 8 concurrent slow requests and shrinks back to max-spare after them.
 * Issue 9.3: with the default {@code pm.shrink = fast} it is back at max-spare within 3 s of the
 * burst's end; with {@code pm.shrink = gradual} it gives back one worker per tick, as PHP-FPM does.
 */
class DynamicPoolTest {

    private static final String POOL = "dyn";
    private static final int MAX = 8;
    private static final int MAX_SPARE = 2;
    private static final Duration FAST_SHRINK = Duration.ofSeconds(3);

    @TempDir
    Path tmp;

    @Test
    void growsToMaxChildrenUnderABurstAndFastShrinkIsBackAtMaxSpareWithin3s() {
        try (Jfpm jfpm = start(null)) {
            long end = burst(jfpm);

            jfpm.pollUntil(() -> atMaxSpare(jfpm), FAST_SHRINK.minusNanos(System.nanoTime() - end),
                    "the idle pool to shrink back to max-spare-servers = " + MAX_SPARE + " within "
                            + FAST_SHRINK.toMillis() + " ms of the burst's end (pm.shrink = fast)");
            long backMs = (System.nanoTime() - end) / 1_000_000;
            assertEquals(MAX - MAX_SPARE, jfpm.exitedPids(POOL).size(), "workers stopped by the shrink");
            System.out.printf("fast shrink: %d -> %d workers %d ms after the burst's end%n", MAX, MAX_SPARE, backMs);

            Poll.sleep(Duration.ofMillis(2500));
            assertEquals(MAX_SPARE, jfpm.workerPids(POOL).size(), () -> "and stays at max-spare:\n" + jfpm.dump());
        }
    }

    @Test
    void gradualShrinkGivesBackOneWorkerPerTick() {
        try (Jfpm jfpm = start("gradual")) {
            long end = burst(jfpm);

            // Sample the worker count (/proc) until it is back at max-spare; note when it drops.
            List<long[]> drops = new ArrayList<>(); // {nanos after the end, workers after the drop}
            int[] last = {MAX};
            jfpm.pollUntil(() -> {
                int n = jfpm.workerPids(POOL).size();
                if (n != last[0]) {
                    drops.add(new long[] {System.nanoTime() - end, n});
                    last[0] = n;
                }
                return n == MAX_SPARE && atMaxSpare(jfpm);
            }, Duration.ofSeconds(20), () -> "the idle pool to shrink back to max-spare-servers = " + MAX_SPARE
                    + " one worker per tick; drops so far " + render(drops));
            System.out.println("gradual shrink: " + render(drops));

            assertEquals(MAX - MAX_SPARE, drops.size(), "one drop per buried worker: " + render(drops));
            for (int i = 0; i < drops.size(); i++) {
                assertEquals(MAX - 1 - i, drops.get(i)[1], "one worker at a time: " + render(drops));
            }
            for (int i = 1; i < drops.size(); i++) {
                long gapMs = (drops.get(i)[0] - drops.get(i - 1)[0]) / 1_000_000;
                assertTrue(gapMs >= 400, "about one tick between two buries, not " + gapMs + " ms: " + render(drops));
            }
            long lastMs = drops.get(drops.size() - 1)[0] / 1_000_000;
            assertTrue(lastMs > FAST_SHRINK.toMillis(), "gradual takes longer than the fast rule: " + render(drops));
            assertEquals(MAX - MAX_SPARE, jfpm.exitedPids(POOL).size(), "workers stopped by the shrink");
        }
    }

    /** jfpm with the dynamic pool; {@code shrink} null leaves {@code pm.shrink} at its default. */
    private Jfpm start(String shrink) {
        PoolSpec pool = PoolSpec.named(POOL, Workers.python(), "preload").dynamicPm(MAX, 1, 1, MAX_SPARE);
        if (shrink != null) {
            pool.pm("shrink", shrink);
        }
        Jfpm jfpm = Jfpm.in(tmp).pool(pool).start();
        jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15));
        return jfpm;
    }

    /** MAX concurrent 2.5 s requests, served by MAX workers; returns when the last answer arrived. */
    private static long burst(Jfpm jfpm) {
        try (Load<Http.Response> burst = Load.get(MAX, jfpm.pool(POOL).address(), "/sleep?ms=2500")) {
            jfpm.pollUntil(() -> jfpm.inUse(POOL).size() == MAX
                            && jfpm.inUse(POOL).stream().filter(s -> !s.isIdle()).count() == MAX,
                    Duration.ofSeconds(6), "the pool to grow to " + MAX + " busy workers during the burst");

            List<Http.Response> answers = burst.await(Duration.ofSeconds(30));
            long end = System.nanoTime();
            for (Http.Response r : answers) {
                assertEquals(200, r.status(), r.body());
            }
            Set<Long> pids = answers.stream().map(Http.Response::workerPid).collect(Collectors.toSet());
            assertEquals(MAX, pids.size(), "the " + MAX + " concurrent requests were served by " + MAX + " workers: " + pids);
            return end;
        }
    }

    /** max-spare workers: as /proc, the scoreboard and the log tell. */
    private static boolean atMaxSpare(Jfpm jfpm) {
        return jfpm.workerPids(POOL).size() == MAX_SPARE && jfpm.inUse(POOL).size() == MAX_SPARE
                && jfpm.livePids(POOL).size() == MAX_SPARE;
    }

    private static String render(List<long[]> drops) {
        return drops.stream().map(d -> d[1] + " workers at +" + d[0] / 1_000_000 + " ms")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
