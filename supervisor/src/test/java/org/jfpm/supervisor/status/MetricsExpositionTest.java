package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.api.Test;

class MetricsExpositionTest {

    /** hipages/php-fpm_exporter's families (phpfpm/exporter.go at 0ef3d97) with their types and label names. */
    static final Map<String, String> EXPORTER_TYPES = new LinkedHashMap<>();
    static final Map<String, Set<String>> EXPORTER_LABELS = new LinkedHashMap<>();

    static {
        Set<String> pool = Set.of("pool", "scrape_uri");
        Set<String> process = Set.of("pool", "child", "scrape_uri");
        for (String[] f : new String[][] {
                {"phpfpm_up", "gauge"}, {"phpfpm_scrape_failures", "counter"}, {"phpfpm_start_since", "counter"},
                {"phpfpm_accepted_connections", "counter"}, {"phpfpm_listen_queue", "gauge"}, {"phpfpm_max_listen_queue", "counter"},
                {"phpfpm_listen_queue_length", "gauge"}, {"phpfpm_idle_processes", "gauge"}, {"phpfpm_active_processes", "gauge"},
                {"phpfpm_total_processes", "gauge"}, {"phpfpm_max_active_processes", "counter"},
                {"phpfpm_max_children_reached", "counter"}, {"phpfpm_slow_requests", "counter"}}) {
            EXPORTER_TYPES.put(f[0], f[1]);
            EXPORTER_LABELS.put(f[0], pool);
        }
        for (String[] f : new String[][] {
                {"phpfpm_process_requests", "counter"}, {"phpfpm_process_last_request_memory", "gauge"},
                {"phpfpm_process_last_request_cpu", "gauge"}, {"phpfpm_process_request_duration", "gauge"}}) {
            EXPORTER_TYPES.put(f[0], f[1]);
            EXPORTER_LABELS.put(f[0], process);
        }
        EXPORTER_TYPES.put("phpfpm_process_state", "gauge");
        EXPORTER_LABELS.put("phpfpm_process_state", Set.of("pool", "child", "scrape_uri", "state"));
    }

    private static List<PoolStatus> pools() {
        Fixtures www = Fixtures.pool("www");
        www.accepted = 29;
        www.terminated = 2;
        www.idle(101).running(102);
        www.worker(103, RequestStage.STARTING, 0, 0, "", "", "", "", "", 0, 0, 0, -1);
        Fixtures api = Fixtures.pool("api");
        api.pm = PmMode.ONDEMAND;
        api.maxChildren = 10;
        api.worker(201, RequestStage.ACCEPTING, 4, 1000, "GET", "/x\"y\\z", "", "", "", 0, 0, 0, 1234);
        Fixtures empty = Fixtures.pool("empty");
        empty.pm = PmMode.DYNAMIC;
        return List.of(www.build(), api.build(), empty.build());
    }

    /** One family of a text exposition: its TYPE and its samples (name, labels, value). */
    record Family(String type, List<Sample> samples) {
    }

