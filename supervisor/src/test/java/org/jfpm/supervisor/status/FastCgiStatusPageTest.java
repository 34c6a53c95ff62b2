package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jfpm.pool.PoolStatus;
import org.junit.jupiter.api.Test;

class FastCgiStatusPageTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final FastCgiStatusPage.Routes ROUTES = new FastCgiStatusPage.Routes("www", "/status", "/ping", "pong");
    private final PoolStatus www = Fixtures.pool("www").idle(101).running(102).build();
    private final FastCgiStatusServer.PoolLookup pools = name -> name.equals("www") ? Optional.of(www) : Optional.empty();

    private String answer(FastCgiStatusPage.Routes routes, String... params) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            p.put(params[i], params[i + 1]);
        }
        return new String(FastCgiStatusPage.respond(routes, p, pools, UTC), StandardCharsets.UTF_8);
    }

    private String answer(String... params) {
        return answer(ROUTES, params);
    }

    private static String headers(String cgi) {
        return cgi.substring(0, cgi.indexOf("\r\n\r\n") + 4);
    }

    private static String body(String cgi) {
        return cgi.substring(cgi.indexOf("\r\n\r\n") + 4);
    }

    /** php-fpm-healthcheck's request: SCRIPT_NAME=/status SCRIPT_FILENAME=/status REQUEST_METHOD=GET QUERY_STRING=json. */
    @Test
    void statusHasPhpFpmsHeadersInItsOrderAndTheHttpStatusBody() {
        String json = answer("SCRIPT_NAME", "/status", "SCRIPT_FILENAME", "/status", "REQUEST_METHOD", "GET", "QUERY_STRING", "json");
        String capture = Samples.read("fcgi-raw-status-json.txt");
        assertEquals(headers(capture), headers(json), "the headers PHP-FPM 8.2 sends over FastCGI, in its order");
        assertEquals(StatusPage.render(www, StatusQuery.parse("json"), UTC), body(json));
        assertTrue(body(json).startsWith("{\"pool\":\"www\",\"process manager\":\"static\""), json);
    }

    @Test
    void theQueryStringSelectsTheFormatAsOverHttp() {
        for (String query : new String[] {"", "full", "json", "json&full", "full&xml", "html", "html&full", "openmetrics", "xml",
                "json=1&full=1"}) {
            String cgi = answer("SCRIPT_NAME", "/status", "QUERY_STRING", query);
            StatusQuery q = StatusQuery.parse(query);
            assertEquals(StatusPage.render(www, q, UTC), body(cgi), query);
            assertEquals("Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\nCache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n"
                    + "Content-Type: " + q.format().contentType() + "\r\n\r\n", headers(cgi), query);
        }
        assertTrue(body(answer("SCRIPT_NAME", "/status", "QUERY_STRING", "json&full")).contains("\"processes\":["));
        assertEquals(StatusPage.render(www, StatusQuery.parse(null), UTC), body(answer("SCRIPT_NAME", "/status")), "no QUERY_STRING: text");
    }

    @Test
    void pingIsPhpFpmsRawAnswerByteForByte() {
        assertEquals(Samples.read("fcgi-raw-ping.txt"), answer("SCRIPT_NAME", "/ping", "SCRIPT_FILENAME", "/ping", "REQUEST_METHOD", "GET"));
        assertEquals("ok\n", body(answer(new FastCgiStatusPage.Routes("www", "/status", "/health", "ok\n"), "SCRIPT_NAME", "/health")));
    }

    @Test
    void headGetsTheHeadersOnly() {
        String head = answer("SCRIPT_NAME", "/status", "QUERY_STRING", "json", "REQUEST_METHOD", "HEAD");
        assertTrue(head.endsWith("Content-Type: application/json\r\n\r\n"), head);
        assertEquals("", body(answer("SCRIPT_NAME", "/ping", "REQUEST_METHOD", "HEAD")));
    }

    @Test
    void routingIsOnScriptNameExactlyElseTheRequestUrisPath() {
        assertTrue(answer("SCRIPT_NAME", "/status/", "QUERY_STRING", "json").startsWith("Status: 404 Not Found\r\n"));
        assertTrue(answer("SCRIPT_NAME", "/index.php").startsWith("Status: 404 Not Found\r\n"));
        assertEquals("File not found.\n", body(answer("SCRIPT_NAME", "/index.php")));
        assertTrue(answer("SCRIPT_NAME", "/STATUS").startsWith("Status: 404"), "case matters, as strcmp");
        assertEquals(body(answer("SCRIPT_NAME", "/status", "QUERY_STRING", "json")),
                body(answer("REQUEST_URI", "/status?xml", "QUERY_STRING", "json")), "no SCRIPT_NAME: REQUEST_URI's path; the query from QUERY_STRING");
        assertTrue(answer().startsWith("Status: 404"));
    }

    @Test
    void pathsSetToEmptyAreOff() {
        FastCgiStatusPage.Routes pingOnly = new FastCgiStatusPage.Routes("www", "", "/ping", "pong");
        assertTrue(answer(pingOnly, "SCRIPT_NAME", "/status").startsWith("Status: 404"));
        assertTrue(answer(pingOnly, "SCRIPT_NAME", "").startsWith("Status: 404"));
        FastCgiStatusPage.Routes statusOnly = new FastCgiStatusPage.Routes("www", "/status", "", "pong");
        assertTrue(answer(statusOnly, "SCRIPT_NAME", "/ping").startsWith("Status: 404"));
    }

    @Test
    void aPoolNotRunningOrAFailingReadIsAnError() {
        String missing = answer(new FastCgiStatusPage.Routes("gone", "/status", "", "pong"), "SCRIPT_NAME", "/status");
        assertTrue(missing.startsWith("Status: 503 Service Unavailable\r\n"), missing);
        assertEquals("pool gone is not running\n", body(missing));
        FastCgiStatusServer.PoolLookup failing = name -> {
            throw new IllegalStateException("scoreboard unreadable\nsecond line");
        };
        String failed = new String(FastCgiStatusPage.respond(ROUTES, Map.of("SCRIPT_NAME", "/status"), failing, UTC), StandardCharsets.UTF_8);
        assertTrue(failed.startsWith("Status: 500 Internal Server Error\r\n"), failed);
        assertEquals(1, body(failed).lines().count(), "one line: " + failed);
        assertTrue(body(failed).contains("scoreboard unreadable"));
    }
}
