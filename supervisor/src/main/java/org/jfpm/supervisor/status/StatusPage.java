package org.jfpm.supervisor.status;

import java.time.ZoneId;
import java.util.List;
import org.jfpm.pool.PoolStatus;

/**
 * Renders one pool's status in PHP-FPM's formats. Pure: the output depends only on the
 * {@link PoolStatus} (whose {@code nowUs} is "now") and the time zone for text/HTML dates.
 */
public final class StatusPage {

    private StatusPage() {
    }

    /** PHP-FPM's exact output for {@code query} (format and {@code full}). */
    public static String render(PoolStatus status, StatusQuery query, ZoneId zone) {
        return render(status, query.format(), query.full(), zone, false);
    }

    /**
     * As {@link #render(PoolStatus, StatusQuery, ZoneId)}; {@code jfpmExtras} adds max children,
     * terminated requests and per-process RSS to the text and JSON formats (the CLI's output).
     */
    public static String render(PoolStatus status, StatusFormat format, boolean full, ZoneId zone, boolean jfpmExtras) {
        PoolFields pool = PoolFields.of(status);
        List<ProcessFields> processes = full ? ProcessFields.of(status) : List.of();
        return switch (format) {
            case TEXT -> TextStatus.render(pool, processes, full, zone, jfpmExtras);
            case JSON -> JsonStatus.render(pool, processes, full, jfpmExtras);
            case XML -> XmlStatus.render(pool, processes, full);
            case HTML -> HtmlStatus.render(pool, processes, full, zone);
            case OPENMETRICS -> OpenMetricsStatus.render(pool);
        };
    }
}
