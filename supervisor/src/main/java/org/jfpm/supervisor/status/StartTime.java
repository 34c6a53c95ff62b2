package org.jfpm.supervisor.status;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** {@code start time} in the text and HTML formats: PHP-FPM's {@code strftime("%d/%b/%Y:%H:%M:%S %z")} in local time. */
final class StartTime {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private StartTime() {
    }

    static String format(long epochSeconds, ZoneId zone) {
        return FORMAT.format(Instant.ofEpochSecond(epochSeconds).atZone(zone));
    }
}
