package org.jfpm.it;

import org.jfpm.supervisor.status.MiniJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A headless Debian chromium driven through /usr/bin/chromedriver's W3C WebDriver HTTP API with
 * {@code java.net.http} (no client library). One chromedriver process and one session; {@link
 * #close()} ends the session and kills chromedriver and every process under it.
 */
final class WebDriver implements AutoCloseable {

    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String CHROMIUM = "/usr/bin/chromium";

    private final Process driver;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private String session;

    private WebDriver(Process driver, int port) {
        this.driver = driver;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts chromedriver and a headless chromium session with a profile in {@code profileDir}. */
    static WebDriver start(Path profileDir, Path logFile) {
        int port = Ports.free();
        Process p;
        try {
            p = new ProcessBuilder(CHROMEDRIVER, "--port=" + port, "--log-path=" + logFile)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new AssertionError("start " + CHROMEDRIVER + ": " + e, e);
        }
        WebDriver d = new WebDriver(p, port);
        try {
            Poll.until(d::ready, Duration.ofSeconds(15), () -> "chromedriver to be ready on port " + port, () -> "");
            String args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage", "--user-data-dir=" + profileDir)
                    .stream().map(MiniJson::quote).reduce((a, b) -> a + "," + b).orElseThrow();
            Map<String, Object> value = d.call("POST", "/session", "{\"capabilities\":{\"alwaysMatch\":{"
                    + "\"browserName\":\"chrome\",\"goog:chromeOptions\":{\"binary\":" + MiniJson.quote(CHROMIUM)
                    + ",\"args\":[" + args + "]}}}}", Duration.ofSeconds(60));
            d.session = (String) value.get("sessionId");
            if (d.session == null) {
                throw new AssertionError("no sessionId in " + value);
            }
            return d;
        } catch (RuntimeException | AssertionError e) {
            d.close();
            throw e;
        }
    }

    private boolean ready() {
        if (!driver.isAlive()) {
            throw new AssertionError("chromedriver exited with code " + driver.exitValue());
        }
        try {
            Map<String, Object> v = call("GET", "/status", null, Duration.ofSeconds(2));
            return Boolean.TRUE.equals(v.get("ready"));
        } catch (RuntimeException | AssertionError e) {
            return false;
        }
    }

    void navigate(String url) {
        callRaw("POST", "/session/" + session + "/url", "{\"url\":" + MiniJson.quote(url) + "}", Duration.ofSeconds(30));
    }

    /** Runs {@code script} in the page ({@code execute/sync}); returns its JSON value. */
    Object execute(String script) {
        Map<String, Object> r = callRaw("POST", "/session/" + session + "/execute/sync",
                "{\"script\":" + MiniJson.quote(script) + ",\"args\":[]}", Duration.ofSeconds(15));
        return r.get("value");
    }

    /** {@code document.body.innerText}: table rows become lines, cells tab-separated. */
    String bodyText() {
        Object v = execute("return document.body ? document.body.innerText : '';");
        return v == null ? "" : v.toString();
    }

    private Map<String, Object> call(String method, String path, String body, Duration timeout) {
        Object v = callRaw(method, path, body, timeout).get("value");
        if (!(v instanceof Map)) {
            throw new AssertionError(method + " " + path + ": unexpected value " + v);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    private Map<String, Object> callRaw(String method, String path, String body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("WebDriver " + method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        Map<String, Object> json = MiniJson.object(r.body());
        if (r.statusCode() != 200) {
            throw new AssertionError("WebDriver " + method + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return json;
    }

    @Override
    public void close() {
        if (session != null) {
            try {
                callRaw("DELETE", "/session/" + session, null, Duration.ofSeconds(10));
            } catch (RuntimeException | AssertionError e) {
                // the processes are killed below either way
            }
            session = null;
        }
        List<ProcessHandle> under = driver.descendants().toList();
        driver.destroy();
        try {
            if (!driver.waitFor(5, TimeUnit.SECONDS)) {
                driver.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            driver.destroyForcibly();
        }
        under.forEach(ProcessHandle::destroyForcibly);
    }
}
