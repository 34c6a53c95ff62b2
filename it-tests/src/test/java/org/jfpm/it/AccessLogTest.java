package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 10.5, the access log: nginx in front of a static pool of 4 unmodified php-cgi workers (forked
 * from a template, the default), each writing its own line at the end of each request through the
 * preload library. N requests under concurrency give exactly N well-formed lines with the right method,
 * URI and status; wrk's load loses none (nginx's own log counts them); after logrotate's rename + USR1
 * the new file gets the lines.
 */
class AccessLogTest {

    private static final int REQUESTS = 2000;
    private static final int CLIENTS = 16;
    private static final String FORMAT = "%R - %u %t \"%m %r%Q%q\" %s %{mili}d %n %p";
    private static final Pattern LINE = Pattern.compile(
            "127\\.0\\.0\\.1 -  \\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4} "
                    + "\"(GET|POST) /app\\.php\\?id=(\\d+)(&code=(\\d{3}))?\" (\\d{3}) \\d+\\.\\d{3} www (\\d+)");
    private static final String SCRIPT = """
            <?php
            if (isset($_GET['code'])) http_response_code((int) $_GET['code']);
            echo 'ok ', $_GET['id'] ?? '-', "\\n";
            """;

    @TempDir
    Path tmp;

    private Path docroot() throws IOException {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(docroot.resolve("app.php"), SCRIPT);
        return docroot;
    }

