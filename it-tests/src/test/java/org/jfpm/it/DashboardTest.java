package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: the live dashboard at {@code /} in a real headless chromium: the page shows the pool and
 * its worker, the worker turns busy while a slow request runs and idle again after it, without a
 * page reload, and the page loads nothing from elsewhere.
 *
 * <p>Locators, from the dashboard's page ({@code dashboard.html}): a pool is
 * {@code section.pool#pool-NAME}, a worker {@code tr.worker#worker-PID} with {@code data-state}
 * ({@code idle | busy | starting | unknown}) and PHP-FPM's state name in {@code td.state};
 * {@code body[data-updates]} counts the refreshes. Charts (issue 11): per pool
 * {@code figure.chart[data-chart=workers|req-s|listen-queue|states] svg} with {@code data-points}
 * (samples drawn) and {@code data-newest} (the newest sample's epoch ms); a series is
 * {@code path.series[data-series=active|idle|req-s|listen-queue]} with {@code d}, {@code data-max}
 * and {@code data-last}; the state strips are {@code rect[data-state][data-pid]}.
 */
class DashboardTest {

    private static final String POOL = "www";

    @TempDir
    Path tmp;

    @Test
    void aWorkerTurnsBusyWhileASlowRequestRunsAndTheTemplateIsShownApart() {
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(1))
                .start()) {
            long pid = jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15)).get(0).pid();
            try (WebDriver browser = WebDriver.start(tmp.resolve("chromium-profile"), tmp.resolve("chromedriver.log"))) {
                browser.navigate(jfpm.statusUrl("/"));
                browser.execute("window.jfpmItNoReload = true; return true;");

                jfpm.pollUntil(() -> Boolean.TRUE.equals(browser.execute(
                                "return document.getElementById('pool-" + POOL + "') !== null;")),
                        Duration.ofSeconds(10), () -> "the dashboard to show pool " + POOL + "; page:\n" + browser.bodyText());
                awaitWorkerState(jfpm, browser, pid, "idle", Duration.ofSeconds(10));
                long template = Long.parseLong(jfpm.awaitLog("\\[pool " + POOL + "\\] template (\\d+) ready",
                        Duration.ofSeconds(10)).group(1));
                String shown = "return (function () { var t = document.querySelector('#pool-" + POOL + " p.template');"
                        + " return t && !t.hidden ? t.getAttribute('data-pid') + ' ' + t.textContent : null; })();";
                jfpm.pollUntil(() -> String.valueOf(browser.execute(shown)).startsWith(template + " template pid " + template
                        + " (ready"), Duration.ofSeconds(10), () -> "the template shown apart: " + browser.execute(shown));
                assertEquals(Boolean.FALSE, browser.execute("return document.getElementById('worker-" + template + "') !== null;"),
                        "the template is not a worker row");
                long updatesBefore = updates(browser);

                try (Load<Http.Response> slow = Load.get(1, jfpm.pool(POOL).address(), "/sleep?ms=4000")) {
                    awaitWorkerState(jfpm, browser, pid, "busy", Duration.ofSeconds(4));
                    Object stage = browser.execute("return document.querySelector('#worker-" + pid + " td.state').textContent;");
                    assertTrue(List.of("Reading headers", "Getting request informations", "Running").contains(stage),
                            "the busy worker's state column shows PHP-FPM's stage name: " + stage);
                    assertEquals(200, slow.await(Duration.ofSeconds(15)).get(0).status());
                }
                awaitWorkerState(jfpm, browser, pid, "idle", Duration.ofSeconds(10));
                assertTrue(updates(browser) > updatesBefore, "the page refreshed its data in place");
                assertEquals(Boolean.TRUE, browser.execute("return window.jfpmItNoReload === true;"),
                        "the dashboard refreshed without a full page reload");

                Object resources = browser.execute(
                        "return performance.getEntriesByType('resource').map(function (e) { return e.name; });");
                String origin = jfpm.statusUrl("/");
                for (Object url : (List<?>) resources) {
                    assertTrue(url.toString().startsWith(origin), "the dashboard loads only its own assets, not " + url);
                }
            }
        }
    }

    /**
     * Issue 11: the dashboard's charts of {@code /api/history}: they exist and have data, move on their
     * own (new samples every second, no page reload), and under load the busy series rises above 0,
     * the busy worker's state strip turns busy and req/s shows the requests. The JSON itself is checked
     * first, over plain HTTP.
     */
    @Test
    void theChartsDrawTheHistoryAndMoveUnderLoad() {
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(2))
                .start()) {
            jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(15));
            jfpm.pollUntil(() -> ((Number) history(jfpm).get("samples")).longValue() >= 2, Duration.ofSeconds(10),
                    () -> "two samples in /api/history: " + Http.get(jfpm.statusAddress(), "/api/history?pool=" + POOL).body());
            Map<String, Object> h = history(jfpm);
            assertEquals(POOL, h.get("pool"));
            assertEquals(1000L, h.get("interval ms"));
            assertEquals(600L, h.get("capacity"));
            int n = ((List<?>) h.get("time")).size();
            for (String series : List.of("idle", "active", "total", "listen queue", "accepted", "spawned", "exited")) {
                assertEquals(n, ((List<?>) h.get(series)).size(), series + " has one value per sample");
            }
            assertEquals(2L, ((Map<?, ?>) h.get("totals")).get("spawned"), "the static pool spawned its 2 workers");
            assertEquals(2, ((List<?>) h.get("workers")).size(), "one lane per worker: " + h.get("workers"));
            Http.Response unknown = Http.get(jfpm.statusAddress(), "/api/history?pool=nope", Duration.ofSeconds(5));
            assertEquals(404, unknown.status(), unknown.body());
            assertEquals("application/json", unknown.headers().get("content-type"));
            assertEquals("no pool named 'nope'", MiniJson.object(unknown.body()).get("error"));
            Http.Response missing = Http.get(jfpm.statusAddress(), "/api/history", Duration.ofSeconds(5));
            assertEquals(400, missing.status(), missing.body());
            assertEquals(List.of(POOL), MiniJson.object(missing.body()).get("pools"));

            try (WebDriver browser = WebDriver.start(tmp.resolve("chromium-profile"), tmp.resolve("chromedriver.log"))) {
                browser.navigate(jfpm.statusUrl("/"));
                browser.execute("window.jfpmItNoReload = true; return true;");
                for (String chart : List.of("workers", "req-s", "listen-queue", "states")) {
                    jfpm.pollUntil(() -> number(browser, chartAttr(chart, "data-points")) >= 2, Duration.ofSeconds(10),
                            () -> "chart " + chart + " drawn with data: " + chartAttr(browser, chart, "data-points") + "; page:\n"
                                    + browser.bodyText());
                }
                // idle: nothing busy at the newest sample, two idle workers
                jfpm.pollUntil(() -> number(browser, seriesAttr("workers", "active", "data-last")) == 0
                                && number(browser, seriesAttr("workers", "idle", "data-last")) == 2, Duration.ofSeconds(10),
                        () -> "the workers chart at rest: " + series(browser, "workers", "active") + " / " + series(browser, "workers", "idle"));
                String idlePath = String.valueOf(browser.execute(seriesAttr("workers", "idle", "d")));
                assertTrue(idlePath.startsWith("M"), "the idle series is a drawn path: " + idlePath);
                long newest = number(browser, chartAttr("workers", "data-newest"));
                jfpm.pollUntil(() -> number(browser, chartAttr("workers", "data-newest")) > newest, Duration.ofSeconds(8),
                        () -> "a newer sample drawn without a reload (newest still " + newest + ")");
                jfpm.pollUntil(() -> !idlePath.equals(browser.execute(seriesAttr("workers", "idle", "d"))), Duration.ofSeconds(8),
                        () -> "the idle series' path moves with the window");

                try (Load<Http.Response> slow = Load.get(2, jfpm.pool(POOL).address(), "/sleep?ms=4000")) {
                    jfpm.pollUntil(() -> number(browser, seriesAttr("workers", "active", "data-last")) >= 1, Duration.ofSeconds(8),
                            () -> "the busy series rises above 0: " + series(browser, "workers", "active"));
                    jfpm.pollUntil(() -> number(browser, "return document.querySelectorAll('#pool-" + POOL
                                    + " figure[data-chart=\"states\"] rect[data-state=\"busy\"]').length;") >= 1, Duration.ofSeconds(8),
                            () -> "a worker's state strip turns busy; page:\n" + browser.bodyText());
                    for (Http.Response r : slow.await(Duration.ofSeconds(15))) {
                        assertEquals(200, r.status());
                    }
                }
                jfpm.pollUntil(() -> number(browser, seriesAttr("req-s", "req-s", "data-max")) >= 1, Duration.ofSeconds(8),
                        () -> "req/s shows the 2 requests: " + series(browser, "req-s", "req-s"));
                jfpm.pollUntil(() -> number(browser, seriesAttr("workers", "active", "data-last")) == 0, Duration.ofSeconds(8),
                        () -> "the busy series back to 0 after the load: " + series(browser, "workers", "active"));
                assertTrue(number(browser, seriesAttr("workers", "active", "data-max")) >= 1, "the busy peak stays in the window");
                assertEquals(Boolean.TRUE, browser.execute("return window.jfpmItNoReload === true;"),
                        "the charts moved without a full page reload");
            }
        }
    }

    private static Map<String, Object> history(Jfpm jfpm) {
        Http.Response r = Http.get(jfpm.statusAddress(), "/api/history?pool=" + POOL, Duration.ofSeconds(5));
        assertEquals(200, r.status(), r.body());
        assertEquals("application/json", r.headers().get("content-type"));
        return MiniJson.object(r.body());
    }

    private static String chartAttr(String chart, String attr) {
        return "var s = document.querySelector('#pool-" + POOL + " figure[data-chart=\"" + chart + "\"] svg');"
                + " return s ? s.getAttribute('" + attr + "') : null;";
    }

    private static Object chartAttr(WebDriver browser, String chart, String attr) {
        return browser.execute(chartAttr(chart, attr));
    }

    private static String seriesAttr(String chart, String series, String attr) {
        return "var p = document.querySelector('#pool-" + POOL + " figure[data-chart=\"" + chart + "\"] path[data-series=\""
                + series + "\"]'); return p ? p.getAttribute('" + attr + "') : null;";
    }

    /** A series as the page has it: last, max, path. */
    private static String series(WebDriver browser, String chart, String series) {
        return series + " last=" + browser.execute(seriesAttr(chart, series, "data-last")) + " max="
                + browser.execute(seriesAttr(chart, series, "data-max")) + " d=" + browser.execute(seriesAttr(chart, series, "d"));
    }

    /** The script's value as a number; -1 when it is not one. */
    private static long number(WebDriver browser, String script) {
        Object v = browser.execute(script);
        if (v instanceof Number n) {
            return (long) Math.floor(n.doubleValue());
        }
        try {
            return v == null ? -1 : (long) Math.floor(Double.parseDouble(v.toString()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void awaitWorkerState(Jfpm jfpm, WebDriver browser, long pid, String state, Duration timeout) {
        String script = "var r = document.getElementById('worker-" + pid + "'); return r ? r.getAttribute('data-state') : null;";
        jfpm.pollUntil(() -> state.equals(browser.execute(script)), timeout,
                () -> "worker " + pid + " shown " + state + " (now: " + browser.execute(script) + "); page:\n"
                        + browser.bodyText());
    }

    private static long updates(WebDriver browser) {
        Object v = browser.execute("return Number(document.body.getAttribute('data-updates'));");
        return v instanceof Number n ? n.longValue() : -1;
    }
}
