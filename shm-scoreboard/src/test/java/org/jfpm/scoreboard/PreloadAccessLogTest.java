package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log line an unmodified php-cgi writes through the preload library: the fd is inherited
 * as the master passes it ({@code JFPM_ACCESS_LOG_FD}, here from {@code fd0_launcher.py}), the format
 * comes from {@code JFPM_ACCESS_FORMAT}. One line per request (kept-alive ones too), the status from
 * the response's {@code Status:} header, and nothing of it visible to the script.
 */
class PreloadAccessLogTest {
    private static final String PHP_CGI = "/usr/bin/php-cgi";
    private static final String SCRIPT = """
            <?php
            if (isset($_GET['code'])) http_response_code((int) $_GET['code']);
            header('X-Id: id-' . ($_GET['id'] ?? 'none'));
            if (isset($_GET['fds'])) {
                foreach (array_diff(scandir('/proc/self/fd'), ['.', '..']) as $fd) echo $fd, '=', @readlink("/proc/self/fd/$fd"), ',';
                if (preg_match('/flags:\\s*(\\d+)/', (string) @file_get_contents('/proc/self/fdinfo/512'), $m)) echo 'flags512=', $m[1];
                echo ' ';
            }
            echo 'env=', getenv('JFPM_ACCESS_LOG_FD') === false ? 'unset' : 'set';
            """;

    @TempDir
    Path dir;

    private PreloadScoreboard scoreboard;
    private PreloadWorker php;
    private Path script;
    private Path log;

    private void start(String format, String limit) throws Exception {
        Path library = PreloadLibrary.extract(dir);
        scoreboard = PreloadScoreboard.create(dir, "www", 1);
        assertEquals(0, scoreboard.allocate(1));
        script = dir.resolve("app.php");
        Files.writeString(script, SCRIPT);
        log = dir.resolve("access.log");
        Map<String, String> env = new HashMap<>(Map.of("JFPM_SCOREBOARD", scoreboard.path().toString(), "JFPM_SLOT", "0",
                "PHP_FCGI_MAX_REQUESTS", "0", "JFPM_TEST_ACCESS_LOG", log.toString(), "TZ", "UTC"));
        if (format != null) {
            env.put("JFPM_ACCESS_FORMAT", format);
        }
        if (limit != null) {
            env.put("JFPM_ACCESS_LOG_LIMIT", limit);
        }
        php = PreloadWorker.start(dir, "php", library, env, PHP_CGI, "-n");
        php.await(() -> scoreboard.slot(0).stage() == RequestStage.ACCEPTING, "php-cgi in accept");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (php != null) {
            php.close();
        }
        if (scoreboard != null) {
            scoreboard.close();
        }
    }

    private Map<String, String> params(String method, String query, String user) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("GATEWAY_INTERFACE", "CGI/1.1");
        p.put("REQUEST_METHOD", method);
        p.put("SCRIPT_FILENAME", script.toString());
        p.put("SCRIPT_NAME", "/app.php");
        p.put("REQUEST_URI", query.isEmpty() ? "/app.php" : "/app.php?" + query);
        p.put("QUERY_STRING", query);
        p.put("HTTP_HOST", "example.com");
        p.put("REDIRECT_STATUS", "200");
        if (user != null) {
            p.put("REMOTE_USER", user);
        }
        return p;
    }

    private List<String> lines(int n) throws InterruptedException {
        php.await(() -> {
            try {
                return Files.exists(log) && Files.readAllLines(log).size() >= n;
            } catch (java.io.IOException e) {
                return false;
            }
        }, n + " lines in " + log);
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void writesOneLinePerRequestInPhpFpmsDefaultFormat() throws Exception {
        start(null, null);
        try (FastCgiClient c = new FastCgiClient(php.port(), false)) {
            String out = c.request(params("GET", "fds=1", null), new byte[0], false);
            assertTrue(out.endsWith(" env=unset"), "the script sees neither the fd nor the variable: " + out);
            String fds = out.substring(out.indexOf("\r\n\r\n") + 4);
            assertTrue(fds.startsWith("0=socket:"), fds);
            assertTrue(fds.contains("512=" + log + ","), "the library holds the log on fd 512: " + fds);
            assertEquals(1, fds.split(java.util.regex.Pattern.quote(log.toString()), -1).length - 1,
                    "no other descriptor of it (fd 4 was freed for the program): " + fds);
            long flags = Long.parseLong(fds.replaceAll("(?s).*flags512=(\\d+).*", "$1"), 8);
            assertEquals(02000000 | 02000 | 01, flags & (02000000 | 02000 | 03), "O_CLOEXEC | O_APPEND | O_WRONLY: " + fds);
        }
        try (FastCgiClient c = new FastCgiClient(php.port(), true)) {
            c.request(params("POST", "code=404", "alice"), "body".getBytes(StandardCharsets.UTF_8), false);
        }
        List<String> lines = lines(2);
        String time = "\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000";
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("127\\.0\\.0\\.1 -  " + time + " \"GET /app\\.php\" 200"), lines.get(0));
        assertTrue(lines.get(1).matches("127\\.0\\.0\\.1 - alice " + time + " \"POST /app\\.php\" 404"), lines.get(1));
    }

    @Test
    void everyCodeTheLibraryKnowsAndKeptAliveRequests() throws Exception {
        start("%m %r%Q%q %s %f %l %n %p %u %{HTTP_HOST}e %{X-Id}o %{Content-Type}o %{milli}d %C %{kilo}M", null);
        try (FastCgiClient c = new FastCgiClient(php.port(), false)) {
            for (int i = 0; i < 3; i++) {
                c.request(params("GET", "id=" + i + "&code=" + (201 + i), "u" + i), new byte[0], true);
            }
        }
        List<String> lines = lines(3);
        assertEquals(3, lines.size(), lines.toString());
        for (int i = 0; i < 3; i++) {
            String[] f = lines.get(i).split(" ");
            assertEquals(List.of("GET", "/app.php?id=" + i + "&code=" + (201 + i), Integer.toString(201 + i),
                            script.toString(), "0", "www", Long.toString(php.pid()), "u" + i, "example.com", "id-" + i,
                            "text/html;", "charset=UTF-8"),
                    List.of(f).subList(0, 12), lines.get(i));
            assertTrue(f[12].matches("\\d+\\.\\d{3}") && Double.parseDouble(f[12]) > 0, "milliseconds: " + lines.get(i));
            assertTrue(f[13].matches("\\d+\\.\\d{2}"), "cpu %: " + lines.get(i));
            assertTrue(Long.parseLong(f[14]) > 1024, "kilobytes: " + lines.get(i));
        }
        assertEquals(3, scoreboard.slot(0).requests());
    }

    @Test
    void longLinesAreCutAtTheLimit() throws Exception {
        start("%r %{HTTP_X_PAD}e", "40");
        Map<String, String> p = params("GET", "q=" + "x".repeat(200), null);
        p.put("HTTP_X_PAD", "y".repeat(100));
        try (FastCgiClient c = new FastCgiClient(php.port(), false)) {
            c.request(p, new byte[0], false);
        }
        List<String> lines = lines(1);
        assertEquals(List.of("/app.php " + "y".repeat(31)), lines, "cut at 40 bytes, then the newline");
    }
}
