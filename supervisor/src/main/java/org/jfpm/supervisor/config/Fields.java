package org.jfpm.supervisor.config;

import com.typesafe.config.ConfigException.BadValue;
import com.typesafe.config.ConfigException.WrongType;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Typed reads of one HOCON object that never throw: a bad or missing value adds a {@link ConfigError}
 * (full key path, value as written, what was expected) to a shared list and yields {@code null}.
 */
final class Fields {

    private static final int MAX_RENDERED = 160;

    private final ConfigObject object;
    private final String path;
    private final List<ConfigError> errors;

    Fields(ConfigObject object, String path, List<ConfigError> errors) {
        this.object = object;
        this.path = path;
        this.errors = errors;
    }

    String path() {
        return path;
    }

    List<ConfigError> errorsList() {
        return errors;
    }

    String keyPath(String key) {
        return path + "." + key;
    }

    /** The value, or {@code null} when missing or HOCON {@code null}. */
    ConfigValue value(String key) {
        ConfigValue v = object.get(key);
        return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
    }

    void error(String key, String expected) {
        errors.add(new ConfigError(keyPath(key), render(value(key)), expected));
    }

    static String render(ConfigValue v) {
        if (v == null) {
            return ConfigError.MISSING;
        }
        String s = v.render(ConfigRenderOptions.concise());
        return s.length() > MAX_RENDERED ? s.substring(0, MAX_RENDERED) + "..." : s;
    }

    /** Every key of the object that is not in {@code allowed} is an error naming the allowed keys. */
    void rejectUnknownKeys(Collection<String> allowed) {
        for (String key : new TreeSet<>(object.keySet())) {
            if (!allowed.contains(key)) {
                error(key, "no such key (unknown key, expected one of: " + String.join(", ", new TreeSet<>(allowed)) + ")");
            }
        }
    }

    /** A nested object, or {@code null} (with an error) when the value is not an object. */
    Fields object(String key, String expected) {
        ConfigValue v = value(key);
        if (v instanceof ConfigObject o) {
            return new Fields(o, keyPath(key), errors);
        }
        error(key, expected);
        return null;
    }

    /** A string or number, as text. */
    String string(String key) {
        ConfigValue v = value(key);
        if (v != null && (v.valueType() == ConfigValueType.STRING || v.valueType() == ConfigValueType.NUMBER)) {
            return String.valueOf(v.unwrapped());
        }
        error(key, "a string");
        return null;
    }

    /** An integer in {@code [min, max]}; numbers written as strings ({@code "5"}) are accepted. */
    Long integer(String key, long min, long max) {
        ConfigValue v = value(key);
        Long n = v == null ? null : toLong(v);
        if (n == null || n < min || n > max) {
            error(key, rangeText(min, max));
            return null;
        }
        return n;
    }

    static String rangeText(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return "an integer >= " + min;
        }
        return "an integer between " + min + " and " + max;
    }

    static Long toLong(ConfigValue v) {
        Object u = v.unwrapped();
        if (u instanceof Integer || u instanceof Long) {
            return ((Number) u).longValue();
        }
        if (u instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (long) d.doubleValue() : null;
        }
        if (u instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * A duration {@code >= 0} with a unit ({@code 10s}, {@code 500ms}, {@code 2m}). A bare number other
     * than 0 is rejected: HOCON reads it as milliseconds, PHP-FPM as seconds.
     */
    Duration duration(String key) {
        ConfigValue v = value(key);
        String expected = "a duration >= 0 with a unit, e.g. 10s, 500ms or 2m";
        if (v == null) {
            error(key, expected);
            return null;
        }
        if (v.valueType() == ConfigValueType.NUMBER) {
            Long n = toLong(v);
            if (n != null && n == 0) {
                return Duration.ZERO;
            }
            error(key, expected + " (a bare number is ambiguous)");
            return null;
        }
        if (v.valueType() != ConfigValueType.STRING) {
            error(key, expected);
            return null;
        }
        try {
            Duration d = ConfigFactory.empty().withValue("d", v).getDuration("d");
            if (d.isNegative()) {
                error(key, expected);
                return null;
            }
            return d;
        } catch (BadValue | WrongType e) {
            error(key, expected);
            return null;
        }
    }

    /** {@code true/false} (also {@code yes/no/on/off}). */
    Boolean bool(String key) {
        ConfigValue v = value(key);
        if (v != null) {
            try {
                return ConfigFactory.empty().withValue("b", v).getBoolean("b");
            } catch (BadValue | WrongType e) {
                // reported below
            }
        }
        error(key, "true or false");
        return null;
    }

    /** A list whose elements are strings or numbers, as text; never a single string. */
    List<String> strings(String key, String expected) {
        ConfigValue v = value(key);
        if (v != null && v.valueType() == ConfigValueType.LIST) {
            List<String> out = new ArrayList<>();
            for (Object e : (List<?>) v.unwrapped()) {
                if (!(e instanceof String || e instanceof Number)) {
                    error(key, expected);
                    return null;
                }
                out.add(String.valueOf(e));
            }
            return out;
        }
        error(key, expected);
        return null;
    }

    /** An object whose values are strings, numbers or booleans, as text (e.g. {@code env}). */
    Map<String, String> stringMap(String key) {
        ConfigValue v = value(key);
        if (!(v instanceof ConfigObject o)) {
            error(key, "an object of NAME = value pairs, e.g. { APP_ENV = \"prod\" }");
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        boolean ok = true;
        for (String name : new TreeSet<>(o.keySet())) {
            ConfigValue e = o.get(name);
            ConfigValueType t = e.valueType();
            if (t == ConfigValueType.STRING || t == ConfigValueType.NUMBER || t == ConfigValueType.BOOLEAN) {
                out.put(name, String.valueOf(e.unwrapped()));
            } else {
                errors.add(new ConfigError(keyPath(key) + "." + name, render(e), "a string"));
                ok = false;
            }
        }
        return ok ? out : null;
    }
}
