package org.jfpm.supervisor.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the master's own log goes ({@code jfpm.log-file}, {@code jfpm.log-limit}, {@code jfpm.syslog.*}).
 *
 * @param file     the log file, or null for stderr or syslog
 * @param syslog   {@code log-file = syslog}: to the local syslog daemon ({@code /dev/log})
 * @param limit    the longest line in bytes ({@code log-limit}); longer ones are cut and end in "..."
 * @param ident    {@code syslog.ident}: the tag of syslog messages
 * @param facility {@code syslog.facility}: its number (daemon = 3)
 */
public record MasterLog(Path file, boolean syslog, int limit, String ident, int facility) {
    public static final int DEFAULT_LIMIT = 1024;
    public static final int MIN_LIMIT = 512;
    public static final int MAX_LIMIT = 65536;
    /** stderr, PHP-FPM's 1024 bytes. */
    public static final MasterLog STDERR = new MasterLog(null, false, DEFAULT_LIMIT, "jfpm", 3);

    /** syslog(3)'s facility names, as PHP-FPM's syslog.facility accepts them. */
    static final Map<String, Integer> FACILITIES = Map.ofEntries(
            Map.entry("kern", 0), Map.entry("user", 1), Map.entry("mail", 2), Map.entry("daemon", 3),
            Map.entry("auth", 4), Map.entry("syslog", 5), Map.entry("lpr", 6), Map.entry("news", 7),
            Map.entry("uucp", 8), Map.entry("cron", 9), Map.entry("authpriv", 10), Map.entry("ftp", 11),
            Map.entry("local0", 16), Map.entry("local1", 17), Map.entry("local2", 18), Map.entry("local3", 19),
            Map.entry("local4", 20), Map.entry("local5", 21), Map.entry("local6", 22), Map.entry("local7", 23));

    public static final List<String> FACILITY_NAMES = List.of("auth", "authpriv", "cron", "daemon", "ftp", "kern", "local0",
            "local1", "local2", "local3", "local4", "local5", "local6", "local7", "lpr", "mail", "news", "syslog",
            "user", "uucp");

    /** The facility number of a name (any case), or -1. */
    public static int facility(String name) {
        return name == null ? -1 : FACILITIES.getOrDefault(name.trim().toLowerCase(Locale.ROOT), -1);
    }

    /** A valid {@code syslog.ident}: 1 to 64 printable ASCII characters, no spaces. */
    public static boolean validIdent(String ident) {
        return ident != null && !ident.isBlank() && ident.length() <= 64 && ident.matches("[\\x21-\\x7e]+");
    }

    /** What the log-file setting says: "stderr", "syslog" or the path. */
    public String describe() {
        return syslog ? "syslog" : file == null ? "stderr" : file.toString();
    }
}
