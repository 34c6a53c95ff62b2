package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2, end to end: nginx in front of a static pool of unmodified php-cgi workers managed by
 * jfpm serves a PHP script; the preload accept hook counts the requests in the scoreboard.
 */
class NginxPhpCgiTest {

    private static final int REQUESTS = 6;

    @TempDir
    Path tmp;

    @Test
    void nginxInFrontOfPhpCgiServesAScript() throws Exception {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(docroot.resolve("hi.php"), "php says hi <?= getmypid() ?>\n");
        PoolSpec pool = PoolSpec.named("php", Workers.phpCgi(), "preload").staticPm(2);
        try (Jfpm jfpm = Jfpm.in(tmp).pool(pool).start();
             Nginx nginx = Nginx.start(tmp.resolve("nginx"), "127.0.0.1:" + pool.port(), docroot)) {
            Set<Long> workers = jfpm.awaitIdle("php", 2, Duration.ofSeconds(20)).stream()
                    .map(SlotSnapshot::pid).collect(Collectors.toSet());
            assertEquals(Set.copyOf(jfpm.livePids("php")), workers, "the scoreboard's pids are the spawned children");

            for (int i = 0; i < REQUESTS; i++) {
                Http.Response r = Http.get(nginx.address(), "/hi.php");
                assertEquals(200, r.status(), () -> r.body() + "\n" + nginx.logs());
                assertTrue(r.body().startsWith("php says hi "), r.body());
                long pid = Long.parseLong(r.body().substring("php says hi ".length()).trim());
                assertTrue(workers.contains(pid), "answered by php-cgi " + pid + ", one of jfpm's workers " + workers);
            }

            jfpm.pollUntil(() -> jfpm.header("php").acceptedConn() == REQUESTS
                            && jfpm.inUse("php").stream().allMatch(SlotSnapshot::isIdle),
                    Duration.ofSeconds(5), "accepted conn = " + REQUESTS + " and both workers idle again");
            long perSlot = jfpm.inUse("php").stream().mapToLong(SlotSnapshot::requests).sum();
            assertEquals(REQUESTS, perSlot, "the slots' request counts add up to the requests sent");
            assertTrue(jfpm.inUse("php").stream().anyMatch(s -> s.requestDurationUs() > 0),
                    "a finished request has a duration");
        }
    }
}
