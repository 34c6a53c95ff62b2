package org.jfpm.supervisor.config;

import java.util.Locale;

/**
 * The accepted {@code jfpm.log-level} values: logback's names and PHP-FPM's ({@code notice},
 * {@code warning}, {@code alert}), each mapped to an SLF4J level.
 */
public enum LogLevelName {
    TRACE("TRACE"),
    DEBUG("DEBUG"),
    INFO("INFO"),
    NOTICE("INFO"),
    WARN("WARN"),
    WARNING("WARN"),
    ERROR("ERROR"),
    ALERT("ERROR");

    private final String slf4jLevel;

    LogLevelName(String slf4jLevel) {
        this.slf4jLevel = slf4jLevel;
    }

    /** The SLF4J/logback level name: TRACE, DEBUG, INFO, WARN or ERROR. */
    public String slf4jLevel() {
        return slf4jLevel;
    }

    /** The level for a configured name (case-insensitive), or {@code null} when unknown. */
    public static LogLevelName parse(String name) {
        if (name == null) {
            return null;
        }
        for (LogLevelName l : values()) {
            if (l.name().equalsIgnoreCase(name.trim())) {
                return l;
            }
        }
        return null;
    }

    /** {@code trace, debug, ...} for error messages. */
    public static String choices() {
        StringBuilder sb = new StringBuilder();
        for (LogLevelName l : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(l.name().toLowerCase(Locale.ROOT));
        }
        return sb.toString();
    }
}
