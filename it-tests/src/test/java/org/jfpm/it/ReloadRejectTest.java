package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGHUP with a broken configuration file changes nothing: first a validation error
 * ({@code pm.max-children = -1}), then a file that is not valid HOCON. Each time the master logs
 * the error naming the key ({@code (file)} for the syntax error), keeps running, the workers are
 * exactly the same processes, and the pool's socket still serves.
 */
class ReloadRejectTest {

    private static final Duration LOG_DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path tmp;

    @Test
    void aBrokenConfigurationIsRejectedAndTheRunningPoolsStayAsTheyAre() {
        PoolSpec www = PoolSpec.named("www", Workers.python(), "none").staticPm(2);
        try (Jfpm jfpm = Jfpm.in(tmp).pool(www).start()) {
            Set<Long> before = jfpm.awaitWorkers("www", 2, "JFPM_POOL", "www", Duration.ofSeconds(15));
            assertServedByOneOf(jfpm, www, before);

            // 1. a validation error: the key path, the value, what was expected
            jfpm.rewrite(b -> www.pm("max-children", -1));
            int mark = jfpm.hup();
            String line = jfpm.awaitLogSince(mark, "jfpm\\.pools\\.www\\.pm\\.max-children = -1", LOG_DEADLINE).group();
            System.out.println("rejected (validation): " + lineContaining(jfpm, mark, line));
            assertUnchanged(jfpm, www, before, mark, "after the HUP with max-children = -1");

            // 2. not HOCON at all: the file is cut before its last closing brace
            www.pm("max-children", 3); // would be a valid change, were the file readable
            String valid = jfpm.hocon();
            jfpm.rewriteRaw(valid.substring(0, valid.lastIndexOf('}')));
            mark = jfpm.hup();
            line = jfpm.awaitLogSince(mark, "\\(file\\).*" + Pattern.quote(jfpm.config().toString()),
                    LOG_DEADLINE).group();
            System.out.println("rejected (syntax): " + lineContaining(jfpm, mark, line));
            assertUnchanged(jfpm, www, before, mark, "after the HUP with a HOCON syntax error");
        }
    }

    /**
     * Called once the master logged the rejection (the positive marker that it has dealt with the
     * HUP): it runs, no child was started since {@code mark}, the live workers are {@code before},
     * and the socket serves from one of them.
     */
    static void assertUnchanged(Jfpm jfpm, PoolSpec pool, Set<Long> before, int mark, String when) {
        assertTrue(jfpm.alive(), "the master is running " + when + "\n" + jfpm.dump());
        List<String> started = jfpm.log().subList(mark, jfpm.log().size()).stream()
                .filter(l -> l.matches(".*\\[pool [^]]+\\] child \\d+ started.*")).toList();
        assertEquals(List.of(), started, "no worker started " + when);
        assertEquals(before, jfpm.workerPids(pool.name()), "the same worker processes " + when + "\n" + jfpm.dump());
        assertServedByOneOf(jfpm, pool, before);
        assertEquals(before, jfpm.workerPids(pool.name()), "the same worker processes after a request " + when);
    }

    private static void assertServedByOneOf(Jfpm jfpm, PoolSpec pool, Set<Long> workers) {
        Http.Response r = Http.get(pool.address(), "/");
        assertEquals(200, r.status(), r.body());
        assertTrue(workers.contains(r.workerPid()), "answered by " + r.workerPid() + ", one of " + workers + "\n" + jfpm.dump());
    }

    private static String lineContaining(Jfpm jfpm, int mark, String match) {
        List<String> log = jfpm.log();
        return log.subList(mark, log.size()).stream().filter(l -> l.contains(match)).findFirst().orElse(match);
    }
}
