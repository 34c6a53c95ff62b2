package org.jfpm.supervisor.fpm;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of a PHP-FPM configuration file. PHP-FPM feeds its files to PHP's INI parser one line at a
 * time, so a line is a unit: blank, a {@code ;} comment, a {@code [section]}, or {@code key = value}
 * where the key may carry an array index ({@code env[PATH]}, {@code php_value[memory_limit]},
 * {@code access.suppress_path[]}). Directive names are case-insensitive, as in PHP-FPM; the index
 * keeps its case. Anything else (a {@code #} comment, a word without {@code =}) is an error, as it is
 * for {@code php-fpm -t}.
 */
public sealed interface IniLine {

    Source source();

    /** A {@code [name]} line: {@code [global]} or a pool. */
    record Section(String name, Source source) implements IniLine {
    }

    /**
     * A {@code key = value} line.
     *
     * @param name  the directive, lower case ({@code pm.max_children}, {@code env})
     * @param index the array index without brackets ({@code PATH}), {@code ""} for {@code name[]}, or null
     * @param raw   the value as written (after {@code =}, trimmed), for comments and messages
     */
    record Entry(String name, String index, IniValue value, String raw, Source source) implements IniLine {

        /** The key as written in PHP-FPM's syntax: {@code env[PATH]}. */
        public String key() {
            return index == null ? name : name + "[" + index + "]";
        }
    }

    Pattern INDEXED = Pattern.compile("([^\\[\\]]+)\\[([^\\[\\]]*)\\]");

    /**
     * Parses one line; null for a blank or comment line.
     *
     * @param env looks up {@code ${VAR}} in values
     */
    static IniLine parse(String line, Source source, UnaryOperator<String> env) throws FpmConfigException {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith(";")) {
            return null;
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new FpmConfigException(source, "a section header without ']': " + s);
            }
            String rest = s.substring(close + 1).strip();
            if (!rest.isEmpty() && !rest.startsWith(";")) {
                throw new FpmConfigException(source, "text after the section header: " + s);
            }
            String name = s.substring(1, close).strip();
            if (name.isEmpty()) {
                throw new FpmConfigException(source, "an empty section name: " + s);
            }
            return new Section(name, source);
        }
        int eq = s.indexOf('=');
        if (eq < 0) {
            String hint = s.startsWith("#") ? " ('#' does not start a comment in PHP's INI syntax: use ';')" : "";
            throw new FpmConfigException(source, "expected 'key = value', a [section] or a ; comment, got '" + s + "'" + hint);
        }
        String key = s.substring(0, eq).strip();
        if (key.isEmpty()) {
            throw new FpmConfigException(source, "no key before '=': " + s);
        }
        String name = key;
        String index = null;
        Matcher m = INDEXED.matcher(key);
        if (m.matches()) {
            name = m.group(1).strip();
            index = m.group(2).strip();
        } else if (key.indexOf('[') >= 0 || key.indexOf(']') >= 0) {
            throw new FpmConfigException(source, "a key with unbalanced brackets: " + key);
        }
        String rawValue = s.substring(eq + 1);
        IniValue value = IniValue.parse(rawValue, source, env);
        return new Entry(name.toLowerCase(java.util.Locale.ROOT), index, value, withoutComment(rawValue).strip(), source);
    }

    /** {@code text} up to its first {@code ;} outside quotes. */
    static String withoutComment(String text) {
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == '"' && c == '\\') {
                i++;
            } else if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ';') {
                return text.substring(0, i);
            }
        }
        return text;
    }
}
