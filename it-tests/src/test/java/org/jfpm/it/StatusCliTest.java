package org.jfpm.it;

import org.jfpm.supervisor.status.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: {@code jfpm status --config FILE --json} reads the scoreboards directly, so it answers
 * while the master is frozen with SIGSTOP — and shows a request that started after the freeze.
 */
class StatusCliTest {

    private static final String POOL = "www";

    @TempDir
    Path tmp;

    @Test
    void statusCommandWorksWhileTheMasterIsFrozen() {
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(2))
                .start()) {
            Set<Long> workers = jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(15)).stream()
                    .map(SlotSnapshot::pid).collect(Collectors.toSet());
            jfpm.signal("STOP");
            try {
                jfpm.pollUntil(() -> Procs.state(jfpm.pid()).orElse('?') == 'T', Duration.ofSeconds(5), "the master to be stopped");
                try (Load<Http.Response> slow = Load.get(1, jfpm.pool(POOL).address(), "/sleep?ms=2500")) {
                    jfpm.pollUntil(() -> jfpm.inUse(POOL).stream().filter(s -> !s.isIdle()).count() == 1,
                            Duration.ofSeconds(5), "one worker busy while the master is frozen");

                    Jfpm.Cli run = jfpm.cli(Duration.ofSeconds(30), "status", "--config", jfpm.config().toString(), "--json");

                    assertEquals(0, run.exitCode(), "status exit code; output:\n" + run.output());
                    assertEquals('T', Procs.state(jfpm.pid()).orElse('?'), "the master was frozen throughout");
                    Map<String, Object> pool = poolIn(run.output());
                    for (long pid : workers) {
                        assertTrue(run.output().contains(Long.toString(pid)), "worker " + pid + " is listed:\n" + run.output());
                    }
                    assertEquals(2L, pool.get("total processes"), "total processes:\n" + run.output());
                    assertEquals(1L, pool.get("active processes"), "the request started after the freeze:\n" + run.output());
                    assertEquals(1L, pool.get("idle processes"), "idle processes:\n" + run.output());
                    assertEquals(200, slow.await(Duration.ofSeconds(15)).get(0).status());
                }
            } finally {
                jfpm.signal("CONT");
            }
            assertFalse(Procs.state(jfpm.pid()).orElse('?') == 'T', "the master runs again after SIGCONT");
        }
    }

    /** The JSON object of pool www in the command's output: one JSON document per line (other lines are warnings). */
    private static Map<String, Object> poolIn(String output) {
        List<Map<String, Object>> found = new ArrayList<>();
        for (String line : output.lines().map(String::trim).toList()) {
            if (line.startsWith("{")) {
                collectPools(MiniJson.parse(line), found);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one JSON object with \"pool\": \"" + POOL + "\", found " + found.size()
                    + " in:\n" + output);
        }
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static void collectPools(Object json, List<Map<String, Object>> found) {
        if (json instanceof Map<?, ?> m) {
            if (POOL.equals(m.get("pool"))) {
                found.add((Map<String, Object>) m);
                return;
            }
            m.values().forEach(v -> collectPools(v, found));
        } else if (json instanceof List<?> l) {
            l.forEach(v -> collectPools(v, found));
        }
    }
}
