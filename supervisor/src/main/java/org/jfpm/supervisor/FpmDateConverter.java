package org.jfpm.supervisor;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Logback's {@code %fpmDate}: PHP-FPM's log time, {@code 27-Nov-2026 17:30:00}, in the system time zone
 * with English month names whatever the locale ({@code %d} cannot take a locale without a fixed zone).
 */
public final class FpmDateConverter extends ClassicConverter {

    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ENGLISH);

    private final ZoneId zone = ZoneId.systemDefault();
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedText = "";

    @Override
    public String convert(ILoggingEvent event) {
        long second = Math.floorDiv(event.getTimeStamp(), 1000L);
        synchronized (this) {
            if (second != cachedSecond) {
                cachedText = FORMAT.format(Instant.ofEpochSecond(second).atZone(zone));
                cachedSecond = second;
            }
            return cachedText;
        }
    }
}
