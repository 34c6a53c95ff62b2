package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: the live dashboard at {@code /} in a real headless chromium: the page shows the pool and
 * its worker, the worker turns busy while a slow request runs and idle again after it, without a
 * page reload, and the page loads nothing from elsewhere.
 *
 * <p>Locating: a worker's row is the rendered line (innerText) that holds its pid; the state is
 * read from that line. This holds for a table or a list layout and needs no element ids.
 */
class DashboardTest {

    private static final String POOL = "www";
    private static final Pattern BUSY = Pattern.compile("(?i)\\b(running|busy|reading headers|executing)\\b");
    private static final Pattern IDLE = Pattern.compile("(?i)\\bidle\\b");

    @TempDir
    Path tmp;

    @Test
    void aWorkerTurnsBusyWhileASlowRequestRuns() {
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(1))
                .start()) {
            long pid = jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15)).get(0).pid();
            try (WebDriver browser = WebDriver.start(tmp.resolve("chromium-profile"), tmp.resolve("chromedriver.log"))) {
                browser.navigate(jfpm.statusUrl("/"));
                browser.execute("window.__jfpmNoReload = true; return true;");

                jfpm.pollUntil(() -> browser.bodyText().contains(POOL) && workerLine(browser, pid).isPresent(),
                        Duration.ofSeconds(10), () -> "the dashboard to show pool " + POOL + " and worker " + pid
                                + "; page text:\n" + browser.bodyText());
                jfpm.pollUntil(() -> workerLine(browser, pid).filter(l -> IDLE.matcher(l).find()).isPresent(),
                        Duration.ofSeconds(10), () -> "worker " + pid + " shown idle; its line: " + workerLine(browser, pid));

                try (Load<Http.Response> slow = Load.get(1, jfpm.pool(POOL).address(), "/sleep?ms=4000")) {
                    jfpm.pollUntil(() -> workerLine(browser, pid).filter(l -> BUSY.matcher(l).find()).isPresent(),
                            Duration.ofSeconds(4), () -> "worker " + pid + " shown busy during the slow request; its line: "
                                    + workerLine(browser, pid) + "\npage text:\n" + browser.bodyText());
                    assertEquals(200, slow.await(Duration.ofSeconds(15)).get(0).status());
                }
                jfpm.pollUntil(() -> workerLine(browser, pid).filter(l -> IDLE.matcher(l).find()).isPresent(),
                        Duration.ofSeconds(10), () -> "worker " + pid + " shown idle again; its line: " + workerLine(browser, pid));
                assertEquals(Boolean.TRUE, browser.execute("return window.__jfpmNoReload === true;"),
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

    /** The rendered line holding {@code pid} as a whole number. */
    private static Optional<String> workerLine(WebDriver browser, long pid) {
        Pattern p = Pattern.compile("(^|\\D)" + pid + "(\\D|$)");
        return browser.bodyText().lines().filter(l -> p.matcher(l).find()).findFirst()
                .map(l -> l.toLowerCase(Locale.ROOT));
    }
}
