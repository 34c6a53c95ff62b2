package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 point 3: a real Prometheus (Debian's {@code /usr/bin/prometheus}) scrapes jfpm's
 * {@code /metrics} with its default scrape settings (only the interval is shortened, to 1 s, so the
 * test does not wait a minute), and stores hipages/php-fpm_exporter's series names, types and
 * labels, which the exporter's Grafana dashboards query: {@code pool} everywhere, {@code child} on
 * per-process series, {@code phpfpm_process_state} at 0 or 1 for every {@code state}, counters
 * without {@code _total}, no {@code pid} label. Read back through Prometheus' HTTP API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusScrapeTest {

    private static final String PROMETHEUS = "/usr/bin/prometheus";
    private static final String POOL = "www";
    private static final int WORKERS = 3;

    /** hipages/php-fpm_exporter (phpfpm/exporter.go at 0ef3d97): family → type. */
    private static final Map<String, String> EXPORTER = new LinkedHashMap<>();
    private static final Set<String> PROCESS_SERIES = Set.of("phpfpm_process_requests", "phpfpm_process_last_request_memory",
            "phpfpm_process_last_request_cpu", "phpfpm_process_request_duration", "phpfpm_process_state");
    private static final List<String> STATES = List.of("Idle", "Running", "Finishing", "Reading headers",
            "Getting request informations", "Ending");

    static {
        for (String gauge : List.of("up", "listen_queue", "listen_queue_length", "idle_processes", "active_processes",
                "total_processes", "process_last_request_memory", "process_last_request_cpu", "process_request_duration",
                "process_state")) {
            EXPORTER.put("phpfpm_" + gauge, "gauge");
        }
        for (String counter : List.of("scrape_failures", "start_since", "accepted_connections", "max_listen_queue",
                "max_active_processes", "max_children_reached", "slow_requests", "process_requests")) {
            EXPORTER.put("phpfpm_" + counter, "counter");
        }
    }

    private Path tmp;
    private Jfpm jfpm;
    private Process prometheus;
    private InetSocketAddress api;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        tmp = dir;
        assertTrue(Files.isExecutable(Path.of(PROMETHEUS)), PROMETHEUS + " missing: apt-get install prometheus");
        jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(WORKERS))
                .start();
        jfpm.awaitIdle(POOL, WORKERS, Duration.ofSeconds(15));
        for (int i = 0; i < 5; i++) {
            Http.get(jfpm.pool(POOL).address(), "/", Duration.ofSeconds(5)); // requests, memory, cpu to show
        }

        int port = Ports.free();
        api = new InetSocketAddress("127.0.0.1", port);
        Path config = tmp.resolve("prometheus.yml");
        InetSocketAddress status = jfpm.statusAddress();
        // default scrape settings (metrics_path /metrics, scheme http, honor_labels false, Prometheus'
        // own Accept header) except the interval
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: jfpm
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(status.getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS, "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        Poll.until(() -> {
            if (!prometheus.isAlive()) {
                throw new Poll.Abort("prometheus exited with status " + prometheus.exitValue());
            }
            try {
                Map<String, Object> r = query("phpfpm_process_state");
                return ((List<?>) ((Map<?, ?>) r.get("data")).get("result")).size() >= WORKERS * STATES.size();
            } catch (AssertionError notYet) { // not listening yet, or no scrape stored yet
                Poll.sleep(Duration.ofMillis(200));
                return false;
            }
        }, Duration.ofSeconds(90), () -> "Prometheus stored a scrape of jfpm's /metrics", this::prometheusLog);
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (jfpm != null) {
            jfpm.close();
        }
    }

    @Test
    void prometheusStoresTheExportersSeriesNamesTypesAndLabels() {
        Set<String> names = new TreeSet<>();
        for (Object n : (List<?>) get("/api/v1/label/__name__/values").get("data")) {
            names.add((String) n);
        }
        System.out.println("PrometheusScrapeTest: series names stored: " + names);
        for (String family : EXPORTER.keySet()) {
            assertTrue(names.contains(family), family + " stored, in " + names);
        }
        for (String n : names) {
            assertFalse(n.startsWith("phpfpm_") && !EXPORTER.containsKey(n),
                    "every phpfpm_ name is the exporter's (none with _total): " + n + " in " + names);
        }
        assertTrue(names.containsAll(List.of("jfpm_pool_info", "jfpm_max_children", "jfpm_terminated_requests_total",
                "jfpm_process_info", "jfpm_process_rss_bytes")), names.toString());

        Map<?, ?> metadata = (Map<?, ?>) get("/api/v1/metadata").get("data");
        Map<String, String> types = new TreeMap<>();
        for (String family : EXPORTER.keySet()) {
            List<?> entries = (List<?>) metadata.get(family);
            assertTrue(entries != null && !entries.isEmpty(), "metadata of " + family + " in " + metadata.keySet());
            types.put(family, (String) ((Map<?, ?>) entries.get(0)).get("type"));
            assertEquals(EXPORTER.get(family), types.get(family), "type of " + family);
        }
        System.out.println("PrometheusScrapeTest: types stored: " + types);

        List<?> series = (List<?>) get("/api/v1/series?match[]=" + enc("{__name__=~\"phpfpm_.*|jfpm_.*\"}")).get("data");
        Map<String, Set<String>> labelNames = new TreeMap<>();
        for (Object o : series) {
            Map<?, ?> s = (Map<?, ?>) o;
            String name = (String) s.get("__name__");
            Set<String> labels = new TreeSet<>();
            s.keySet().forEach(k -> labels.add((String) k));
            labels.remove("__name__");
            assertEquals(POOL, s.get("pool"), "pool on every series: " + s);
            assertFalse(labels.contains("pid") && !name.equals("jfpm_process_info"), "no pid label: " + s);
            if (EXPORTER.containsKey(name)) {
                Set<String> expected = new TreeSet<>(Set.of("pool", "scrape_uri", "job", "instance"));
                if (PROCESS_SERIES.contains(name)) {
                    expected.add("child");
                }
                if (name.equals("phpfpm_process_state")) {
                    expected.add("state");
                }
                assertEquals(expected, labels, "labels of " + s);
            }
            labelNames.merge(name, labels, (a, b) -> a);
        }
        System.out.println("PrometheusScrapeTest: labels stored: " + labelNames);
        assertTrue(labelNames.keySet().containsAll(EXPORTER.keySet()), labelNames.keySet().toString());
    }

    @Test
    void processStateIsZeroOrOneForEveryStateOfEveryChild() {
        Map<String, Map<String, String>> byChild = new TreeMap<>();
        for (Object o : (List<?>) ((Map<?, ?>) query("phpfpm_process_state").get("data")).get("result")) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<?, ?> metric = (Map<?, ?>) r.get("metric");
            String value = (String) ((List<?>) r.get("value")).get(1);
            assertTrue(value.equals("0") || value.equals("1"), "0 or 1: " + r);
            byChild.computeIfAbsent((String) metric.get("child"), c -> new TreeMap<>()).put((String) metric.get("state"), value);
        }
        System.out.println("PrometheusScrapeTest: phpfpm_process_state by child: " + byChild);
        assertEquals(Set.of("0", "1", "2"), byChild.keySet(), "child is the slot of each of the " + WORKERS + " workers");
        for (Map.Entry<String, Map<String, String>> e : byChild.entrySet()) {
            assertTrue(e.getValue().keySet().containsAll(STATES), "every exporter state for child " + e.getKey() + ": " + e.getValue());
            assertEquals(1, e.getValue().values().stream().filter("1"::equals).count(), "one state at 1: " + e.getValue());
        }
        Map<?, ?> accepted = (Map<?, ?>) ((List<?>) ((Map<?, ?>) query("phpfpm_accepted_connections").get("data"))
                .get("result")).get(0);
        assertTrue(Long.parseLong((String) ((List<?>) accepted.get("value")).get(1)) >= 5, "the requests counted: " + accepted);
        // a query of the exporter's dashboards (grafana 4912 style) answers
        List<?> perPool = (List<?>) ((Map<?, ?>) query("sum by (pool) (phpfpm_active_processes)").get("data")).get("result");
        assertEquals(1, perPool.size(), perPool.toString());
    }

    private Map<String, Object> query(String promql) {
        return get("/api/v1/query?query=" + enc(promql));
    }

    private Map<String, Object> get(String path) {
        Http.Response r = Http.get(api, path, Duration.ofSeconds(10));
        assertEquals(200, r.status(), path + ": " + r.body());
        Map<String, Object> body = MiniJson.object(r.body());
        assertEquals("success", body.get("status"), r.body());
        return body;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String prometheusLog() {
        try {
            return Files.readString(tmp.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no prometheus log: " + e + ")";
        }
    }
}
