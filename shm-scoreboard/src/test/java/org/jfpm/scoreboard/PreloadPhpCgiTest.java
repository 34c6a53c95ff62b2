package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preload library in an unmodified php-cgi serving FastCGI on an inherited socket. */
class PreloadPhpCgiTest {
    private static final String PHP_CGI = "/usr/bin/php-cgi";
    private static final String SCRIPT = """
            <?php
            if (isset($_GET['wait'])) {
                $end = microtime(true) + 10;
                while (!file_exists($_GET['wait']) && microtime(true) < $end) usleep(2000);
            }
            echo "hello ", $_SERVER['REQUEST_METHOD'], " ", strlen(file_get_contents('php://input'));
            """;

    @TempDir
    Path dir;

    private PreloadScoreboard scoreboard;
    private PreloadWorker php;
    private Path script;

    @BeforeEach
    void setUp() throws Exception {
        Path library = PreloadLibrary.extract(dir);
        scoreboard = PreloadScoreboard.create(dir, "php", 1);
        assertEquals(0, scoreboard.allocate(1));
        script = dir.resolve("app.php");
        Files.writeString(script, SCRIPT);
        php = PreloadWorker.start(dir, "php", library,
                Map.of("JFPM_SCOREBOARD", scoreboard.path().toString(), "JFPM_SLOT", "0",
                        "PHP_FCGI_MAX_REQUESTS", "0"),
                PHP_CGI, "-n");
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "php-cgi in accept");
        assertEquals(php.pid(), slot().pid());
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (php != null) {
            php.close();
        }
        scoreboard.close();
    }

    private SlotSnapshot slot() {
        return scoreboard.slot(0);
    }

    private void awaitSlot(Predicate<SlotSnapshot> p, String what) throws InterruptedException {
        php.await(() -> p.test(slot()), what + " (slot: " + slot() + ")");
    }

    private Map<String, String> params(String method, String uri, String query, int contentLength, String user) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("GATEWAY_INTERFACE", "CGI/1.1");
        p.put("REQUEST_METHOD", method);
        p.put("SCRIPT_FILENAME", script.toString());
        p.put("SCRIPT_NAME", "/app.php");
        p.put("REQUEST_URI", query.isEmpty() ? uri : uri + "?" + query);
        p.put("QUERY_STRING", query);
        p.put("CONTENT_LENGTH", Integer.toString(contentLength));
        p.put("REDIRECT_STATUS", "200");
        if (user != null) {
            p.put("REMOTE_USER", user);
        }
        return p;
    }

    @Test
    void recordsEachRequestAndTheLastOnesInformation() throws Exception {
        String[][] requests = {
            {"GET", "/app.php", "a=1", ""},
            {"POST", "/app.php/ü/path", "x=%C3%BC&y=2", "some body"},
            {"PUT", "/app.php", "", "0123456789"},
            {"DELETE", "/app.php/last", "k=v", ""},
        };
        for (int i = 0; i < requests.length; i++) {
            String[] r = requests[i];
            byte[] body = r[3].getBytes(StandardCharsets.UTF_8);
            try (FastCgiClient c = new FastCgiClient(php.port(), i % 2 == 1)) {
                String out = c.request(params(r[0], r[1], r[2], body.length, i == 3 ? "alice" : null), body, false);
                assertTrue(out.endsWith("hello " + r[0] + " " + body.length), out);
            }
        }
        awaitSlot(s -> s.requests() == requests.length && s.stage() == RequestStage.ACCEPTING, "idle after all requests");
        SlotSnapshot s = slot();
        assertEquals(List.of("DELETE", "/app.php/last", "k=v", script.toString(), "alice"),
                List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user()), s.toString());
        assertEquals(0, s.contentLength());
        assertEquals(requests.length, scoreboard.acceptedConn());
        assertTrue(s.requestDurationUs() > 0, s.toString());
        assertTrue(s.lastRequestMemory() > 1 << 20, s.toString());
        assertTrue(s.lastRequestCpuUs() > 0 && s.lastRequestCpuUs() < 1_000_000, "php-cgi CPU for one request: " + s);
    }

    @Test
    void showsInfoAndRunningDuringARequest() throws Exception {
        Path go = dir.resolve("go");
        byte[] body = "posted".getBytes(StandardCharsets.UTF_8);
        try (FastCgiClient c = new FastCgiClient(php.port(), false)) {
            c.send(params("POST", "/app.php", "wait=" + go, body.length, "bob"), body, false);
            awaitSlot(s -> s.stage() == RequestStage.EXECUTING, "the running stage");
            SlotSnapshot s = slot();
            assertEquals(List.of("POST", "/app.php", "wait=" + go, script.toString(), "bob"),
                    List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user()), s.toString());
            assertEquals(body.length, s.contentLength());
            assertEquals(1, s.requests());
            assertEquals(0, s.requestDurationUs(), "no duration while running");
            Files.createFile(go);
            assertTrue(c.response().endsWith("hello POST " + body.length));
        }
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING && s.requestDurationUs() > 0, "idle after the request");
        assertEquals("POST", slot().method(), "the last request's info stays while idle");
    }

    @Test
    void countsEveryRequestOnAKeptAliveConnection() throws Exception {
        try (FastCgiClient c = new FastCgiClient(php.port(), false)) {
            for (int i = 1; i <= 3; i++) {
                String out = c.request(params("GET", "/app.php/" + i, "n=" + i, 0, null), new byte[0], true);
                assertTrue(out.endsWith("hello GET 0"), out);
                int n = i;
                awaitSlot(s -> s.requests() == n && s.stage() == RequestStage.FINISHED,
                        "request " + i + " finished on the kept connection");
                assertEquals("/app.php/" + i, slot().uri());
                assertTrue(slot().requestDurationUs() > 0);
            }
            assertEquals(3, scoreboard.acceptedConn(), "accepted conn counts requests, as PHP-FPM's does");
        }
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "idle once the client closed the connection");
        assertEquals(3, slot().requests());
    }

    @Test
    void servesTheCgiFcgiClient() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("cgi-fcgi", "-bind", "-connect", "127.0.0.1:" + php.port());
        pb.environment().clear();
        pb.environment().putAll(Map.of("REQUEST_METHOD", "PATCH", "SCRIPT_FILENAME", script.toString(),
                "REQUEST_URI", "/via/cgi-fcgi?q=1", "QUERY_STRING", "q=1", "CONTENT_LENGTH", "4",
                "REDIRECT_STATUS", "200"));
        Process p = pb.start();
        p.getOutputStream().write("body".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(out.endsWith("hello PATCH 4"), out);
        awaitSlot(s -> s.requests() == 1 && s.stage() == RequestStage.ACCEPTING, "idle after cgi-fcgi");
        SlotSnapshot s = slot();
        assertEquals(List.of("PATCH", "/via/cgi-fcgi", "q=1", script.toString()),
                List.of(s.method(), s.uri(), s.queryString(), s.script()), s.toString());
        assertEquals(4, s.contentLength());
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAndCounted() throws IOException, InterruptedException {
        // php-cgi polls a new connection for 5 s; a client that gives up first makes it close and accept again
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", php.port())) {
            awaitSlot(x -> x.stage() == RequestStage.READING_HEADERS, "reading headers after accept");
        }
        awaitSlot(x -> x.stage() == RequestStage.ACCEPTING && x.requests() == 1, "idle after the empty connection");
        assertEquals("", slot().method());
    }
}
