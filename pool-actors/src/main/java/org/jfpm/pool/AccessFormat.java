package org.jfpm.pool;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks an {@code access-format} the way the preload library compiles it
 * ({@code jfpm_alog_compile} in {@code shm-scoreboard/src/main/c/jfpm_alog.c}), so that a format that
 * passes here always works in a worker. The codes are PHP-FPM's ({@code fpm_log.c}):
 *
 * <pre>
 * %C %{total|user|system}C  CPU % of the request      %d %{seconds|milli|micro}d  its duration
 * %{NAME}e  a FastCGI param   %f script   %l content length   %m method
 * %M %{bytes|kilo|mega}M  memory   %n pool   %{Name}o  a response header   %p pid   %P parent pid
 * %q query string   %Q '?' if there is one   %r URI   %R the FastCGI peer's IP   %s status
 * %t %{strftime}t  request start   %T %{strftime}T  request end   %u remote user   %% '%'
 * </pre>
 */
public final class AccessFormat {
    static final int MAX_BYTES = 1024;
    static final int MAX_MODIFIER = 128;
    static final int MAX_NAME = 63;
    static final int MAX_NAMES = 8;
    private static final String CODES = "CdeflmMnopPqQrRstTu%";

    private AccessFormat() {
    }

    /** What a valid format looks like, when {@code format} is not one; empty when it is fine. */
    public static Optional<String> problem(String format) {
        byte[] b = format.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_BYTES) {
            return Optional.of("a format of at most 1024 bytes");
        }
        if (format.indexOf('\0') >= 0) {
            return Optional.of("a format without NUL characters");
        }
        Set<String> params = new LinkedHashSet<>();
        Set<String> headers = new LinkedHashSet<>();
        int i = 0;
        while (i < format.length()) {
            char ch = format.charAt(i++);
            if (ch != '%') {
                continue;
            }
            String mod = null;
            if (i < format.length() && format.charAt(i) == '{') {
                int close = format.indexOf('}', i + 1);
                if (close < 0 || close + 1 >= format.length()) {
                    return Optional.of("a closing brace and a letter after %{...}");
                }
                mod = format.substring(i + 1, close);
                if (mod.getBytes(StandardCharsets.UTF_8).length > MAX_MODIFIER) {
                    return Optional.of("at most 128 bytes between the braces of %{...}");
                }
                i = close + 1;
            }
            if (i >= format.length()) {
                return Optional.of("a letter after the last %");
            }
            char code = format.charAt(i++);
            String m = mod == null ? "" : mod.toLowerCase(Locale.ROOT);
            switch (code) {
                case 'C' -> {
                    if (!Set.of("", "total", "user", "system").contains(m)) {
                        return Optional.of("one of total, user or system as the modifier of %C, got '" + mod + "'");
                    }
                }
                case 'd' -> {
                    if (!Set.of("", "seconds", "milliseconds", "milli", "mili", "miliseconds", "microseconds", "micro")
                            .contains(m)) {
                        return Optional.of("one of seconds, milli, milliseconds, micro or microseconds as the modifier"
                                + " of %d, got '" + mod + "'");
                    }
                }
                case 'M' -> {
                    if (!Set.of("", "bytes", "kilobytes", "kilo", "megabytes", "mega").contains(m)) {
                        return Optional.of("one of bytes, kilo, kilobytes, mega or megabytes as the modifier of %M, got '"
                                + mod + "'");
                    }
                }
                case 'e', 'o' -> {
                    if (mod == null || mod.isEmpty()) {
                        return Optional.of(code == 'e' ? "a parameter name between braces for %e, e.g. %{HTTP_HOST}e"
                                : "a header name between braces for %o, e.g. %{Content-Type}o");
                    }
                    if (mod.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
                        return Optional.of("a name of at most 63 bytes in %{...}" + code);
                    }
                    Set<String> names = code == 'e' ? params : headers;
                    names.add(mod);
                    if (names.size() > MAX_NAMES) {
                        return Optional.of("at most 8 different names for %" + code);
                    }
                }
                default -> {
                    if (CODES.indexOf(code) < 0) {
                        return Optional.of("one of %C %d %{NAME}e %f %l %m %M %n %{Name}o %p %P %q %Q %r %R %s %t %T %u"
                                + " %%, got %" + code);
                    }
                }
            }
        }
        return Optional.empty();
    }
}
