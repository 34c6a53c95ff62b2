package org.jfpm.supervisor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %fpmLevel}: the level as PHP-FPM prints it, so operators' greps carry over:
 * TRACE and DEBUG → {@code DEBUG}, INFO → {@code NOTICE}, WARN → {@code WARNING}, ERROR → {@code ERROR}.
 */
public final class FpmLevelConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return fpmName(event.getLevel());
    }

    static String fpmName(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "ERROR";
            case Level.WARN_INT -> "WARNING";
            case Level.INFO_INT -> "NOTICE";
            default -> "DEBUG";
        };
    }
}
