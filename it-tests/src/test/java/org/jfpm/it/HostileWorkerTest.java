package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8.4, hostile worker: the worker in slot 0 of a dynamic pool writes random bytes over the
 * whole scoreboard (header included) for 4 s, every 10 ms, with a bystander process's pid in every
 * slot (stage Running since 1970, or an odd seqlock), then tries to truncate it, to grow it and to
 * seal it against writes ({@code hostile_worker.py}). {@code request-terminate-timeout = 1s} and
 * the dynamic pm are the bait. Through it all and after: the master lives and serves (every request
 * answered), the bystander is alive, no child of the master was killed, the resize attempts fail
 * with EPERM (sealed memfd), {@code /status/victim} and {@code /metrics} name the pool and its pm as
 * configured and list exactly the master's children, showing the garbled slots as state
 * {@code Unknown}; {@code jfpm status} names the pool and says its scoreboard is unusable.
 */
class HostileWorkerTest {

    private static final String POOL = "victim";
    private static final Pattern ATTACKER = Pattern.compile("attacker (\\d+) via (\\S+) size (\\d+)");

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void aWorkerThatScribblesOverTheScoreboardHurtsNobodyElse() throws Exception {
        Process bystander = new ProcessBuilder("sleep", "300").start();
        Path report = tmp.resolve("hostile.report");
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.hostilePython(), "preload").dynamicPm(4, 3, 1, 3)
                        .set("request-terminate-timeout", "1s")
                        // exec: the attack runs when the program starts, which a forked worker never does
                        .set("spawn-mode", "exec")
                        .set("env", Map.of("HOSTILE_BYSTANDER", Long.toString(bystander.pid()),
                                "HOSTILE_REPORT", report.toString(), "HOSTILE_SECONDS", "4")))
                .start()) {
            jfpm.pollUntil(() -> read(report).contains("attacker"), Duration.ofSeconds(20), "the attack to start");
            Matcher m = ATTACKER.matcher(read(report));
            assertTrue(m.find(), read(report));
            long attacker = Long.parseLong(m.group(1));
            long size = Long.parseLong(m.group(3));

            int served = 0;
            boolean unknownSeen = false;
            long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            while (System.nanoTime() < end || !read(report).contains("done")) {
                Http.Response r = Http.get(jfpm.pool(POOL).address(), "/", Duration.ofSeconds(5));
                assertEquals(200, r.status(), "request " + (served + 1) + " during the attack: " + r.body() + "\n" + jfpm.dump());
                served++;
                Map<String, Object> s = status(jfpm);
                assertEquals(POOL, s.get("pool"), "the pool's name, from the master's memory");
                assertEquals("dynamic", s.get("process manager"));
                List<Map<String, Object>> procs = (List<Map<String, Object>>) s.get("processes");
                unknownSeen |= procs.stream().anyMatch(p -> p.get("pid").equals(attacker) && "Unknown".equals(p.get("state")));
                assertFalse(procs.stream().anyMatch(p -> p.get("pid").equals(bystander.pid())),
                        "the bystander's pid is not listed as a worker: " + procs);
                assertTrue(System.nanoTime() < end + Duration.ofSeconds(30).toNanos(), "the attack never ended: " + read(report));
                Poll.sleep(Duration.ofMillis(20));
            }
            String outcome = read(report);
            System.out.printf("hostile worker: %s; %d requests served during and after the attack%n",
                    outcome.replace('\n', ' ').trim(), served);
            assertTrue(outcome.contains("truncate-0: EPERM"), outcome);
            assertTrue(outcome.contains("truncate-grow: EPERM"), outcome);
            assertTrue(outcome.contains("seal-future-write: EPERM"), outcome);
            assertTrue(outcome.contains("size after " + size), outcome);
            assertTrue(unknownSeen, "the attacker's garbled slot was shown as Unknown");

            assertTrue(jfpm.alive(), "the master lives");
            assertTrue(bystander.isAlive(), "the bystander was not signalled");
            assertTrue(Procs.alive(attacker), "the attacker lied only about itself: the master had no reason to kill it");
            assertFalse(jfpm.logContains("signal 9|SIGKILL|terminat"), "no worker was killed:\n" + jfpm.dump());
            Set<Long> children = jfpm.workerPids(POOL);
            Map<String, Object> s = status(jfpm);
            Set<Long> listed = ((List<Map<String, Object>>) s.get("processes")).stream()
                    .map(p -> (Long) p.get("pid")).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(children, listed, "the status lists exactly the master's children (from /proc)");
            assertEquals(0L, s.get("slow requests"));

            String metrics = Http.get(jfpm.statusAddress(), "/metrics", Duration.ofSeconds(5)).body();
            Set<String> labels = Pattern.compile("pool=\"([^\"]*)\"").matcher(metrics).results()
                    .map(r -> r.group(1)).collect(Collectors.toSet());
            assertEquals(Set.of(POOL), labels, "/metrics names only the configured pool");

            Jfpm.Cli cli = jfpm.cli(Duration.ofSeconds(30), "status", "--config", jfpm.config().toString());
            System.out.println("hostile worker: jfpm status said: " + cli.output().trim());
            assertTrue(cli.output().contains("[pool " + POOL + "]"), cli.output());
            assertFalse(cli.output().contains("Exception"), cli.output());
        } finally {
            bystander.destroyForcibly().waitFor();
        }
    }

    private static Map<String, Object> status(Jfpm jfpm) {
        Http.Response r = Http.get(jfpm.statusAddress(), "/status/" + POOL + "?json&full", Duration.ofSeconds(5));
        assertEquals(200, r.status(), r.body());
        return MiniJson.object(r.body());
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
