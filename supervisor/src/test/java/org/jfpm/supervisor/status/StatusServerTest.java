package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PmMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The routes over real HTTP on 127.0.0.1, with fixed snapshots so bodies can be compared exactly. */
class StatusServerTest {

    private static final List<PoolStatus> POOLS = pools();
    private static ActorSystem<Void> system;
    private static StatusServer twoPools;
    private static StatusServer onePool;
    private static StatusServer failing;
    private static StatusServer silent;
    private static StatusServer sampled;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static List<PoolStatus> pools() {
        Fixtures www = Fixtures.pool("www");
        www.accepted = 17;
        www.idle(101).running(102);
        Fixtures api = Fixtures.pool("api");
        api.pm = PmMode.ONDEMAND;
        api.running(201);
        return List.of(www.build(), api.build());
    }

    @BeforeAll
    static void start() throws Exception {
        system = ActorSystem.create(Behaviors.empty(), "status-server-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
        twoPools = start(() -> CompletableFuture.completedFuture(POOLS), Duration.ofSeconds(3));
        onePool = start(() -> CompletableFuture.supplyAsync(() -> POOLS.subList(0, 1)), Duration.ofSeconds(3));
        failing = start(() -> CompletableFuture.failedFuture(new IllegalStateException("master is stopping")), Duration.ofSeconds(3));
        silent = start(CompletableFuture::new, Duration.ofMillis(200));
        History history = new History();
        history.record(POOLS, 1_000);
        history.record(POOLS, 2_000);
        sampled = StatusServer.start(system, "127.0.0.1", 0, () -> CompletableFuture.completedFuture(POOLS), history, ZoneOffset.UTC,
                Duration.ofSeconds(3)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static StatusServer start(StatusSource source, Duration timeout) throws Exception {
        return StatusServer.start(system, "127.0.0.1", 0, source, ZoneOffset.UTC, timeout).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        for (StatusServer s : List.of(twoPools, onePool, failing, silent, sampled)) {
            s.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static HttpResponse<String> get(StatusServer server, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String normalized(String contentType) {
        return contentType.replace(" ", "").toLowerCase(Locale.ROOT);
    }

    private static void assertNoCache(HttpResponse<?> r) {
        assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", r.headers().firstValue("Expires").orElse(""));
        assertEquals("no-cache, no-store, must-revalidate, max-age=0", r.headers().firstValue("Cache-Control").orElse(""));
    }

    @ParameterizedTest(name = "/status/www{0}")
    @CsvSource(value = {
        "'',                  TEXT,        false, status.txt",
        "?full,               TEXT,        true,  status-full.txt",
        "?json,               JSON,        false, status.json",
        "?json&full,          JSON,        true,  status-full.json",
        "?full&json,          JSON,        true,  status-full.json",
        "?xml,                XML,         false, status.xml",
        "?xml&full,           XML,         true,  status-full.xml",
        "?html,               HTML,        false, status.html",
        "?html&full,          HTML,        true,  status.html",
        "?openmetrics,        OPENMETRICS, false, status.openmetrics",
        "?openmetrics&full,   OPENMETRICS, true,  status-full.openmetrics"})
    void statusAnswersPhpFpmsFormatWithItsContentTypeAndCacheHeaders(String query, StatusFormat format, boolean full, String sample)
            throws Exception {
        HttpResponse<String> r = get(twoPools, "/status/www" + query);
        assertEquals(200, r.statusCode());
        assertEquals(StatusPage.render(POOLS.get(0), format, full, ZoneOffset.UTC, false), r.body());
        assertEquals(normalized(Samples.contentType(sample)), normalized(r.headers().firstValue("Content-Type").orElseThrow()));
        assertNoCache(r);
    }

    @Test
    void statusWithoutAPoolAnswersForASinglePoolConfigOnly() throws Exception {
        HttpResponse<String> one = get(onePool, "/status?json");
        assertEquals(200, one.statusCode());
        assertEquals("www", MiniJson.object(one.body()).get("pool"));
        HttpResponse<String> two = get(twoPools, "/status");
        assertEquals(400, two.statusCode());
        assertTrue(two.body().contains("2 pools (www, api)") && two.body().contains("/status/{pool}"), two.body());
    }

    @Test
    void anUnknownPoolIs404NamingIt() throws Exception {
        HttpResponse<String> r = get(twoPools, "/status/nope?json");
        assertEquals(404, r.statusCode());
        assertEquals("no pool named 'nope' (pools: www, api)\n", r.body());
        assertEquals(404, get(twoPools, "/nothing-here").statusCode());
    }

    @Test
    void pingAnswersPongAsPhpFpm() throws Exception {
        HttpResponse<String> r = get(twoPools, "/ping");
        assertEquals(200, r.statusCode());
        assertEquals(Samples.read("ping.txt"), r.body());
        assertEquals(normalized(Samples.contentType("ping.txt")), normalized(r.headers().firstValue("Content-Type").orElseThrow()));
        assertNoCache(r);
    }

    @Test
    void headAnswersHeadersOnly() throws Exception {
        HttpRequest head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + twoPools.localAddress().getPort() + "/status/www?json"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> r = HTTP.send(head, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertNoCache(r);
    }

    @Test
    void metricsServesPrometheusTextByDefaultAndOpenMetricsWhenAskedForEveryPool() throws Exception {
        HttpResponse<String> text = get(twoPools, "/metrics");
        assertEquals(200, text.statusCode());
        assertTrue(normalized(text.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain;version=0.0.4"));
        assertEquals(MetricsExposition.render(POOLS, MetricsExposition.Dialect.PROMETHEUS), text.body());
        assertTrue(text.body().contains("phpfpm_idle_processes{pool=\"api\",scrape_uri=\"jfpm\"} 0\n"), text.body());
        String prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assertEquals(text.body(), get(twoPools, "/metrics", "Accept", prometheusAccept).body(), "what Prometheus asks for");
        assertEquals(text.body(), get(twoPools, "/metrics?format=prometheus").body());

        for (HttpResponse<String> om : List.of(get(twoPools, "/metrics?format=openmetrics"),
                get(twoPools, "/metrics", "Accept", "application/openmetrics-text; version=1.0.0"))) {
            assertEquals(200, om.statusCode());
            assertEquals(normalized(MetricsExposition.Dialect.OPENMETRICS.contentType()),
                    normalized(om.headers().firstValue("Content-Type").orElseThrow()));
            assertEquals(List.of(), OpenMetricsChecker.problems(om.body()));
            assertEquals(MetricsExposition.render(POOLS, MetricsExposition.Dialect.OPENMETRICS), om.body());
        }
    }

    @Test
    void apiPoolsListsEveryPoolWithItsWorkers() throws Exception {
        HttpResponse<String> r = get(twoPools, "/api/pools");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> body = MiniJson.object(r.body());
        List<?> pools = (List<?>) body.get("pools");
        assertEquals(2, pools.size());
        Map<?, ?> www = (Map<?, ?>) pools.get(0);
        assertEquals("www", www.get("pool"));
        assertEquals(4L, www.get("max children"));
        List<?> processes = (List<?>) www.get("processes");
        assertEquals(2, processes.size());
        Map<?, ?> busy = (Map<?, ?>) processes.get(1);
        assertEquals(102L, busy.get("pid"));
        assertEquals("busy", busy.get("activity"));
        assertEquals("Running", busy.get("state"));
        assertEquals(31_000_000L, busy.get("rss"));
    }

    @Test
    void apiHistoryServesThePoolsSamples() throws Exception {
        HttpResponse<String> r = get(sampled, "/api/history?pool=www");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-cache, no-store, must-revalidate, max-age=0", r.headers().firstValue("Cache-Control").orElseThrow());
        Map<String, Object> body = MiniJson.object(r.body());
        assertEquals("www", body.get("pool"));
        assertEquals(List.of(1000L, 2000L), body.get("time"));
        assertEquals(List.of(1L, 1L), body.get("idle"));
        assertEquals(List.of(1L, 1L), body.get("active"));
        assertEquals(List.of(2L, 2L), body.get("total"));
        List<?> workers = (List<?>) body.get("workers");
        assertEquals(2, workers.size());
        assertEquals("bb", ((Map<?, ?>) workers.get(1)).get("states"));
        Map<String, Object> api = MiniJson.object(get(sampled, "/api/history?pool=api").body());
        assertEquals("api", api.get("pool"));
        assertEquals(List.of(0L, 0L), api.get("idle"), "the other pool's is its own");
        assertEquals(List.of(1L, 1L), api.get("active"));
    }

    @Test
    void apiHistoryOfAPoolNotYetSampledIsEmpty() throws Exception {
        HttpResponse<String> r = get(twoPools, "/api/history?pool=api");
        assertEquals(200, r.statusCode());
        assertEquals(0L, MiniJson.object(r.body()).get("samples"));
    }

    @Test
    void apiHistoryOfAnUnknownPoolIs404AndWithoutAPoolIs400() throws Exception {
        HttpResponse<String> unknown = get(sampled, "/api/history?pool=nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("application/json", unknown.headers().firstValue("Content-Type").orElseThrow());
        Map<String, Object> e = MiniJson.object(unknown.body());
        assertEquals("no pool named 'nope'", e.get("error"));
        assertEquals(List.of("www", "api"), e.get("pools"));
        for (String path : List.of("/api/history", "/api/history?pool=", "/api/history?other=www")) {
            HttpResponse<String> missing = get(sampled, path);
            assertEquals(400, missing.statusCode(), path);
            assertEquals("missing the pool parameter: ask for /api/history?pool=NAME", MiniJson.object(missing.body()).get("error"), path);
        }
    }

    @Test
    void theDashboardIsOneSelfContainedPage() throws Exception {
        HttpResponse<String> r = get(twoPools, "/");
        assertEquals(200, r.statusCode());
        assertEquals("text/html;charset=utf-8", normalized(r.headers().firstValue("Content-Type").orElseThrow()));
        String html = r.body();
        assertTrue(html.contains("<main id=\"pools\">") && html.contains("fetch(\"api/pools\"") && html.contains("<style>"));
        assertTrue(html.contains("fetch(\"api/history?pool=\"") && html.contains("createElementNS(SVG_NS"), "charts of /api/history in inline SVG");
        assertTrue(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("<link"), "no external assets");
    }

    @Test
    void aFailingOrSilentSourceGives500WithTheReason() throws Exception {
        HttpResponse<String> f = get(failing, "/status/www");
        assertEquals(500, f.statusCode());
        assertTrue(f.body().startsWith("Internal error: ") && f.body().contains("master is stopping"), f.body());
        long start = System.nanoTime();
        HttpResponse<String> s = get(silent, "/metrics");
        assertEquals(500, s.statusCode());
        assertEquals("Internal error: the master did not answer in time\n", s.body());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(200, get(silent, "/ping").statusCode(), "ping does not need the master");
    }

    @Test
    void onlyGetAndHeadAreServed() throws Exception {
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + twoPools.localAddress().getPort() + "/ping"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build();
        assertEquals(405, HTTP.send(post, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void parseListenAcceptsHostPortForms() {
        assertEquals("127.0.0.1:9001", hp(StatusServer.parseListen("127.0.0.1:9001")));
        assertEquals("::1:9001", hp(StatusServer.parseListen("[::1]:9001")));
        assertEquals("0.0.0.0:80", hp(StatusServer.parseListen(":80")));
        for (String bad : new String[] {"", "9001", "::1:9001", "host:x", "host:70000"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> StatusServer.parseListen(bad));
            assertTrue(e.getMessage().startsWith("status.listen: '" + bad + "'"), e.getMessage());
        }
    }

    private static String hp(java.net.InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
