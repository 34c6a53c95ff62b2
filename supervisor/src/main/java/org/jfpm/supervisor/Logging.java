package org.jfpm.supervisor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.jfpm.supervisor.config.LogLevelName;
import org.slf4j.LoggerFactory;

/**
 * Runtime control of logging (logback, configured by {@code logback.xml}: stderr, PHP-FPM's line format).
 */
public final class Logging {

    static final String PEKKO_LOGGER = "org.apache.pekko";

    private Logging() {
    }

    /**
     * Sets the root level from a {@code jfpm.log-level} name ({@code debug}, {@code notice},
     * {@code warning}, ...). Pekko's own loggers never go below INFO, so debug shows jfpm, not Pekko
     * internals.
     *
     * @throws IllegalArgumentException for a name {@link LogLevelName} does not know
     */
    public static void setLevel(String name) {
        Level level = level(name);
        LoggerContextHolder.root().setLevel(level);
        LoggerContextHolder.logger(PEKKO_LOGGER).setLevel(level.isGreaterOrEqual(Level.INFO) ? level : Level.INFO);
    }

    /** The logback level for a {@code jfpm.log-level} name. */
    static Level level(String name) {
        LogLevelName l = LogLevelName.parse(name);
        if (l == null) {
            throw new IllegalArgumentException("log level '" + name + "': expected one of " + LogLevelName.choices());
        }
        return Level.toLevel(l.slf4jLevel());
    }

    /**
     * The configuration for the supervisor's ActorSystem: Pekko's reference settings with its logging
     * routed through SLF4J (so it lands in the same stderr stream and format) at {@code logLevel}, and
     * nothing printed to stdout during start-up. Use this instead of {@code ConfigFactory.load()}: the
     * classpath {@code application.conf} is jfpm's own configuration, not Pekko's. Calling it initialises
     * logback first, so Pekko's threads do not race SLF4J's initialisation (which prints a "replay" warning).
     */
    public static Config pekkoConfig(String logLevel) {
        LoggerContextHolder.root();
        String pekkoLevel = switch (level(logLevel).toInt()) {
            case Level.ERROR_INT -> "ERROR";
            case Level.WARN_INT -> "WARNING";
            default -> "INFO";
        };
        return ConfigFactory.parseMap(Map.of(
                        "pekko.loggers", java.util.List.of("org.apache.pekko.event.slf4j.Slf4jLogger"),
                        "pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter",
                        "pekko.loglevel", pekkoLevel,
                        "pekko.stdout-loglevel", "OFF",
                        "pekko.log-dead-letters-during-shutdown", "off"),
                "jfpm logging settings")
                .withFallback(ConfigFactory.defaultReference(Logging.class.getClassLoader()));
    }

    /** Reaches logback's loggers through SLF4J; fails clearly if another SLF4J binding won. */
    private static final class LoggerContextHolder {
        static Logger root() {
            return logger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        }

        static Logger logger(String name) {
            org.slf4j.Logger l = LoggerFactory.getLogger(name);
            if (l instanceof Logger logback) {
                return logback;
            }
            throw new IllegalStateException("SLF4J is not bound to logback (got " + l.getClass().getName() + ")");
        }
    }
}