    record Sample(String name, Map<String, String> labels, String value) {
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Parses a text exposition into families by TYPE line (samples belong to the last TYPE). */
    static Map<String, Family> families(String text) {
        Map<String, Family> out = new LinkedHashMap<>();
        Family current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                current = new Family(p[3], new ArrayList<>());
                out.put(p[2], current);
            } else if (!line.startsWith("#") && !line.isEmpty()) {
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), line);
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                current.samples().add(new Sample(m.group(1), labels, m.group(3)));
            }
        }
        return out;
    }

    @Test
    void openMetricsPassesTheStrictCheckAndPromtoolsOpenMetricsParser() throws Exception {
        String om = MetricsExposition.render(pools(), MetricsExposition.Dialect.OPENMETRICS);
        assertEquals(List.of(), OpenMetricsChecker.problems(om), om);
        Promtool.Result r = Promtool.parseOpenMetrics(om);
        assertEquals(0, r.exitCode(), r.output());
    }

    /**
     * promtool parses the text dialect; its only lint findings are the exporter's own counters without
     * {@code _total} (which it reports for hipages/php-fpm_exporter's output too), nothing of ours.
     */
    @Test
    void prometheusTextPassesPromtoolWithOnlyTheExportersCounterNamesLinted() throws Exception {
        String text = MetricsExposition.render(pools(), MetricsExposition.Dialect.PROMETHEUS);
        Promtool.Result r = Promtool.checkMetrics(text);
        assertEquals(List.of(), Promtool.problemsBeyondExporterNames(r), r.output() + "\n" + text);
        assertTrue(r.exitCode() == 0 || r.exitCode() == 3, "0 or lint-only (3): " + r.exitCode() + " " + r.output());
        assertTrue(r.output().contains("phpfpm_accepted_connections counter metrics should have \"_total\" suffix"), r.output());

        String exporters = "# HELP phpfpm_accepted_connections The number of requests accepted by the pool.\n"
                + "# TYPE phpfpm_accepted_connections counter\n"
                + "phpfpm_accepted_connections{pool=\"www\",scrape_uri=\"tcp://127.0.0.1:9000/status\"} 18\n";
        Promtool.Result theirs = Promtool.checkMetrics(exporters);
        assertEquals(3, theirs.exitCode(), "promtool lints the exporter's own output the same way: " + theirs.output());
        Promtool.Result garbage = Promtool.checkMetrics("garbage here\n");
        assertFalse(Promtool.problemsBeyondExporterNames(garbage).isEmpty(), "a parse error is a problem");
    }

    @Test
    void textHasTheExportersFamiliesTypesAndLabels() {
        Map<String, Family> f = families(MetricsExposition.render(pools(), MetricsExposition.Dialect.PROMETHEUS));
        for (Map.Entry<String, String> e : EXPORTER_TYPES.entrySet()) {
            Family family = f.get(e.getKey());
            assertTrue(family != null, "family " + e.getKey() + " in " + f.keySet());
            assertEquals(e.getValue(), family.type(), e.getKey());
            assertFalse(family.samples().isEmpty(), e.getKey());
            for (Sample s : family.samples()) {
                assertEquals(e.getKey(), s.name(), "the sample is named as the family, counters too (no _total)");
                assertEquals(EXPORTER_LABELS.get(e.getKey()), s.labels().keySet(), s.toString());
                assertEquals(MetricsExposition.SCRAPE_URI, s.labels().get("scrape_uri"));
            }
        }
        Set<String> pools = new TreeSet<>();
        f.get("phpfpm_up").samples().forEach(s -> pools.add(s.labels().get("pool")));
        assertEquals(Set.of("www", "api", "empty"), pools);
        for (Map.Entry<String, Family> e : f.entrySet()) {
            assertTrue(EXPORTER_TYPES.containsKey(e.getKey()) || e.getKey().startsWith("jfpm_"),
                    "a family that is not the exporter's has a jfpm_ name: " + e.getKey());
            e.getValue().samples().forEach(s -> assertTrue(s.labels().containsKey("pool"), "pool everywhere: " + s));
            if (e.getKey().startsWith("jfpm_") && e.getValue().type().equals("counter")) {
                assertTrue(e.getKey().endsWith("_total"), "our counters end in _total: " + e.getKey());
            }
        }
        assertTrue(f.keySet().containsAll(List.of("jfpm_pool_info", "jfpm_max_children", "jfpm_terminated_requests_total",
                "jfpm_process_info", "jfpm_process_rss_bytes")), f.keySet().toString());
    }

    @Test
    void valuesLabelsAndStatesAsTheExporterGivesThem() {
        String text = MetricsExposition.render(pools(), MetricsExposition.Dialect.PROMETHEUS);
        assertTrue(text.contains("\nphpfpm_accepted_connections{pool=\"www\",scrape_uri=\"jfpm\"} 29\n"), text);
        assertTrue(text.contains("\nphpfpm_up{pool=\"empty\",scrape_uri=\"jfpm\"} 1\n"));
        assertTrue(text.contains("\nphpfpm_scrape_failures{pool=\"api\",scrape_uri=\"jfpm\"} 0\n"));
        assertTrue(text.contains("\nphpfpm_idle_processes{pool=\"empty\",scrape_uri=\"jfpm\"} 0\n"));
        assertTrue(text.contains("\nphpfpm_process_requests{child=\"0\",pool=\"api\",scrape_uri=\"jfpm\"} 4\n"), text);
        assertTrue(text.contains("\nphpfpm_process_request_duration{child=\"1\",pool=\"www\",scrape_uri=\"jfpm\"} 35000\n"));
        assertTrue(text.contains("\nphpfpm_process_last_request_memory{child=\"0\",pool=\"www\",scrape_uri=\"jfpm\"} 2097152\n"));
        assertTrue(text.contains("\nphpfpm_process_last_request_cpu{child=\"1\",pool=\"www\",scrape_uri=\"jfpm\"} 0.00\n"));
        assertTrue(text.contains("\njfpm_max_children{pool=\"api\"} 10\n"));
        assertTrue(text.contains("\njfpm_terminated_requests_total{pool=\"www\"} 2\n"));
        assertTrue(text.contains("\njfpm_pool_info{accounting=\"preload\",pool=\"api\",process_manager=\"ondemand\"} 1\n"), text);
        assertTrue(text.contains("\njfpm_process_info{child=\"2\",pid=\"103\",pool=\"www\"} 1\n"));
        assertTrue(text.contains("\njfpm_process_rss_bytes{child=\"0\",pool=\"api\"} 1234\n"));
        assertFalse(text.contains("jfpm_process_rss_bytes{child=\"2\",pool=\"www\"}"), "unknown RSS is left out, not reported as -1");
        assertTrue(text.lines().filter(l -> l.contains("pid=\"")).allMatch(l -> l.startsWith("jfpm_process_info{")),
                "pid is a label of jfpm_process_info only");

        Map<String, Family> f = families(text);
        Map<String, Map<String, String>> states = new LinkedHashMap<>();
        for (Sample s : f.get("phpfpm_process_state").samples()) {
            assertTrue(s.value().equals("0") || s.value().equals("1"), s.toString());
            String key = s.labels().get("pool") + "/" + s.labels().get("child");
            assertEquals(null, states.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(s.labels().get("state"), s.value()),
                    "one series per state: " + s);
        }
        Map<String, String> idle = states.get("www/0");
        assertEquals(MetricsExposition.EXPORTER_STATES, List.copyOf(idle.keySet()), "every exporter state, at 0 or 1");
        assertEquals("1", idle.get("Idle"));
        assertEquals(1, idle.values().stream().filter("1"::equals).count());
        assertEquals("1", states.get("www/1").get("Running"));
        Map<String, String> starting = states.get("www/2");
        assertEquals("1", starting.get("Starting"), "jfpm's own state is added at 1, as the exporter adds a state it reads");
        assertEquals(7, starting.size());
        assertEquals(1, starting.values().stream().filter("1"::equals).count());
    }

    /** After a reload the draining generation's workers can share slot numbers with the new one's: distinct children. */
    @Test
    void childIsTheSlotAndADrainingGenerationsWorkerInAUsedSlotGetsItsGeneration() {
        Fixtures www = Fixtures.pool("www");
        www.idle(301).inSlot(0, 2).idle(302).inSlot(3, 2).running(101).inSlot(0, 1).running(102).inSlot(1, 1);
        String text = MetricsExposition.render(List.of(www.build()), MetricsExposition.Dialect.PROMETHEUS);
        Set<String> children = new TreeSet<>();
        families(text).get("phpfpm_process_requests").samples().forEach(s -> children.add(s.labels().get("child")));
        assertEquals(Set.of("0", "3", "0@g1", "1"), children, text);
        assertTrue(text.contains("\njfpm_process_info{child=\"0@g1\",pid=\"101\",pool=\"www\"} 1\n"), text);
        assertTrue(text.contains("\njfpm_process_info{child=\"0\",pid=\"301\",pool=\"www\"} 1\n"), text);
        assertTrue(text.contains("\nphpfpm_total_processes{pool=\"www\",scrape_uri=\"jfpm\"} 4\n"));
        String om = MetricsExposition.render(List.of(www.build()), MetricsExposition.Dialect.OPENMETRICS);
        assertEquals(List.of(), OpenMetricsChecker.problems(om), om);
    }

    @Test
    void openMetricsHasTheSameFamiliesWithTotalSamplesForCounters() {
        String om = MetricsExposition.render(pools(), MetricsExposition.Dialect.OPENMETRICS);
        String text = MetricsExposition.render(pools(), MetricsExposition.Dialect.PROMETHEUS);
        assertTrue(om.endsWith("# EOF\n"));
        assertFalse(text.contains("# EOF"));
        assertTrue(om.contains("\n# TYPE phpfpm_accepted_connections counter\n"));
        assertTrue(om.contains("\nphpfpm_accepted_connections_total{pool=\"www\",scrape_uri=\"jfpm\"} 29\n"));
        assertTrue(om.contains("\n# TYPE jfpm_terminated_requests counter\n"));
        assertTrue(om.contains("\njfpm_terminated_requests_total{pool=\"www\"} 2\n"));
        Map<String, Family> textFamilies = families(text);
        List<String> expected = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("#")) {
                String name = line.substring(0, line.indexOf('{'));
                boolean counter = textFamilies.containsKey(name) && textFamilies.get(name).type().equals("counter");
                expected.add(counter && !name.endsWith("_total") ? name + "_total" + line.substring(name.length()) : line);
            }
        }
        assertEquals(expected, om.lines().filter(l -> !l.startsWith("#")).toList(), "the same series, counters with _total");
    }

    @Test
    void theDialectIsTheTextFormatUnlessOpenMetricsIsAskedForExplicitly() {
        assertEquals(MetricsExposition.Dialect.PROMETHEUS, MetricsExposition.Dialect.forAccept(null));
        assertEquals(MetricsExposition.Dialect.PROMETHEUS, MetricsExposition.Dialect.forAccept("*/*"));
        assertEquals(MetricsExposition.Dialect.PROMETHEUS, MetricsExposition.Dialect.forAccept("text/plain;version=0.0.4"));
        // Prometheus 2.42's default scrape Accept
        assertEquals(MetricsExposition.Dialect.PROMETHEUS, MetricsExposition.Dialect.forAccept(
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                        + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assertEquals(MetricsExposition.Dialect.OPENMETRICS, MetricsExposition.Dialect.forAccept("application/openmetrics-text"));
        assertEquals(MetricsExposition.Dialect.OPENMETRICS, MetricsExposition.Dialect.forAccept(
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75"));
        assertEquals(MetricsExposition.Dialect.OPENMETRICS, MetricsExposition.Dialect.forFormat("openmetrics"));
        assertEquals(MetricsExposition.Dialect.PROMETHEUS, MetricsExposition.Dialect.forFormat("prometheus"));
        assertEquals(null, MetricsExposition.Dialect.forFormat("json"));
    }

    @Test
    void theStrictCheckAndPromtoolRejectBrokenExpositions() throws Exception {
        assertFalse(OpenMetricsChecker.problems("# TYPE a counter\na 1\n# EOF\n").isEmpty(), "counter sample without _total");
        assertFalse(OpenMetricsChecker.problems("# TYPE a gauge\na 1\n").isEmpty(), "no # EOF");
        assertFalse(OpenMetricsChecker.problems("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n# EOF\n").isEmpty(), "label twice");
        assertFalse(OpenMetricsChecker.problems("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na{x=\"\"} 1\n# EOF\n").isEmpty(),
                "interleaved family");
        assertFalse(OpenMetricsChecker.problems("# TYPE a gauge\na{x=\"a\"b\"} 1\n# EOF\n").isEmpty(), "unescaped quote");
        assertFalse(OpenMetricsChecker.problems(Samples.read("status.openmetrics")).isEmpty(),
                "PHP-FPM's own ?openmetrics is not strict OpenMetrics (counters without _total)");
        assertTrue(OpenMetricsChecker.problems("# HELP a_seconds x\n# TYPE a_seconds counter\na_seconds_total{p=\"q\\\"\"} 1.5e3\n# EOF\n").isEmpty());
        assertTrue(Promtool.checkMetrics("garbage here\n").exitCode() != 0, "promtool rejects garbage");
        assertTrue(Promtool.parseOpenMetrics("# TYPE a gauge\na 1\n").exitCode() != 0, "promtool rejects a missing # EOF");
    }
}
