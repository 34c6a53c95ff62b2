package org.jfpm.it;

import org.jfpm.supervisor.status.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

/**
 * Issue 4: the status server on {@code status.listen} — PHP-FPM's JSON keys, {@code /ping},
 * {@code /metrics} accepted by promtool, and 200 status reads that all succeed while the pool is
 * saturated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusEndpointTest {

    private static final String POOL = "www";
    private static final int WORKERS = 2;
    static final String PROMTOOL = "/usr/bin/promtool";

    private Path tmp;
    private Jfpm jfpm;

    @BeforeAll
    void start(@TempDir Path dir) {
        tmp = dir;
        jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(WORKERS))
                .start();
        jfpm.awaitIdle(POOL, WORKERS, Duration.ofSeconds(15));
    }

    @AfterAll
    void stop() {
        if (jfpm != null) {
            jfpm.close();
        }
    }

    private Http.Response status(String path) {
        Http.Response r = Http.get(jfpm.statusAddress(), path, Duration.ofSeconds(5));
        assertEquals(200, r.status(), "GET " + path + ": " + r.body());
        return r;
    }

    static Map<String, Object> reference(String name) {
        try {
            return MiniJson.object(Files.readString(Workers.resource("/php-fpm-status/" + name)));
        } catch (IOException e) {
            throw new AssertionError("read reference " + name + ": " + e, e);
        }
    }

    /** Same keys in the same order, and each value of the same JSON type as PHP-FPM's. */
    static void assertSameShape(Map<String, ?> expected, Map<String, ?> actual, String what) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), what + ": keys and their order");
        for (String k : expected.keySet()) {
            assertEquals(jsonType(expected.get(k)), jsonType(actual.get(k)), what + ": type of \"" + k + "\" = " + actual.get(k));
        }
    }

    private static String jsonType(Object v) {
        return v instanceof Number ? "number" : v instanceof String ? "string" : v instanceof List ? "array"
                : v instanceof Map ? "object" : String.valueOf(v);
    }

    @Test
    @Order(1)
    void pingAnswersPong() {
        assertEquals("pong", status("/ping").body().trim());
    }

    @Test
    @Order(2)
    @SuppressWarnings("unchecked")
    void jsonStatusHasPhpFpmsKeys() {
        Http.Response r = status("/status/" + POOL + "?json");
        assertTrue(r.headers().getOrDefault("content-type", "").startsWith("application/json"), "content type " + r.headers());
        Map<String, Object> s = MiniJson.object(r.body());
        assertSameShape(reference("status.json"), s, "/status/www?json");
        assertEquals(POOL, s.get("pool"));
        assertEquals("static", s.get("process manager"));
        assertEquals((long) WORKERS, s.get("total processes"));
        assertEquals((long) jfpm.workerPids(POOL).size(), s.get("total processes"),
                "total processes = the master's children of the pool in /proc (an independent count)");

        Map<String, Object> full = MiniJson.object(status("/status/" + POOL + "?json&full").body());
        Map<String, Object> ref = reference("status-full.json");
        assertEquals(List.copyOf(ref.keySet()), List.copyOf(full.keySet()), "/status/www?json&full: keys and their order");
        List<Map<String, Object>> procs = (List<Map<String, Object>>) full.get("processes");
        Map<String, Object> refProc = ((List<Map<String, Object>>) ref.get("processes")).get(0);
        assertEquals(WORKERS, procs.size(), "one entry per worker: " + procs);
        for (Map<String, Object> p : procs) {
            assertSameShape(refProc, p, "a process of /status/www?json&full");
        }
        Set<Long> pids = procs.stream().map(p -> (Long) p.get("pid")).collect(Collectors.toSet());
        assertEquals(jfpm.inUse(POOL).stream().map(SlotSnapshot::pid).collect(Collectors.toSet()), pids,
                "the processes are the pool's workers");

        Map<String, Object> single = MiniJson.object(status("/status?json").body());
        assertEquals(POOL, single.get("pool"), "/status serves the only pool");
    }

    @Test
    @Order(3)
    void metricsPassPromtool() throws Exception {
        Http.Response text = status("/metrics");
        assertTrue(text.headers().getOrDefault("content-type", "").startsWith("text/plain; version=0.0.4"),
                "/metrics is the Prometheus text format by default: " + text.headers());
        assertTrue(text.body().contains("pool=\"" + POOL + "\""), "series are labelled by pool:\n" + text.body());
        promtoolCheckMetrics(text.body());

        Http.Response open = status("/metrics?format=openmetrics");
        assertTrue(open.headers().getOrDefault("content-type", "").startsWith("application/openmetrics-text"),
                "/metrics?format=openmetrics is OpenMetrics: " + open.headers());
        assertTrue(open.body().contains("pool=\"" + POOL + "\""), "series are labelled by pool:\n" + open.body());
        assertTrue(open.body().endsWith("# EOF\n"), "an OpenMetrics exposition ends with # EOF:\n" + open.body());
        Http.Response asked = Http.get(jfpm.statusAddress(), "/metrics", Map.of("Accept", "application/openmetrics-text"),
                Duration.ofSeconds(5));
        assertTrue(asked.headers().getOrDefault("content-type", "").startsWith("application/openmetrics-text"),
                "an Accept of OpenMetrics only gets OpenMetrics: " + asked.headers());
    }

    /** hipages/php-fpm_exporter's counters, named without {@code _total}: promtool's lint reports them, as for the exporter. */
    static final Set<String> EXPORTER_COUNTERS = Set.of("phpfpm_scrape_failures", "phpfpm_start_since",
            "phpfpm_accepted_connections", "phpfpm_max_listen_queue", "phpfpm_max_active_processes",
            "phpfpm_max_children_reached", "phpfpm_slow_requests", "phpfpm_process_requests");

    /**
     * {@code promtool check metrics} (parse + lint of the Prometheus text format): it must parse, and
     * its only findings may be the exporter's own counter names (exit 3), which dashboards need as they are.
     */
    private void promtoolCheckMetrics(String exposition) throws Exception {
        Path file = Files.createTempFile(tmp, "metrics", ".txt");
        Files.writeString(file, exposition);
        Process p = new ProcessBuilder(PROMTOOL, "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool finished");
        String out = new String(p.getInputStream().readAllBytes());
        List<String> other = new ArrayList<>();
        for (String line : out.split("\n")) {
            String name = line.trim().split(" ")[0];
            if (!line.isBlank() && !(EXPORTER_COUNTERS.contains(name)
                    && line.trim().equals(name + " counter metrics should have \"_total\" suffix"))) {
                other.add(line);
            }
        }
        assertTrue(p.exitValue() == 0 || p.exitValue() == 3, "promtool check metrics exit " + p.exitValue() + ":\n" + out);
        assertEquals(List.of(), other, "promtool check metrics:\n" + out + "\n---- exposition:\n" + exposition);
    }

    @Test
    @Order(4)
    void statusAnswersEveryReadWhileThePoolIsSaturated() {
        try (Load<Http.Response> busy = Load.get(WORKERS + 1, jfpm.pool(POOL).address(), "/sleep?ms=2500")) {
            jfpm.pollUntil(() -> (Long) MiniJson.object(status("/status/" + POOL + "?json").body()).get("active processes")
                    == WORKERS, Duration.ofSeconds(5), "every worker busy");
            long workersInProc = jfpm.workerPids(POOL).size(); // static pool: constant; counted independently
            List<String> wrong = new ArrayList<>();
            int sawSaturated = 0;
            long started = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                Http.Response r = Http.get(jfpm.statusAddress(), "/status/" + POOL + "?json", Duration.ofSeconds(5));
                if (r.status() != 200) {
                    wrong.add("read " + i + ": HTTP " + r.status() + " " + r.body());
                    continue;
                }
                Map<String, Object> s = MiniJson.object(r.body());
                long active = (Long) s.get("active processes");
                long total = (Long) s.get("total processes");
                if (total != workersInProc || active > WORKERS + 1) {
                    wrong.add("read " + i + ": active " + active + " of " + (WORKERS + 1) + " requests sent, total "
                            + total + " (/proc: " + workersInProc + ")");
                }
                if (active == WORKERS) {
                    sawSaturated++;
                }
            }
            assertEquals(List.of(), wrong, "every status read answers 200 with the /proc worker count, and never more active than requests");
            assertTrue(sawSaturated > 0, "the reads saw the saturated pool");
            System.out.printf("200 status reads in %d ms, %d of them while saturated%n",
                    (System.nanoTime() - started) / 1_000_000, sawSaturated);
            for (Http.Response r : busy.await(Duration.ofSeconds(30))) {
                assertEquals(200, r.status(), r.body());
            }
        }
    }
}
