package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No orphans: when the master JVM is killed with SIGKILL (no handler, no cleanup runs), every worker
 * dies within 2 s, through the {@code PR_SET_PDEATHSIG = SIGKILL} that {@code jfpm-launch} arms at the
 * end of the launch chain. One run per accounting mode, with the worker that mode is made for.
 */
class NoOrphansTest {

    private static final String POOL = "orphans";
    private static final Duration DEADLINE = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "accounting = {0}")
    @CsvSource({"preload, php-cgi", "sdk, java", "none, python"})
    void everyWorkerDiesWithinTwoSecondsOfTheMastersSigkill(String accounting, String worker) {
        List<String> command = switch (worker) {
            case "php-cgi" -> Workers.phpCgi();
            case "java" -> Workers.javaHello();
            default -> Workers.python();
        };
        try (Jfpm jfpm = Jfpm.in(tmp).pool(PoolSpec.named(POOL, command, accounting).staticPm(3)).start()) {
            jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 3, Duration.ofSeconds(30), "3 workers started");
            List<Long> workers = jfpm.livePids(POOL);
            jfpm.pollUntil(() -> workers.stream().allMatch(Procs::alive), Duration.ofSeconds(10), "3 workers alive");
            jfpm.pollUntil(() -> workers.stream().allMatch(p -> Procs.ppid(p).orElse(-1L) == jfpm.pid()),
                    Duration.ofSeconds(10), "workers are the master's children");

            jfpm.signal("KILL");
            long killedAt = System.nanoTime();
            jfpm.pollUntil(() -> !jfpm.alive(), Duration.ofSeconds(5), "the master to die of SIGKILL");
            Poll.until(() -> workers.stream().noneMatch(Procs::alive), DEADLINE,
                    () -> "every worker of the SIGKILLed master to exit; still alive: "
                            + workers.stream().filter(Procs::alive).collect(Collectors.toList()),
                    jfpm::dump);
            long millis = (System.nanoTime() - killedAt) / 1_000_000;
            assertTrue(millis <= DEADLINE.toMillis() + 200, "workers gone " + millis + " ms after the kill");
            System.out.println("[NoOrphansTest] accounting=" + accounting + ": " + workers.size()
                    + " workers gone " + millis + " ms after SIGKILL of the master");
        }
    }
}
