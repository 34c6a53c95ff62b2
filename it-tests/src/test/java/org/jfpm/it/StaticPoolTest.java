package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2: a static pool of two demo Java workers (worker SDK accounting) serves HTTP and heals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StaticPoolTest {

    private static final String POOL = "www";

    private Path tmp;
    private Jfpm jfpm;

    @BeforeAll
    void start(@TempDir Path dir) {
        tmp = dir;
        jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.javaHello(), "sdk").staticPm(2))
                .start();
        jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() {
        if (jfpm != null) {
            jfpm.close();
        }
    }

    @Test
    @Order(1)
    void servesHttpFromItsWorkers() {
        Set<Long> workers = jfpm.inUse(POOL).stream().map(SlotSnapshot::pid).collect(Collectors.toSet());
        Set<Long> answered = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            Http.Response r = Http.get(jfpm.pool(POOL).address(), "/");
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().startsWith("Hello from jfpm worker "), r.body());
            answered.add(r.workerPid());
        }
        assertTrue(workers.containsAll(answered), "answers came from " + answered + ", the pool's workers are " + workers);
        assertEquals(Set.copyOf(jfpm.livePids(POOL)), workers, "the log's live children are the scoreboard's");
    }

    @Test
    @Order(2)
    void respawnsAWorkerKilledWithSigkillIntoTheSameSlot() {
        List<SlotSnapshot> before = jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(10));
        SlotSnapshot victim = before.get(0);
        long other = before.get(1).pid();

        assertTrue(Procs.signal(victim.pid(), "KILL"));

        jfpm.awaitLog("\\[pool www\\] child " + victim.pid() + " exited on signal 9 \\(SIGKILL\\)", Duration.ofSeconds(10));
        long[] replacement = new long[1];
        jfpm.pollUntil(() -> {
            List<SlotSnapshot> now = jfpm.inUse(POOL);
            SlotSnapshot slot = now.stream().filter(s -> s.index() == victim.index()).findFirst().orElse(null);
            if (now.size() != 2 || slot == null || slot.pid() == 0 || slot.pid() == victim.pid() || !slot.isIdle()) {
                return false;
            }
            replacement[0] = slot.pid();
            return true;
        }, Duration.ofSeconds(30), () -> "slot " + victim.index() + " to hold a new idle worker instead of " + victim.pid());

        long fresh = replacement[0];
        assertNotEquals(victim.pid(), fresh);
        assertTrue(Procs.alive(fresh), "the replacement " + fresh + " is alive");
        assertTrue(!Procs.alive(victim.pid()), "the killed worker " + victim.pid() + " is gone");
        assertTrue(jfpm.startedPids(POOL).contains(fresh), "the log says child " + fresh + " started");
        assertEquals(Set.of(other, fresh), jfpm.inUse(POOL).stream().map(SlotSnapshot::pid).collect(Collectors.toSet()));
        assertEquals(Procs.ppid(fresh).orElseThrow(), jfpm.pid(), "the replacement is the supervisor's child");
        Http.Response r = Http.get(jfpm.pool(POOL).address(), "/");
        assertEquals(200, r.status(), r.body());
        assertTrue(Set.of(other, fresh).contains(r.workerPid()), "answered by a current worker: " + r.body());
    }
}
