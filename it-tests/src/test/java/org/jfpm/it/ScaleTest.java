package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8.4, scale: a static pool of 500 C accept-loop workers (accounting = preload) reaches
 * strength (500 idle slots, 500 children of the master in /proc), serves, answers its status, and
 * stops on TERM with exit 0 and no worker left.
 *
 * <p>Status latency, one connection per request (as a monitoring probe does), for
 * {@code /status/scale?json}, {@code ?json&full}, {@code /metrics} and plain {@code /status}, beside
 * {@code /ping} (the HTTP server's own floor):
 * <ul>
 *   <li><b>first requests</b> after the start: 26 of each route, the last 21 timed. The JIT has
 *       not compiled the status path yet; p50 and max are printed, and {@code ?json}'s p50 must stay
 *       under a 50 ms regression guard;</li>
 *   <li><b>steady state</b>, as a status page polled by monitoring sees it: after 100 rounds of
 *       every route, 41 rounds, the routes interleaved so that the machine's load falls on all alike.
 *       Each route's p50 must be under the 10 ms ({@code -Djfpm.it.statusBudgetMs} changes
 *       it); the max is printed, not asserted: on the shared, loaded 2-core machine a single request
 *       waits for a CPU now and then (see docs/reliability.md).</li>
 * </ul>
 */
class ScaleTest {

    private static final String POOL = "scale";
    private static final int WORKERS = 500;
    private static final double BUDGET_MS = Double.parseDouble(System.getProperty("jfpm.it.statusBudgetMs", "10"));
    /** The first requests' bound on {@code ?json}'s p50: a regression guard, not the target. */
    private static final double FIRST_REQUESTS_GUARD_MS = 50;
    private static final int WARM_UP_ROUNDS = 100;
    private static final int TIMED_ROUNDS = 41;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void fiveHundredWorkersStartServeAnswerStatusFastAndStopCleanly() {
        long t0 = System.nanoTime();
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.cAcceptLoop(), "preload").staticPm(WORKERS))
                .start()) {
            jfpm.awaitIdle(POOL, WORKERS, Duration.ofSeconds(90));
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(WORKERS, jfpm.workerPids(POOL).size(), "children of the master in /proc");

            Set<Long> servedBy = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                Http.Response r = Http.get(jfpm.pool(POOL).address(), "/", Duration.ofSeconds(5));
                assertEquals(200, r.status(), r.body());
                servedBy.add(r.workerPid());
            }
            assertTrue(jfpm.workerPids(POOL).containsAll(servedBy), "served by the pool's workers: " + servedBy);

            Map<String, Consumer<String>> routes = new LinkedHashMap<>();
            routes.put("/ping", body -> assertEquals("pong", body.trim()));
            routes.put("/status/" + POOL + "?json",
                    body -> assertEquals((long) WORKERS, MiniJson.object(body).get("total processes"), body));
            routes.put("/status/" + POOL + "?json&full", body -> {
                Map<String, Object> o = MiniJson.object(body);
                assertEquals((long) WORKERS, o.get("total processes"));
                assertEquals(WORKERS, ((List<?>) o.get("processes")).size());
            });
            routes.put("/metrics",
                    body -> assertTrue(body.contains("phpfpm_total_processes{pool=\"" + POOL + "\",scrape_uri=\"jfpm\"} " + WORKERS + "\n"), body));
            routes.put("/status", body -> assertTrue(body.contains("\ntotal processes:      " + WORKERS + "\n"), body));

            Map<String, List<Double>> first = new LinkedHashMap<>();
            routes.forEach((path, check) -> {
                List<Double> ms = new ArrayList<>();
                for (int i = 0; i < 26; i++) {
                    double took = get(jfpm, path, check);
                    if (i >= 5) {
                        ms.add(took);
                    }
                }
                first.put(path, sorted(ms));
            });
            Map<String, List<Double>> steady = new LinkedHashMap<>();
            routes.keySet().forEach(path -> steady.put(path, new ArrayList<>()));
            for (int round = 0; round < WARM_UP_ROUNDS + TIMED_ROUNDS; round++) {
                for (Map.Entry<String, Consumer<String>> r : routes.entrySet()) {
                    double took = get(jfpm, r.getKey(), r.getValue());
                    if (round >= WARM_UP_ROUNDS) {
                        steady.get(r.getKey()).add(took);
                    }
                }
            }
            steady.replaceAll((path, ms) -> sorted(ms));

            long s = System.nanoTime();
            jfpm.signal("TERM");
            int exit = jfpm.awaitExit(Duration.ofSeconds(60));
            long stopMs = (System.nanoTime() - s) / 1_000_000;
            String marker = "JFPM_SCOREBOARD=" + jfpm.scoreboardDir() + "/";
            jfpm.pollUntil(() -> Procs.withEnviron(marker).isEmpty(), Duration.ofSeconds(5),
                    () -> "no worker left: " + Procs.withEnviron(marker));
            System.out.printf("scale: %d workers at strength %d ms after launch; TERM -> exit %d in %d ms, no worker left%n",
                    WORKERS, startMs, exit, stopMs);
            System.out.printf("scale: status p50/max, first requests (21 after 5): %s%n", figures(first));
            System.out.printf("scale: status p50/max, steady state (%d rounds after %d): %s%n", TIMED_ROUNDS, WARM_UP_ROUNDS,
                    figures(steady));
            assertEquals(0, exit, "exit status of a graceful stop\n" + jfpm.dump());
            String json = "/status/" + POOL + "?json";
            assertTrue(p50(first.get(json)) < FIRST_REQUESTS_GUARD_MS, "first requests: " + json + " p50 "
                    + p50(first.get(json)) + " ms (all: " + first.get(json) + ")");
            steady.forEach((path, ms) -> {
                if (!path.equals("/ping")) {
                    assertTrue(p50(ms) < BUDGET_MS, "steady state: " + path + " p50 " + p50(ms) + " ms >= " + BUDGET_MS
                            + " (all: " + ms + "; /ping: " + steady.get("/ping") + ")");
                }
            });
        }
    }

    /** One GET of {@code path}: its time in ms; the answer must be a 200 that passes {@code check} (outside the time). */
    private static double get(Jfpm jfpm, String path, Consumer<String> check) {
        long s = System.nanoTime();
        Http.Response r = Http.get(jfpm.statusAddress(), path, Duration.ofSeconds(5));
        double took = (System.nanoTime() - s) / 1e6;
        assertEquals(200, r.status(), path + ": " + r.body());
        check.accept(r.body());
        return took;
    }

    private static List<Double> sorted(List<Double> ms) {
        List<Double> copy = new ArrayList<>(ms);
        Collections.sort(copy);
        return copy;
    }

    private static String figures(Map<String, List<Double>> byPath) {
        StringBuilder b = new StringBuilder();
        byPath.forEach((path, ms) -> b.append(b.length() == 0 ? "" : ", ").append(path)
                .append(' ').append(p50Max(ms)));
        return b.toString();
    }

    private static double p50(List<Double> sorted) {
        return sorted.get(sorted.size() / 2);
    }

    private static String p50Max(List<Double> sorted) {
        return String.format(Locale.ROOT, "%.2f/%.2f ms", p50(sorted), sorted.get(sorted.size() - 1));
    }
}
