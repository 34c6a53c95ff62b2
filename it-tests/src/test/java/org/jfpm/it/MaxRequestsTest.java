package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: {@code pm.max-requests = 3} retires a worker after its third request (jitter is
 * max-requests / 10, so 0 here) and a new one takes its place.
 */
class MaxRequestsTest {

    private static final String POOL = "recycle";

    @TempDir
    Path tmp;

    @Test
    void aWorkerIsRetiredAfterMaxRequestsAndReplaced() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(1).pm("max-requests", 3))
                .start()) {
            long first = jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15)).get(0).pid();
            for (int i = 1; i <= 3; i++) {
                Http.Response r = Http.get(jfpm.pool(POOL).address(), "/");
                assertEquals(200, r.status(), r.body());
                assertEquals(first, r.workerPid(), "request " + i + " is served by the only worker");
            }

            jfpm.pollUntil(() -> !Procs.alive(first) && jfpm.exitedPids(POOL).contains(first),
                    Duration.ofSeconds(10), "worker " + first + " to be retired after 3 requests");
            List<Long> started = jfpm.startedPids(POOL);
            long second = jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15)).get(0).pid();
            assertNotEquals(first, second);
            assertEquals(List.of(first, second), jfpm.startedPids(POOL), "one replacement was started; before: " + started);

            Http.Response r = Http.get(jfpm.pool(POOL).address(), "/");
            assertEquals(second, r.workerPid(), "the replacement serves: " + r.body());
            assertEquals(1, jfpm.inUse(POOL).size());
        }
    }
}
