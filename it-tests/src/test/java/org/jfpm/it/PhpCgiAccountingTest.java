package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3: unmodified php-cgi workers with {@code accounting = preload}: the accept hook keeps the
 * idle/active counts right while slow requests run, and accepted conn equals the requests sent.
 */
class PhpCgiAccountingTest {

    private static final String POOL = "php";
    private static final int WORKERS = 4;
    private static final int QUICK = 5;
    private static final int SLOW = 3;

    @TempDir
    Path tmp;

    @Test
    void preloadAccountingCountsIdleActiveAndAcceptedConnections() throws Exception {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Path hi = Files.writeString(docroot.resolve("hi.php"), "php says hi <?= getmypid() ?>\n");
        Path sleep = Files.writeString(docroot.resolve("sleep.php"),
                "<?php usleep((int)($_GET['ms'] ?? 0) * 1000); echo 'slept ', getmypid(), \"\\n\";\n");
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(WORKERS))
                .start()) {
            jfpm.awaitIdle(POOL, WORKERS, Duration.ofSeconds(20));
            assertEquals(0, jfpm.header(POOL).acceptedConn(), "accepted conn before any request");

            for (int i = 0; i < QUICK; i++) {
                FastCgiRecords.Response r = FastCgi.request(jfpm.pool(POOL).address(), FastCgiRecords.params(hi.toString(), ""),
                        Duration.ofSeconds(10));
                assertTrue(r.body().startsWith("php says hi "), r.stdout() + r.stderr());
            }

            try (Load<FastCgiRecords.Response> slow = Load.start(SLOW, () -> FastCgi.request(jfpm.pool(POOL).address(),
                    FastCgiRecords.params(sleep.toString(), "ms=2500"), Duration.ofSeconds(20)))) {
                jfpm.pollUntil(() -> {
                    List<SlotSnapshot> s = jfpm.inUse(POOL);
                    long active = s.stream().filter(x -> !x.isIdle()).count();
                    return s.size() == WORKERS && active == SLOW && s.size() - active == WORKERS - SLOW;
                }, Duration.ofSeconds(5), SLOW + " active and " + (WORKERS - SLOW) + " idle workers during the slow requests");
                for (FastCgiRecords.Response r : slow.await(Duration.ofSeconds(20))) {
                    assertTrue(r.body().startsWith("slept "), r.stdout() + r.stderr());
                }
            }

            jfpm.pollUntil(() -> jfpm.inUse(POOL).stream().filter(SlotSnapshot::isIdle).count() == WORKERS,
                    Duration.ofSeconds(5), "all " + WORKERS + " workers idle again");
            assertEquals(QUICK + SLOW, jfpm.header(POOL).acceptedConn(), "accepted conn = requests sent");
            assertEquals(QUICK + SLOW, jfpm.inUse(POOL).stream().mapToLong(SlotSnapshot::requests).sum(),
                    "per-worker request counts add up to the requests sent");
        }
    }
}
