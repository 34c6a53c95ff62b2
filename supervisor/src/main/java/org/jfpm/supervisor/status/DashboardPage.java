package org.jfpm.supervisor.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live dashboard ({@code GET /}): one self-contained HTML page (inline CSS and JS) that polls
 * {@code api/pools} and each pool's {@code api/history} every second and draws the history as inline SVG
 * charts (workers busy and idle, req/s, listen queue, each worker's state over time).
 */
public final class DashboardPage {

    private static final String RESOURCE = "dashboard.html";
    private static final String HTML = load();

    private DashboardPage() {
    }

    public static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = DashboardPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource org/jfpm/supervisor/status/" + RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }
}
