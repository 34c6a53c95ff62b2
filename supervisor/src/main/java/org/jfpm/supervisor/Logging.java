package org.jfpm.supervisor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jfpm.os.SyslogSocket;
import org.jfpm.supervisor.config.LogLevelName;
import org.jfpm.supervisor.config.MasterLog;
import org.slf4j.LoggerFactory;

/**
 * Runtime control of logging (logback, configured by {@code logback.xml}: PHP-FPM's line format, through
 * {@link FpmAppender} to stderr until {@link #setOutput} sends it to {@code jfpm.log-file}).
 */
public final class Logging {

    static final String PEKKO_LOGGER = "org.apache.pekko";
    static final String APPENDER = "MAIN";
    /** Where {@code log-file = syslog} sends; a system property for tests only. */
    static final String SYSLOG_SOCKET_PROPERTY = "jfpm.syslog.socket";

    private Logging() {
    }

    /**
     * Sends the log to {@code log}'s target (stderr, a file, syslog) with its line limit. On failure
     * nothing changes.
     *
     * @throws IOException naming the file or socket and why it cannot be opened
     */
    public static void setOutput(MasterLog log) throws IOException {
        FpmAppender.Target target;
        if (log.syslog()) {
            target = new FpmAppender.Syslog(Path.of(System.getProperty(SYSLOG_SOCKET_PROPERTY,
                    SyslogSocket.DEV_LOG.toString())), log.ident(), log.facility());
        } else if (log.file() != null) {
            target = new FpmAppender.File(log.file());
        } else {
            target = new FpmAppender.Stderr();
        }
        appender().configure(target, log.limit());
    }

    /**
     * SIGUSR1: opens the log file again (or reconnects to syslog).
     *
     * @return what was re-opened ("the log file PATH", "syslog"), or empty for stderr
     * @throws IOException when it cannot be opened (the old one stays in use)
     */
    public static java.util.Optional<String> reopen() throws IOException {
        FpmAppender a = appender();
        FpmAppender.Target t = a.target();
        if (!a.reopen()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(t instanceof FpmAppender.File f ? "log file " + f.path() : "syslog");
    }

    static FpmAppender appender() {
        if (LoggerContextHolder.root().getAppender(APPENDER) instanceof FpmAppender a) {
            return a;
        }
        throw new IllegalStateException("logback.xml has no FpmAppender named " + APPENDER + " (a build error)");
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
