package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 point 2: status over FastCGI on {@code status-listen}, answered by the master, as
 * PHP-FPM answers on {@code pm.status_listen}. What works against PHP-FPM works unchanged:
 * {@code cgi-fcgi} exactly as php-fpm-healthcheck calls it, and the request php-fpm_exporter sends
 * for a {@code tcp://host:port/status} scrape URI. It answers in under a second while the pool's
 * only php-cgi worker is busy for 5 s (PHP-FPM's own status is served by a worker).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FastCgiStatusTest {

    private static final String CGI_FCGI = "/usr/bin/cgi-fcgi";
    private static final String POOL = "www";
    private static final String UNIX_POOL = "api";

    private Path tmp;
    private Jfpm jfpm;
    private PoolSpec www;
    private int statusPort;
    private Path unixStatus;
    private Path sleep;

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        tmp = dir;
        assertTrue(Files.isExecutable(Path.of(CGI_FCGI)), CGI_FCGI + " missing: apt-get install libfcgi-bin");
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        sleep = Files.writeString(docroot.resolve("sleep.php"),
                "<?php usleep((int)($_GET['ms'] ?? 0) * 1000); echo 'slept ', getmypid(), \"\\n\";\n");
        statusPort = Ports.free();
        unixStatus = tmp.resolve("api-status.sock");
        www = PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(1)
                .set("status-listen", "127.0.0.1:" + statusPort)
                .set("ping-path", "/ping");
        PoolSpec api = PoolSpec.named(UNIX_POOL, Workers.phpCgi(), "preload").staticPm(1)
                .set("listen-mode", "0600")
                .set("status-listen", "unix:" + unixStatus);
        jfpm = Jfpm.in(tmp).pool(www).pool(api).start();
        jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(20));
        jfpm.awaitIdle(UNIX_POOL, 1, Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() {
        if (jfpm != null) {
            jfpm.close();
        }
    }

    /** {@code cgi-fcgi -bind -connect ADDRESS} with {@code env} as its whole environment: its stdout and exit status. */
    private record CgiFcgi(int exit, String out, long millis) {
        String headers() {
            int end = out.indexOf("\r\n\r\n");
            return end < 0 ? out : out.substring(0, end + 2);
        }

        String body() {
            int end = out.indexOf("\r\n\r\n");
            return end < 0 ? "" : out.substring(end + 4);
        }
    }

    private CgiFcgi cgiFcgi(String connect, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(CGI_FCGI, "-bind", "-connect", connect);
        pb.environment().clear();
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("cgi-fcgi did not finish");
        }
        return new CgiFcgi(p.exitValue(), new String(out, StandardCharsets.UTF_8), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Exactly php-fpm-healthcheck's call: SCRIPT_NAME=/status SCRIPT_FILENAME=/status REQUEST_METHOD=GET QUERY_STRING=json. */
    private CgiFcgi healthcheck() throws Exception {
        return cgiFcgi("127.0.0.1:" + statusPort,
                "SCRIPT_NAME", "/status", "SCRIPT_FILENAME", "/status", "REQUEST_METHOD", "GET", "QUERY_STRING", "json");
    }

    @Test
    @Order(1)
    void cgiFcgiAsPhpFpmHealthcheckCallsItGetsTheJson() throws Exception {
        CgiFcgi r = healthcheck();
        assertEquals(0, r.exit(), r.out());
        assertEquals("Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\nCache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n"
                + "Content-Type: application/json\r\n", r.headers(), "PHP-FPM's headers, in its order");
        Map<String, Object> json = MiniJson.object(r.body());
        StatusEndpointTest.assertSameShape(StatusEndpointTest.reference("status.json"), json, "status over FastCGI ?json");
        assertEquals(POOL, json.get("pool"));
        assertEquals(1L, json.get("total processes"));

        CgiFcgi ping = cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/ping", "SCRIPT_FILENAME", "/ping", "REQUEST_METHOD", "GET");
        assertEquals("Content-type: text/plain;charset=UTF-8\r\nExpires: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
                + "Cache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n\r\npong", ping.out());
    }

    /**
     * php-fpm_exporter's scrape of {@code tcp://127.0.0.1:PORT/status}: its fcgi client sends these
     * params (phpfpm/phpfpm.go, plus REQUEST_METHOD and CONTENT_LENGTH from the client's Get).
     */
    @Test
    @Order(2)
    void theRequestOfPhpFpmExportersScrapeUriGetsJsonFull() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("SCRIPT_FILENAME", "/status");
        params.put("SCRIPT_NAME", "/status");
        params.put("SERVER_SOFTWARE", "go / php-fpm_exporter");
        params.put("REMOTE_ADDR", "127.0.0.1");
        params.put("QUERY_STRING", "json&full");
        params.put("REQUEST_METHOD", "GET");
        params.put("CONTENT_LENGTH", "0");
        FastCgiRecords.Response r = FastCgi.request(new InetSocketAddress("127.0.0.1", statusPort), params, Duration.ofSeconds(5));
        assertTrue(r.stdout().contains("Content-Type: application/json\r\n"), r.stdout());
        Map<String, Object> full = MiniJson.object(r.body());
        Map<String, Object> reference = StatusEndpointTest.reference("status-full.json");
        Map<String, Object> pool = new LinkedHashMap<>(full);
        pool.remove("processes");
        Map<String, Object> refPool = new LinkedHashMap<>(reference);
        refPool.remove("processes");
        StatusEndpointTest.assertSameShape(refPool, pool, "status over FastCGI ?json&full");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> procs = (List<Map<String, Object>>) full.get("processes");
        @SuppressWarnings("unchecked")
        Map<String, Object> refProc = ((List<Map<String, Object>>) reference.get("processes")).get(0);
        assertEquals(1, procs.size(), procs.toString());
        StatusEndpointTest.assertSameShape(refProc, procs.get(0), "a process");
        assertEquals(jfpm.workerPids(POOL), java.util.Set.of((Long) procs.get(0).get("pid")));
    }

    @Test
    @Order(3)
    void everyFormatAsOverHttp() throws Exception {
        Map<String, String> types = Map.of("", "text/plain;charset=UTF-8", "full", "text/plain;charset=UTF-8",
                "xml", "text/xml;charset=UTF-8", "html&full", "text/html;charset=UTF-8",
                "openmetrics", "application/openmetrics-text; version=1.0.0; charset=utf-8", "json&full", "application/json");
        for (Map.Entry<String, String> e : types.entrySet()) {
            CgiFcgi r = cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/status", "REQUEST_METHOD", "GET", "QUERY_STRING", e.getKey());
            assertTrue(r.headers().endsWith("Content-Type: " + e.getValue() + "\r\n"), e.getKey() + ": " + r.out());
        }
        assertTrue(cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/status", "QUERY_STRING", "full").body()
                .contains("\n************************\npid:                  "));
        assertTrue(cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/status", "QUERY_STRING", "openmetrics").body()
                .endsWith("# EOF\n"));
        assertTrue(cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/index.php").out().startsWith("Status: 404 Not Found\r\n"),
                "any other script is not the master's: 404");
    }

    @Test
    @Order(4)
    void aUnixStatusListenHasThePoolsListenModeAndAnswers() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(unixStatus)));
        CgiFcgi r = cgiFcgi(unixStatus.toString(), "SCRIPT_NAME", "/status", "SCRIPT_FILENAME", "/status", "REQUEST_METHOD", "GET",
                "QUERY_STRING", "json");
        assertEquals(UNIX_POOL, MiniJson.object(r.body()).get("pool"), r.out());
        FastCgiRecords.Response viaClient = FastCgi.request(UnixDomainSocketAddress.of(unixStatus),
                Map.of("SCRIPT_NAME", "/status", "QUERY_STRING", "json"), Duration.ofSeconds(5));
        assertEquals(UNIX_POOL, MiniJson.object(viaClient.body()).get("pool"));
        assertTrue(cgiFcgi(unixStatus.toString(), "SCRIPT_NAME", "/ping").out().startsWith("Status: 404"), "ping-path is off by default");
    }

    /** The pool's only worker is busy for 5 s; the master's status answers in under a second, and shows it busy. */
    @Test
    @Order(5)
    void answersWhileEveryWorkerIsBusy() throws Exception {
        try (Load<FastCgiRecords.Response> busy = Load.start(1, () -> FastCgi.request(www.address(),
                FastCgiRecords.params(sleep.toString(), "ms=5000"), Duration.ofSeconds(20)))) {
            jfpm.pollUntil(() -> jfpm.inUse(POOL).stream().noneMatch(s -> s.isIdle()), Duration.ofSeconds(5), "the worker busy");
            long slowest = 0;
            for (int i = 0; i < 5; i++) {
                CgiFcgi r = healthcheck();
                slowest = Math.max(slowest, r.millis());
                assertTrue(r.millis() < 1000, "status over FastCGI in " + r.millis() + " ms while the worker is busy");
                Map<String, Object> json = MiniJson.object(r.body());
                assertEquals(1L, json.get("active processes"), r.body());
                assertEquals(0L, json.get("idle processes"), r.body());
                CgiFcgi full = cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/status", "QUERY_STRING", "json&full");
                assertTrue(full.millis() < 1000, full.millis() + " ms");
                assertTrue(full.body().contains("\"state\":\"Running\""), full.body());
                assertTrue(full.body().contains("sleep.php"), full.body());
                CgiFcgi ping = cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/ping");
                assertTrue(ping.millis() < 1000 && ping.body().equals("pong"), ping.millis() + " ms: " + ping.out());
            }
            assertTrue(jfpm.inUse(POOL).stream().noneMatch(s -> s.isIdle()), "still busy: the answers did not wait for it");
            System.out.println("FastCgiStatusTest: healthcheck while the only worker is busy: slowest of 5 cgi-fcgi runs " + slowest + " ms");
            for (FastCgiRecords.Response r : busy.await(Duration.ofSeconds(20))) {
                assertTrue(r.body().startsWith("slept "), r.stdout());
            }
        }
    }

    /** A reload that changes only the status keys keeps the socket and the workers, and takes the new paths. */
    @Test
    @Order(6)
    void aReloadTakesNewPathsWithoutTouchingTheWorkers() throws Exception {
        java.util.Set<Long> before = jfpm.workerPids(POOL);
        jfpm.rewrite(b -> www.set("status-path", "/fpm-status").set("ping-path", "/healthz").set("ping-response", "alive"));
        int mark = jfpm.hup();
        jfpm.awaitLogSince(mark, "reloading .*", Duration.ofSeconds(10));
        jfpm.pollUntil(() -> {
            try {
                return cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/healthz").body().equals("alive");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(10), "the new ping-path answers");
        assertTrue(healthcheck().out().startsWith("Status: 404"), "the old status-path is gone");
        CgiFcgi r = cgiFcgi("127.0.0.1:" + statusPort, "SCRIPT_NAME", "/fpm-status", "QUERY_STRING", "json");
        assertEquals(POOL, MiniJson.object(r.body()).get("pool"), r.out());
        assertEquals(before, jfpm.workerPids(POOL), "the pool's workers were not replaced");
    }
}
