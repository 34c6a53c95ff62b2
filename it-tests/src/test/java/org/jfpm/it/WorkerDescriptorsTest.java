package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, the worker contract: a worker holds exactly fds 0, 1 and 2; fd 0 is the pool's listening
 * socket (the one the supervisor holds) and is blocking; fd 1 and 2 are the supervisor's own.
 * The worker is the python accept loop with no accounting, which opens no descriptor of its own.
 */
class WorkerDescriptorsTest {

    private static final String POOL = "fds";

    @TempDir
    Path tmp;

    @Test
    void workersHoldExactlyStdioAndTheBlockingListeningSocket() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "none").staticPm(2).set("catch-workers-output", false))
                .start()) {
            jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 2, Duration.ofSeconds(15), "2 workers started");
            List<Long> workers = jfpm.livePids(POOL);
            Set<Integer> stdio = new TreeSet<>(List.of(0, 1, 2));
            for (long pid : workers) {
                jfpm.pollUntil(() -> Procs.fds(pid).equals(stdio), Duration.ofSeconds(10),
                        () -> "worker " + pid + " to hold exactly fds 0,1,2; holds " + Procs.fds(pid));
            }
            // both serve: the socket on fd 0 is a working listener
            Http.Response r = Http.get(jfpm.pool(POOL).address(), "/");
            assertEquals(200, r.status(), r.body());
            assertTrue(workers.contains(r.workerPid()), r.body());

            Set<String> masterFds = new HashSet<>();
            for (int fd : Procs.fds(jfpm.pid())) {
                try {
                    masterFds.add(Procs.fdTarget(jfpm.pid(), fd));
                } catch (AssertionError closedMeanwhile) {
                    // a descriptor the JVM closed between listing and reading
                }
            }
            for (long pid : workers) {
                // the worker that served the request above may still be closing its connection
                jfpm.pollUntil(() -> Procs.fds(pid).equals(stdio), Duration.ofSeconds(10),
                        () -> "worker " + pid + " to hold exactly fds 0,1,2 after serving; holds " + Procs.fds(pid));
                String fd0 = Procs.fdTarget(pid, 0);
                assertTrue(fd0.startsWith("socket:["), "fd 0 of " + pid + " is a socket: " + fd0);
                assertTrue(masterFds.contains(fd0), "fd 0 of " + pid + " (" + fd0 + ") is a socket the supervisor holds: "
                        + masterFds);
                int flags = Procs.fdFlags(pid, 0);
                assertEquals(0, flags & Procs.O_NONBLOCK,
                        "fd 0 of " + pid + " must be blocking; fdinfo flags 0" + Integer.toOctalString(flags));
                assertEquals(Procs.fdTarget(jfpm.pid(), 1), Procs.fdTarget(pid, 1), "fd 1 of " + pid + " is the supervisor's");
                assertEquals(Procs.fdTarget(jfpm.pid(), 2), Procs.fdTarget(pid, 2), "fd 2 of " + pid + " is the supervisor's");
            }
        }
    }
}
