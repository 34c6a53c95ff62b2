package org.jfpm.supervisor.status;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The format and {@code full} flag of a status request, chosen as PHP-FPM chooses them: by the
 * presence of a query key (any value, or none), with the precedence
 * {@code html > xml > json > openmetrics > text}; {@code full} is independent.
 *
 * @param format the output format
 * @param full   include the per-process section (ignored by OpenMetrics, as in PHP-FPM)
 */
public record StatusQuery(StatusFormat format, boolean full) {

    /** Parses a raw query string such as {@code json&full} or {@code full=1&html}; null or empty means text. */
    public static StatusQuery parse(String rawQuery) {
        Set<String> keys = new HashSet<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String part : rawQuery.split("&")) {
                int eq = part.indexOf('=');
                String key = eq < 0 ? part : part.substring(0, eq);
                keys.add(decode(key));
            }
        }
        return of(keys);
    }

    private static String decode(String key) {
        try {
            return URLDecoder.decode(key, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformedPercentEscape) {
            return key;
        }
    }

    /** The query for a set of present keys. */
    public static StatusQuery of(Set<String> keys) {
        StatusFormat format;
        if (keys.contains("html")) {
            format = StatusFormat.HTML;
        } else if (keys.contains("xml")) {
            format = StatusFormat.XML;
        } else if (keys.contains("json")) {
            format = StatusFormat.JSON;
        } else if (keys.contains("openmetrics")) {
            format = StatusFormat.OPENMETRICS;
        } else {
            format = StatusFormat.TEXT;
        }
        return new StatusQuery(format, keys.contains("full"));
    }
}
