package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * {@code body[data-updates]} counts the refreshes.
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
