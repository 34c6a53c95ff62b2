package org.jfpm.supervisor.config;

/**
 * One configuration error, as data.
 *
 * @param key      the full key path ({@code jfpm.pools.www.pm.max-children}), or {@code (file)} when the
 *                 file itself could not be read, parsed or resolved
 * @param value    the value as written (rendered as HOCON/JSON), or {@code (missing)}
 * @param expected what a valid value looks like
 */
public record ConfigError(String key, String value, String expected) {

    public static final String MISSING = "(missing)";
    public static final String FILE = "(file)";

    /** {@code key = value: expected ...}, the line printed after {@code ERROR: }. */
    @Override
    public String toString() {
        return key + " = " + value + ": expected " + expected;
    }
}
