package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a reload does to the shape of the configuration: a pool's {@code listen} moves, a pool is
 * removed, a pool is added, and a pool the reload does not touch keeps its workers.
 */
class ReloadShapeTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private static PoolSpec python(String name, int children) {
        return PoolSpec.named(name, Workers.python(), "none").staticPm(children);
    }

    @Test
    void aPoolMovedToAnotherPortServesThereAndItsOldPortCloses() {
        PoolSpec a = python("a", 2);
        try (Jfpm jfpm = Jfpm.in(tmp).pool(a).start()) {
            jfpm.awaitWorkers("a", 2, "JFPM_POOL", "a", DEADLINE);
            SocketAddress old = a.address();
            assertEquals(200, Http.get(old, "/").status());

            jfpm.rewrite(b -> a.listenTcp());
            jfpm.hup();
            jfpm.pollUntil(() -> answersFromPool(a.address(), "a"), DEADLINE, "pool a to serve on its new address " + a.address());
            jfpm.pollUntil(() -> refused(old), DEADLINE, "the old address " + old + " to refuse connections after the drain");
            assertTrue(jfpm.alive(), "the master runs");
        }
    }

    @Test
    void aRemovedPoolsWorkersExitAndItsScoreboardGoesTheOtherPoolIsUntouched() {
        try (Jfpm jfpm = Jfpm.in(tmp).pool(python("keep", 2)).pool(python("gone", 2)).start()) {
            Set<Long> keep = jfpm.awaitWorkers("keep", 2, "JFPM_POOL", "keep", DEADLINE);
            Set<Long> gone = jfpm.awaitWorkers("gone", 2, "JFPM_POOL", "gone", DEADLINE);
            assertTrue(Files.exists(jfpm.scoreboardFile("gone")));

            jfpm.rewrite(b -> b.removePool("gone"));
            jfpm.hup();
            jfpm.pollUntil(() -> gone.stream().noneMatch(Procs::alive) && jfpm.workers("gone").isEmpty(), DEADLINE,
                    () -> "the workers " + gone + " of the removed pool to exit; live: " + jfpm.workerPids("gone"));
            jfpm.pollUntil(() -> !Files.exists(jfpm.scoreboardFile("gone")), DEADLINE,
                    "the removed pool's scoreboard file " + jfpm.scoreboardFile("gone") + " to be removed");
            assertEquals(keep, jfpm.workerPids("keep"), "pool keep has the same workers\n" + jfpm.dump());
            assertTrue(answersFromPool(jfpm.pool("keep").address(), "keep"), "pool keep serves");
            assertTrue(jfpm.alive(), "the master runs");
        }
    }

    @Test
    void anAddedPoolStartsAndServesTheOtherPoolIsUntouched() {
        try (Jfpm jfpm = Jfpm.in(tmp).pool(python("first", 2)).start()) {
            Set<Long> first = jfpm.awaitWorkers("first", 2, "JFPM_POOL", "first", DEADLINE);
            PoolSpec added = python("added", 2);

            jfpm.rewrite(b -> b.pool(added));
            jfpm.hup();
            jfpm.awaitWorkers("added", 2, "JFPM_POOL", "added", DEADLINE);
            jfpm.pollUntil(() -> answersFromPool(added.address(), "added"), DEADLINE, "the added pool to serve on " + added.address());
            assertTrue(Files.exists(jfpm.scoreboardFile("added")), "the added pool has its scoreboard file");
            assertEquals(first, jfpm.workerPids("first"), "pool first has the same workers\n" + jfpm.dump());
        }
    }

    @Test
    void aPoolTheReloadDoesNotChangeKeepsItsWorkers() {
        PoolSpec changed = python("changed", 2).set("env", Map.of(GracefulReloadTest.MARK, "gen1"));
        try (Jfpm jfpm = Jfpm.in(tmp).pool(python("same", 2)).pool(changed).start()) {
            Set<Long> same = jfpm.awaitWorkers("same", 2, "JFPM_POOL", "same", DEADLINE);
            jfpm.awaitWorkers("changed", 2, GracefulReloadTest.MARK, "gen1", DEADLINE);

            jfpm.rewrite(b -> changed.pm("max-children", 3).set("env", Map.of(GracefulReloadTest.MARK, "gen2")));
            jfpm.hup();
            jfpm.awaitWorkers("changed", 3, GracefulReloadTest.MARK, "gen2", DEADLINE);
            assertEquals(same, jfpm.workerPids("same"), "the unchanged pool kept its workers\n" + jfpm.dump());
            assertTrue(answersFromPool(jfpm.pool("same").address(), "same"), "pool same serves");
        }
    }

    /** A GET answered 200 by a worker of {@code pool} (false on any failure, for polling). */
    private static boolean answersFromPool(SocketAddress address, String pool) {
        try {
            Http.Response r = Http.get(address, "/", Duration.ofSeconds(2));
            return r.status() == 200 && r.body().contains("(pool " + pool + ",");
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Whether a TCP connect to {@code address} is refused (nobody listens there any more). */
    private static boolean refused(SocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect((InetSocketAddress) address, 1000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
