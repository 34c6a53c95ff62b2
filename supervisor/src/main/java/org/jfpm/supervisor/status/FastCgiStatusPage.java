package org.jfpm.supervisor.status;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import org.jfpm.pool.PoolStatus;

/**
 * What the master answers to a FastCGI request on a pool's {@code status-listen}, as PHP-FPM's
 * {@code fpm_status.c} answers on {@code pm.status_listen}: the CGI response (headers, a blank line,
 * the body) that goes into {@code FCGI_STDOUT}.
 *
 * <ul>
 *   <li><b>Routing</b> on {@code SCRIPT_NAME}, compared for equality with the status and ping paths
 *       (PHP-FPM compares its request URI, which is {@code SCRIPT_NAME}); a request without
 *       {@code SCRIPT_NAME} is routed on the path of {@code REQUEST_URI}. The query string is not
 *       part of the match.</li>
 *   <li><b>Status</b>: the format from {@code QUERY_STRING}, exactly as {@code /status/{pool}} over HTTP
 *       ({@link StatusQuery}); headers {@code Expires}, {@code Cache-Control}, {@code Content-Type} in
 *       PHP-FPM's order (captured from PHP-FPM 8.2 over FastCGI), no {@code Status} line (200).</li>
 *   <li><b>Ping</b>: {@code Content-type: text/plain;charset=UTF-8} first, then the cache headers, then
 *       the response with no newline, as PHP-FPM's raw answer.</li>
 *   <li>{@code REQUEST_METHOD=HEAD} gets the headers only.</li>
 *   <li>Another script: {@code Status: 404 Not Found}, {@code File not found.} (what PHP-FPM says for a
 *       script it cannot find). A pool not running (yet): 503. A status that cannot be read: 500
 *       naming the reason.</li>
 * </ul>
 */
final class FastCgiStatusPage {

    static final String EXPIRES = "Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n";
    static final String CACHE_CONTROL = "Cache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n";

    /** The routes of one status-listen: paths {@code ""} are off. */
    record Routes(String pool, String statusPath, String pingPath, String pingResponse) {
    }

    private FastCgiStatusPage() {
    }

    /** The CGI response for a request with {@code params} on the status-listen of {@code routes}. */
    static byte[] respond(Routes routes, Map<String, String> params, FastCgiStatusServer.PoolLookup pools, ZoneId zone) {
        String script = script(params);
        boolean head = "HEAD".equalsIgnoreCase(params.getOrDefault("REQUEST_METHOD", "GET"));
        if (!routes.statusPath().isEmpty() && script.equals(routes.statusPath())) {
            return status(routes.pool(), params.get("QUERY_STRING"), head, pools, zone);
        }
        if (!routes.pingPath().isEmpty() && script.equals(routes.pingPath())) {
            return response("Content-type: text/plain;charset=UTF-8\r\n" + EXPIRES + CACHE_CONTROL, routes.pingResponse(), head);
        }
        return response("Status: 404 Not Found\r\nContent-type: text/plain;charset=UTF-8\r\n" + EXPIRES + CACHE_CONTROL,
                "File not found.\n", head);
    }

    private static byte[] status(String pool, String query, boolean head, FastCgiStatusServer.PoolLookup pools, ZoneId zone) {
        Optional<PoolStatus> status;
        StatusQuery q = StatusQuery.parse(query);
        String body;
        try {
            status = pools.read(pool);
            if (status.isEmpty()) {
                return error("503 Service Unavailable", "pool " + pool + " is not running", head);
            }
            body = StatusPage.render(status.get(), q, zone);
        } catch (RuntimeException e) {
            return error("500 Internal Server Error", "Internal error: " + e, head);
        }
        return response(EXPIRES + CACHE_CONTROL + "Content-Type: " + q.format().contentType() + "\r\n", body, head);
    }

    private static byte[] error(String status, String message, boolean head) {
        return response("Status: " + status + "\r\nContent-type: text/plain;charset=UTF-8\r\n" + EXPIRES + CACHE_CONTROL,
                Escape.textLine(message) + "\n", head);
    }

    private static byte[] response(String headers, String body, boolean head) {
        return (headers + "\r\n" + (head ? "" : body)).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code SCRIPT_NAME}, else the path of {@code REQUEST_URI}, else {@code ""}. */
    static String script(Map<String, String> params) {
        String script = params.get("SCRIPT_NAME");
        if (script != null && !script.isEmpty()) {
            return script;
        }
        String uri = params.getOrDefault("REQUEST_URI", "");
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
