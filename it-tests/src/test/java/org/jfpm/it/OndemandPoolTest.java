package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: an ondemand pool has no worker at rest, spawns one for the first request, and returns to
 * zero once that worker has been idle for process-idle-timeout.
 */
class OndemandPoolTest {

    private static final String POOL = "lazy";
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @Test
    void startsEmptyServesTheFirstRequestAndReturnsToZero() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").ondemandPm(4, IDLE_TIMEOUT.toSeconds() + "s"))
                .start()) {
            jfpm.pollUntil(() -> jfpm.header(POOL) != null, Duration.ofSeconds(5), "the scoreboard to be readable");
            assertEquals(List.of(), jfpm.inUse(POOL), "no worker at rest");
            assertEquals(List.of(), jfpm.startedPids(POOL), "no child started at rest");

            Http.Response first = Http.get(jfpm.pool(POOL).address(), "/", Duration.ofSeconds(10));
            long servedAt = System.nanoTime();
            assertEquals(200, first.status(), first.body());
            long pid = first.workerPid();
            jfpm.pollUntil(() -> jfpm.startedPids(POOL).contains(pid), Duration.ofSeconds(5),
                    "the log line: child " + pid + " started");
            assertEquals(List.of(pid), jfpm.startedPids(POOL), "one child was started for one request, and it answered");

            jfpm.pollUntil(() -> jfpm.inUse(POOL).isEmpty() && !Procs.alive(pid) && jfpm.exitedPids(POOL).contains(pid),
                    IDLE_TIMEOUT.plusSeconds(6), "the idle worker " + pid + " to be stopped and its slot freed");
            Duration idleFor = Duration.ofNanos(System.nanoTime() - servedAt);
            assertTrue(idleFor.compareTo(IDLE_TIMEOUT.minusMillis(300)) >= 0,
                    "the worker was stopped after " + idleFor.toMillis() + " ms idle, before process-idle-timeout "
                            + IDLE_TIMEOUT.toMillis() + " ms");
            assertTrue(jfpm.logContains("child " + pid + " has been killed by the process management"),
                    "the log says the process manager stopped " + pid);
        }
    }
}
