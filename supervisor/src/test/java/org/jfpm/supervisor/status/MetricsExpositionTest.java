package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.api.Test;

class MetricsExpositionTest {

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

    @Test
    void openMetricsPassesTheStrictCheckAndPromtoolsOpenMetricsParser() throws Exception {
        String om = MetricsExposition.render(pools(), MetricsExposition.Dialect.OPENMETRICS);
        assertEquals(List.of(), OpenMetricsChecker.problems(om), om);
        Promtool.Result r = Promtool.parseOpenMetrics(om);
        assertEquals(0, r.exitCode(), r.output());
    }

    @Test
    void prometheusTextPassesPromtoolCheckMetricsWithoutLintProblems() throws Exception {
        String text = MetricsExposition.render(pools(), MetricsExposition.Dialect.PROMETHEUS);
        Promtool.Result r = Promtool.checkMetrics(text);
        assertEquals(0, r.exitCode(), r.output() + "\n" + text);
        assertEquals("", r.output().trim());
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

    @Test
    void everyPoolIsLabelledAndHasPhpFpmsFamiliesAndOurAdditions() {
        String om = MetricsExposition.render(pools(), MetricsExposition.Dialect.OPENMETRICS);
        for (String family : List.of("phpfpm_up", "phpfpm_start_since", "phpfpm_accepted_connections", "phpfpm_listen_queue",
                "phpfpm_max_listen_queue", "phpfpm_listen_queue_length", "phpfpm_idle_processes", "phpfpm_active_processes",
                "phpfpm_total_processes", "phpfpm_max_active_processes", "phpfpm_max_children_reached", "phpfpm_slow_requests",
                "phpfpm_max_children", "phpfpm_terminated_requests", "phpfpm_process_state", "phpfpm_process_requests",
                "phpfpm_process_request_duration", "phpfpm_process_rss_bytes")) {
            assertTrue(om.contains("\n# TYPE " + family + " ") || om.startsWith("# HELP " + family + " "), family);
        }
        assertTrue(om.contains("\nphpfpm_accepted_connections_total{pool=\"www\"} 29\n"));
        assertTrue(om.contains("\nphpfpm_max_children{pool=\"api\"} 10\n"));
        assertTrue(om.contains("\nphpfpm_terminated_requests_total{pool=\"www\"} 2\n"));
        assertTrue(om.contains("\nphpfpm_idle_processes{pool=\"empty\"} 0\n"));
        assertTrue(om.contains("\nphpfpm_pool_info{pool=\"api\",process_manager=\"ondemand\",accounting=\"preload\"} 1\n"), om);
        assertTrue(om.contains("\nphpfpm_process_state{pool=\"www\",pid=\"102\",state=\"Running\"} 1\n"));
        assertTrue(om.contains("\nphpfpm_process_state{pool=\"www\",pid=\"103\",state=\"Starting\"} 1\n"));
        assertTrue(om.contains("\nphpfpm_process_requests_total{pool=\"api\",pid=\"201\"} 4\n"));
        assertTrue(om.contains("\nphpfpm_process_request_duration{pool=\"www\",pid=\"102\"} 35000\n"));
        assertTrue(om.contains("\nphpfpm_process_rss_bytes{pool=\"api\",pid=\"201\"} 1234\n"));
        assertFalse(om.contains("phpfpm_process_rss_bytes{pool=\"www\",pid=\"103\"}"), "unknown RSS is left out, not reported as -1");
    }

    /** A pid in two slots of a pool (a garbled or racing slot, e.g. the CLI's worker-written pids): its first slot only, in every family. */
    @Test
    void aPidSeenTwiceInAPoolGivesOneSeriesPerFamily() {
        Fixtures www = Fixtures.pool("www");
        www.idle(101).running(102).running(101);
        String om = MetricsExposition.render(List.of(www.build()), MetricsExposition.Dialect.OPENMETRICS);
        assertEquals(List.of(), OpenMetricsChecker.problems(om), om);
        assertEquals(1, om.lines().filter(l -> l.startsWith("phpfpm_process_state{pool=\"www\",pid=\"101\"")).count(), om);
        assertTrue(om.contains("\nphpfpm_process_state{pool=\"www\",pid=\"101\",state=\"Idle\"} 1\n"), "the first slot's");
        assertEquals(1, om.lines().filter(l -> l.startsWith("phpfpm_process_rss_bytes{pool=\"www\",pid=\"101\"}")).count());
        assertTrue(om.contains("\nphpfpm_process_requests_total{pool=\"www\",pid=\"102\"} 5\n"));
        assertTrue(om.contains("\nphpfpm_total_processes{pool=\"www\"} 3\n"), "the pool figures still count every slot");
    }

    @Test
    void bothDialectsGiveTheSameSeries() {
        String om = MetricsExposition.render(pools(), MetricsExposition.Dialect.OPENMETRICS);
        String prom = MetricsExposition.render(pools(), MetricsExposition.Dialect.PROMETHEUS);
        assertEquals(samples(om), samples(prom));
        assertTrue(prom.contains("\n# TYPE phpfpm_accepted_connections_total counter\n"));
        assertFalse(prom.contains("# EOF"));
    }

    @Test
    void acceptHeaderPicksTheDialect() {
        assertEquals(MetricsExposition.Dialect.OPENMETRICS, MetricsExposition.Dialect.forAccept(null));
        assertEquals(MetricsExposition.Dialect.OPENMETRICS, MetricsExposition.Dialect.forAccept("*/*"));
        assertEquals(MetricsExposition.Dialect.OPENMETRICS, MetricsExposition.Dialect.forAccept(
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
        assertEquals(MetricsExposition.Dialect.PROMETHEUS, MetricsExposition.Dialect.forAccept("text/plain;version=0.0.4"));
    }

    private static List<String> samples(String exposition) {
        return exposition.lines().filter(l -> !l.startsWith("#")).toList();
    }
}
