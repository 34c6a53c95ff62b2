package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: a dynamic pool (max 8, start 1, spare 1..2) of python workers with preload accounting
 * grows to max-children under 8 concurrent slow requests and shrinks back to max-spare after them.
 */
class DynamicPoolTest {

    private static final String POOL = "dyn";
    private static final int MAX = 8;
    private static final int MAX_SPARE = 2;

    @TempDir
    Path tmp;

    @Test
    void growsToMaxChildrenUnderABurstAndShrinksToMaxSpare() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").dynamicPm(MAX, 1, 1, MAX_SPARE))
                .start()) {
            jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15));

            try (Load<Http.Response> burst = Load.get(MAX, jfpm.pool(POOL).address(), "/sleep?ms=2500")) {
                jfpm.pollUntil(() -> jfpm.inUse(POOL).size() == MAX
                                && jfpm.inUse(POOL).stream().filter(s -> !s.isIdle()).count() == MAX,
                        Duration.ofSeconds(6), "the pool to grow to " + MAX + " busy workers during the burst");

                List<Http.Response> answers = burst.await(Duration.ofSeconds(30));
                for (Http.Response r : answers) {
                    assertEquals(200, r.status(), r.body());
                }
                Set<Long> pids = answers.stream().map(Http.Response::workerPid).collect(Collectors.toSet());
                assertEquals(MAX, pids.size(), "the " + MAX + " concurrent requests were served by " + MAX + " workers: " + pids);
            }

            jfpm.pollUntil(() -> jfpm.inUse(POOL).size() == MAX_SPARE && jfpm.livePids(POOL).size() == MAX_SPARE,
                    Duration.ofSeconds(20), "the idle pool to shrink back to max-spare-servers = " + MAX_SPARE);
            assertEquals(MAX - MAX_SPARE, jfpm.exitedPids(POOL).size(), "workers stopped by the shrink");
        }
    }
}
