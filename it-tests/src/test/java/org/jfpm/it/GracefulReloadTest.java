package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful reload on SIGHUP, under load: one jfpm with a php-cgi pool behind nginx and a plain
 * python pool, 3 client threads making one request per connection to both, and 3 reloads that each
 * rewrite the config file in place with another {@code pm.max-children} and another worker
 * environment variable, then HUP the master. After each reload the pools must really have the new
 * worker count with the new environment (read from /proc, not from jfpm's word), the answers must
 * carry the new value once the old generation is gone, and no request may fail across the reloads.
 */
class GracefulReloadTest {

    static final String MARK = "RELOAD_MARK";
    private static final Duration RELOAD_DEADLINE = Duration.ofSeconds(20);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** pm.max-children of both pools per generation: gen1 at start, then 3 reloads. */
    private static final int[] CHILDREN = {2, 4, 3, 5};
    private static final Pattern PHP_ANSWER = Pattern.compile("^mark=(\\S*) pid=(\\d+)$");
    private static final Pattern PLAIN_ANSWER =
            Pattern.compile("^Hello from python worker (\\d+) \\(pool plain, slot \\d+, request \\d+\\) RELOAD_MARK=(\\S+)$");

    @TempDir
    Path tmp;

    /** A reload as the test saw it: when the file was rewritten, when both pools had settled on {@code mark}. */
    private record Reload(String mark, long rewrittenNanos, long settledNanos) {
    }

    @Test
    void threeReloadsUnderLoadChangeWorkerCountAndEnvironmentWithoutAFailedRequest() throws Exception {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(docroot.resolve("mark.php"), "mark=<?= getenv('RELOAD_MARK') ?> pid=<?= getmypid() ?>\n");
        PoolSpec php = PoolSpec.named("php", Workers.phpCgi(), "preload").staticPm(CHILDREN[0]).set("env", Map.of(MARK, "gen1"));
        PoolSpec plain = PoolSpec.named("plain", Workers.python(), "none").staticPm(CHILDREN[0])
                .set("env", Map.of(MARK, "gen1", "HTTP_WORKER_TERM", "wakeup"));
        try (Jfpm jfpm = Jfpm.in(tmp).set("process-control-timeout", "5s").pool(php).pool(plain).start();
             Nginx nginx = Nginx.start(tmp.resolve("nginx"), "127.0.0.1:" + php.port(), docroot)) {
            jfpm.awaitWorkers("php", CHILDREN[0], MARK, "gen1", RELOAD_DEADLINE);
            jfpm.awaitWorkers("plain", CHILDREN[0], MARK, "gen1", RELOAD_DEADLINE);

            Map<String, Supplier<String>> kinds = new LinkedHashMap<>();
            kinds.put("php", () -> answer(Http.get(nginx.address(), "/mark.php", REQUEST_TIMEOUT), nginx));
            kinds.put("plain", () -> answer(Http.get(plain.address(), "/?env=" + MARK, REQUEST_TIMEOUT), null));
            List<Reload> reloads = new ArrayList<>();
            List<Traffic.Result> results;
            try (Traffic traffic = Traffic.start(3, Duration.ofMillis(5), kinds)) {
                awaitAnswers(jfpm, traffic, "gen1", System.nanoTime());
                for (int gen = 2; gen <= CHILDREN.length; gen++) {
                    String mark = "gen" + gen;
                    int n = CHILDREN[gen - 1];
                    long rewritten = System.nanoTime();
                    jfpm.rewrite(b -> {
                        php.pm("max-children", n).set("env", Map.of(MARK, mark));
                        plain.pm("max-children", n).set("env", Map.of(MARK, mark, "HTTP_WORKER_TERM", "wakeup"));
                    });
                    jfpm.hup();
                    jfpm.awaitWorkers("php", n, MARK, mark, RELOAD_DEADLINE);
                    jfpm.awaitWorkers("plain", n, MARK, mark, RELOAD_DEADLINE);
                    long settled = System.nanoTime();
                    System.out.printf("reload %d: max-children %d, %s=%s; both pools settled %d ms after the rewrite%n",
                            gen - 1, n, MARK, mark, (settled - rewritten) / 1_000_000);
                    awaitAnswers(jfpm, traffic, mark, settled);
                    reloads.add(new Reload(mark, rewritten, settled));
                }
                results = traffic.stop(REQUEST_TIMEOUT.plusSeconds(5));
            }

            List<String> failures = check(results, reloads, Set.copyOf(jfpm.startedPids("php")),
                    Set.copyOf(jfpm.startedPids("plain")));
            long php200 = results.stream().filter(r -> r.ok() && r.kind().equals("php")).count();
            System.out.printf("requests=%d (php %d, plain %d) failed=%d across %d reloads%n", results.size(), php200,
                    results.size() - php200, failures.size(), reloads.size());
            assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())),
                    failures.size() + " of " + results.size() + " requests failed or got a wrong answer (first 10 shown)\n"
                            + jfpm.dump());
            assertTrue(results.size() >= 30, "the client loop made only " + results.size() + " requests");
            assertTrue(jfpm.alive(), "the master is still running after " + reloads.size() + " reloads\n" + jfpm.dump());
        }
    }

    /** A 200 answer's body, trimmed; anything else fails the request. */
    private static String answer(Http.Response r, Nginx nginx) {
        if (r.status() != 200) {
            throw new AssertionError("status " + r.status() + ": " + r.body() + (nginx == null ? "" : "\n" + nginx.logs()));
        }
        return r.body().trim();
    }

    /** Waits until both kinds of request, started after {@code since}, have been answered with {@code mark}. */
    private static void awaitAnswers(Jfpm jfpm, Traffic traffic, String mark, long since) {
        jfpm.pollUntil(() -> Set.of("php", "plain").stream().allMatch(kind -> traffic.results().stream()
                        .anyMatch(r -> r.ok() && r.kind().equals(kind) && r.startNanos() > since && mark.equals(mark(r)))),
                RELOAD_DEADLINE, "answers with " + MARK + "=" + mark + " from both pools");
    }

    /** The mark and the answering pid of an answer, or null when it is not a well-formed one. */
    private static String mark(Traffic.Result r) {
        Matcher m = match(r);
        return m == null ? null : m.group(r.kind().equals("php") ? 1 : 2);
    }

    private static long answeredBy(Traffic.Result r) {
        Matcher m = match(r);
        return Long.parseLong(m.group(r.kind().equals("php") ? 2 : 1));
    }

    private static Matcher match(Traffic.Result r) {
        Matcher m = (r.kind().equals("php") ? PHP_ANSWER : PLAIN_ANSWER).matcher(r.answer());
        return m.matches() ? m : null;
    }

    /**
     * Every request must have been answered by one of the pool's workers with a well-formed answer
     * whose mark was live at some moment of the request's life: generation k may answer from the
     * rewrite that introduced it until the test saw the next generation settled (the old one gone).
     * So a request that started after a reload had settled must carry that reload's mark. Returns
     * one line per violation.
     */
    private static List<String> check(List<Traffic.Result> results, List<Reload> reloads, Set<Long> phpPids,
                                      Set<Long> plainPids) {
        List<String> failures = new ArrayList<>();
        long t0 = results.isEmpty() ? 0 : results.get(0).startNanos();
        for (Traffic.Result r : results) {
            String what = r.kind() + " request at +" + (r.startNanos() - t0) / 1_000_000 + " ms: ";
            if (!r.ok()) {
                failures.add(what + "failed: " + r.error());
                continue;
            }
            if (match(r) == null) {
                failures.add(what + "malformed answer: " + r.answer());
                continue;
            }
            long pid = answeredBy(r);
            if (!(r.kind().equals("php") ? phpPids : plainPids).contains(pid)) {
                failures.add(what + "answered by pid " + pid + ", not a worker jfpm started for the pool: " + r.answer());
            }
            if (!liveDuring(mark(r), r, reloads)) {
                failures.add(what + "mark " + mark(r) + " was not live between the request's start and end: " + r.answer());
            }
        }
        return failures;
    }

    private static boolean liveDuring(String mark, Traffic.Result r, List<Reload> reloads) {
        for (int k = 1; k <= reloads.size() + 1; k++) {
            long from = k == 1 ? Long.MIN_VALUE : reloads.get(k - 2).rewrittenNanos();
            long to = k <= reloads.size() ? reloads.get(k - 1).settledNanos() : Long.MAX_VALUE;
            if (mark.equals("gen" + k) && r.startNanos() <= to && r.endNanos() >= from) {
                return true;
            }
        }
        return false;
    }
}