    private PoolSpec pool(Path log) {
        return PoolSpec.named("www", Workers.phpCgi(), "preload").staticPm(4)
                .set("access-log", log.toString()).set("access-format", FORMAT);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitLines(Jfpm jfpm, Path file, int n) {
        jfpm.pollUntil(() -> lines(file).size() >= n, Duration.ofSeconds(20), n + " lines in " + file);
    }

    /** Forked workers inherit the template's copy (fd 5 in the template), exec'd ones get fd 4 from the master. */
    @ParameterizedTest(name = "spawn-mode {0}")
    @ValueSource(strings = {"fork", "exec"})
    void nConcurrentRequestsGiveExactlyNWellFormedLines(String spawnMode) throws Exception {
        Path log = tmp.resolve("access.log");
        PoolSpec pool = pool(log).set("spawn-mode", spawnMode);
        try (Jfpm jfpm = Jfpm.in(tmp).pool(pool).start();
             Nginx nginx = Nginx.start(tmp.resolve("nginx"), "127.0.0.1:" + pool.port(), docroot())) {
            jfpm.awaitIdle("www", 4, Duration.ofSeconds(20));
            AtomicInteger next = new AtomicInteger();
            Map<Integer, Integer> expected = new java.util.concurrent.ConcurrentHashMap<>();
            try (Load<Integer> load = Load.start(CLIENTS, () -> {
                int done = 0;
                for (int id; (id = next.getAndIncrement()) < REQUESTS; done++) {
                    int code = id % 5 == 0 ? 404 : id % 7 == 0 ? 201 : 200;
                    String path = "/app.php?id=" + id + (code == 200 ? "" : "&code=" + code);
                    Http.Response r = Http.get(nginx.address(), path, Duration.ofSeconds(30));
                    if (r.status() != code || !r.body().startsWith("ok " + id)) {
                        throw new AssertionError(path + ": " + r.status() + " " + r.body());
                    }
                    expected.put(id, code);
                }
                return done;
            })) {
                assertEquals(REQUESTS, load.await(Duration.ofMinutes(3)).stream().mapToInt(Integer::intValue).sum());
            }
            awaitLines(jfpm, log, REQUESTS);
            Thread.sleep(300); // a line too many would come now
            List<String> lines = lines(log);
            assertEquals(REQUESTS, lines.size(), "one line per request");
            Map<Integer, Integer> seen = new HashMap<>();
            Map<Long, Integer> perWorker = new HashMap<>();
            List<String> bad = new ArrayList<>();
            for (String l : lines) {
                Matcher m = LINE.matcher(l);
                if (!m.matches() || !m.group(1).equals("GET")) {
                    bad.add(l);
                    continue;
                }
                int id = Integer.parseInt(m.group(2));
                int status = Integer.parseInt(m.group(5));
                if (m.group(4) != null && Integer.parseInt(m.group(4)) != status) {
                    bad.add("status " + status + " for " + l);
                }
                if (seen.put(id, status) != null) {
                    bad.add("twice: " + l);
                }
                perWorker.merge(Long.parseLong(m.group(6)), 1, Integer::sum);
            }
            assertEquals(List.of(), bad.subList(0, Math.min(bad.size(), 10)), bad.size() + " bad lines");
            assertEquals(expected, seen, "every request's id and status, once");
            assertEquals(jfpm.inUse("www").stream().map(s -> s.pid()).sorted().toList(),
                    perWorker.keySet().stream().sorted().toList(), "the lines come from the 4 workers (" + perWorker + ")");
        }
    }

    @Test
    void wrkLoadLosesNoLineAndRotationMovesTheNewLinesToTheNewFile() throws Exception {
        Path log = tmp.resolve("access.log");
        PoolSpec pool = pool(log);
        try (Jfpm jfpm = Jfpm.in(tmp).pool(pool).start();
             Nginx nginx = Nginx.start(tmp.resolve("nginx"), "127.0.0.1:" + pool.port(), docroot())) {
            jfpm.awaitIdle("www", 4, Duration.ofSeconds(20));
            Process wrk = new ProcessBuilder("wrk", "-t2", "-c16", "-d3s", "http://" + nginx.address().getHostString()
                    + ":" + nginx.address().getPort() + "/app.php?id=1").redirectErrorStream(true).start();
            String wrkOut = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(wrk.waitFor(30, TimeUnit.SECONDS) && wrk.exitValue() == 0, wrkOut);
            Path nginxLog = tmp.resolve("nginx").resolve("access.log");
            jfpm.pollUntil(() -> {
                long n = lines(nginxLog).stream().filter(l -> l.contains("/app.php")).count();
                return n > 0 && lines(log).size() == n;
            }, Duration.ofSeconds(20), "as many access log lines as nginx logged requests\n" + wrkOut);
            int before = lines(log).size();
            assertTrue(before > 500, "wrk made " + before + " requests:\n" + wrkOut);
            assertTrue(lines(log).stream().allMatch(l -> LINE.matcher(l).matches()), "every line well-formed");
            System.out.println("[AccessLogTest] wrk -c16 -d3s: nginx logged " + before + " requests, the access log has "
                    + lines(log).size() + " lines");

            Path rotated = tmp.resolve("access.log.1");
            Files.move(log, rotated);
            int mark = jfpm.logMark();
            jfpm.signal("USR1");
            jfpm.awaitLogSince(mark, "access log file " + Pattern.quote(log.toString()) + " re-opened", Duration.ofSeconds(10));
            jfpm.awaitLogSince(mark, "\\[pool www\\] access log re-opened: generation 2 starts", Duration.ofSeconds(10));
            jfpm.awaitLogSince(mark, "\\[pool www\\] generation 1 drained", Duration.ofSeconds(20));
            for (int i = 0; i < 20; i++) {
                Http.Response r = Http.get(nginx.address(), "/app.php?id=" + (100_000 + i));
                assertEquals(200, r.status(), r.body());
            }
            awaitLines(jfpm, log, 20);
            assertEquals(20, lines(log).size(), "the new file has exactly the requests after the rotation");
            assertTrue(lines(log).stream().allMatch(l -> LINE.matcher(l).matches() && l.contains("id=1000")), lines(log).toString());
            assertEquals(before, lines(rotated).size(), "the rotated file got nothing more");
            assertTrue(Files.getPosixFilePermissions(log).equals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----")),
                    "created 0640");
        }
    }

    @Test
    void slowRequestsGoToTheSlowlogInPhpFpmsLayout() throws Exception {
        Path slowlog = tmp.resolve("slow.log");
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(docroot.resolve("slow.php"), "<?php usleep(1500000); echo 'slept';");
        PoolSpec pool = PoolSpec.named("www", Workers.phpCgi(), "preload").staticPm(1)
                .set("request-slowlog-timeout", "500ms").set("slowlog", slowlog.toString());
        try (Jfpm jfpm = Jfpm.in(tmp).pool(pool).start();
             Nginx nginx = Nginx.start(tmp.resolve("nginx"), "127.0.0.1:" + pool.port(), docroot)) {
            long pid = jfpm.awaitIdle("www", 1, Duration.ofSeconds(20)).get(0).pid();
            Http.Response r = Http.get(nginx.address(), "/slow.php?x=1");
            assertEquals("slept", r.body().trim());
            jfpm.pollUntil(() -> Files.exists(slowlog), Duration.ofSeconds(5), "the slowlog file");
            String text = Files.readString(slowlog);
            assertTrue(text.matches("\n\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}\\]  \\[pool www\\] pid " + pid + "\n"
                    + "script_filename = " + Pattern.quote(docroot.resolve("slow.php").toString()) + "\n"
                    + "request = \"GET /slow\\.php\\?x=1\" \\(0\\.\\d{6} sec\\)\n"
                    + "\\[no backtrace: jfpm does not ptrace its workers\\]\n"), text);
            assertTrue(jfpm.logContains("\\[pool www\\] child " + pid + ", script '.*slow\\.php' \\(request: \"GET /slow\\.php\\?x=1\"\\) "
                    + "executing too slow \\(0\\.\\d+ sec\\), logging"), "the master's warning stays");
        }
    }
}
