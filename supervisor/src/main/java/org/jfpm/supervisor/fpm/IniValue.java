package org.jfpm.supervisor.fpm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The value of one {@code key = value} line, read as PHP's INI scanner reads it for PHP-FPM
 * ({@code INI_SCANNER_NORMAL}; checked against {@code php-fpm8.2 -tt}):
 * <ul>
 * <li>{@code "double quoted"}: {@code \"}, {@code \\} and {@code \$} are escapes (any other backslash
 * stays), {@code ${VAR}} is expanded, and whitespace on either side of it is dropped;</li>
 * <li>{@code 'single quoted'}: taken as is, no escapes, no expansion, whitespace around it kept;</li>
 * <li>unquoted text: ends at {@code ;} (a comment) or a quote, trimmed at the ends of the value,
 * {@code ${VAR}} expanded; a {@code =} in it is an error;</li>
 * <li>segments are joined: {@code "a" b 'c'} is {@code ab c};</li>
 * <li>a whole unquoted value {@code yes}, {@code true}, {@code on} is {@code "1"}; {@code no},
 * {@code false}, {@code off}, {@code none}, {@code null} is {@code ""} (any case);</li>
 * <li>unquoted text with {@code | & ^ ~ ! ( )} is an integer expression (the operators of equal
 * precedence, left to right; operands are integers, {@code E_*} constants, or text read as an integer,
 * {@code 12abc} = 12); a whole unquoted {@code E_*} constant is its value.</li>
 * </ul>
 * {@code ${VAR}} is looked up with the given environment, empty when unset; PHP 8.3's
 * {@code ${VAR:-default}} is understood too (PHP 8.2 and older read it as the unset variable
 * {@code VAR:-default}, so empty).
 *
 * @param value     the value as PHP-FPM stores it
 * @param bareText  the unquoted text after {@code ${...}} expansion, before boolean, constant and
 *                  expression evaluation, when the value was one unquoted segment; else null. php-cgi's
 *                  {@code -d name=TEXT} re-reads it the same way
 * @param evaluated true when a boolean word, a constant or an expression was evaluated
 * @param variables the {@code ${...}} expanded, as written inside the braces
 */
public record IniValue(String value, String bareText, boolean evaluated, List<String> variables) {

    /** PHP's error level constants, the ones PHP-FPM configurations use in expressions. */
    static final Map<String, Long> CONSTANTS = Map.ofEntries(
            Map.entry("E_ERROR", 1L), Map.entry("E_WARNING", 2L), Map.entry("E_PARSE", 4L),
            Map.entry("E_NOTICE", 8L), Map.entry("E_CORE_ERROR", 16L), Map.entry("E_CORE_WARNING", 32L),
            Map.entry("E_COMPILE_ERROR", 64L), Map.entry("E_COMPILE_WARNING", 128L),
            Map.entry("E_USER_ERROR", 256L), Map.entry("E_USER_WARNING", 512L), Map.entry("E_USER_NOTICE", 1024L),
            Map.entry("E_STRICT", 2048L), Map.entry("E_RECOVERABLE_ERROR", 4096L), Map.entry("E_DEPRECATED", 8192L),
            Map.entry("E_USER_DEPRECATED", 16384L), Map.entry("E_ALL", 32767L));

    private static final String OPERATORS = "|&^~!()";

    public IniValue {
        variables = List.copyOf(variables);
    }

    /** True when the value was written without quotes. */
    public boolean bare() {
        return bareText != null;
    }

    private enum Kind { RAW, DOUBLE, SINGLE }

    private record Segment(Kind kind, String text) {
    }

    /**
     * Parses {@code text}, everything after the line's first {@code =}.
     *
     * @param env looks up {@code ${VAR}}: null when unset
     */
    public static IniValue parse(String text, Source source, UnaryOperator<String> env) throws FpmConfigException {
        List<Segment> segments = new ArrayList<>();
        List<String> variables = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ';') {
                break;
            }
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                int j = i + 1;
                for (; j < n && text.charAt(j) != '"'; j++) {
                    char d = text.charAt(j);
                    if (d == '\\' && j + 1 < n && "\"\\$".indexOf(text.charAt(j + 1)) >= 0) {
                        b.append(text.charAt(++j));
                    } else if (d == '$' && j + 1 < n && text.charAt(j + 1) == '{') {
                        j = expand(text, j, b, env, variables, source);
                    } else {
                        b.append(d);
                    }
                }
                if (j >= n) {
                    throw new FpmConfigException(source, "a double-quoted value is not closed on this line: " + text.trim());
                }
                segments.add(new Segment(Kind.DOUBLE, b.toString()));
                i = j + 1;
            } else if (c == '\'') {
                int close = text.indexOf('\'', i + 1);
                if (close < 0) {
                    throw new FpmConfigException(source, "a single-quoted value is not closed on this line: " + text.trim());
                }
                segments.add(new Segment(Kind.SINGLE, text.substring(i + 1, close)));
                i = close + 1;
            } else {
                StringBuilder b = new StringBuilder();
                int j = i;
                for (; j < n && "\"';".indexOf(text.charAt(j)) < 0; j++) {
                    char d = text.charAt(j);
                    if (d == '=') {
                        throw new FpmConfigException(source, "'=' in an unquoted value (PHP-FPM rejects it; quote the value): "
                                + text.trim());
                    }
                    if (d == '$' && j + 1 < n && text.charAt(j + 1) == '{') {
                        j = expand(text, j, b, env, variables, source);
                    } else {
                        b.append(d);
                    }
                }
                segments.add(new Segment(Kind.RAW, b.toString()));
                i = j;
            }
        }
        // whitespace next to a double-quoted segment, and at both ends of the value, is dropped
        StringBuilder joined = new StringBuilder();
        for (int k = 0; k < segments.size(); k++) {
            Segment s = segments.get(k);
            String t = s.text();
            if (s.kind() == Kind.RAW) {
                if (k == 0 || segments.get(k - 1).kind() == Kind.DOUBLE) {
                    t = t.stripLeading();
                }
                if (k == segments.size() - 1 || segments.get(k + 1).kind() == Kind.DOUBLE) {
                    t = t.stripTrailing();
                }
                if (segments.size() > 1) {
                    if (bool(t.trim()) != null && !t.isBlank()) {
                        throw new FpmConfigException(source, "the word '" + t.trim()
                                + "' (a boolean) cannot be joined with a quoted string: " + text.trim());
                    }
                    Long constant = CONSTANTS.get(t.trim());
                    t = constant != null ? t.replace(t.trim(), Long.toString(constant)) : t;
                }
            }
            joined.append(t);
        }
        String value = joined.toString();
        if (segments.size() != 1 || segments.get(0).kind() != Kind.RAW) {
            return new IniValue(value, null, false, variables);
        }
        String bare = value;
        String b = bool(bare);
        if (b != null) {
            return new IniValue(b, bare, true, variables);
        }
        if (CONSTANTS.containsKey(bare)) {
            return new IniValue(Long.toString(CONSTANTS.get(bare)), bare, true, variables);
        }
        if (bare.chars().anyMatch(ch -> OPERATORS.indexOf(ch) >= 0)) {
            return new IniValue(Long.toString(new Expression(bare, source).evaluate()), bare, true, variables);
        }
        return new IniValue(bare, bare, false, variables);
    }

    /** {@code "1"} or {@code ""} for PHP's INI boolean words, else null. */
    static String bool(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on" -> "1";
            case "no", "false", "off", "none", "null" -> "";
            default -> null;
        };
    }

    /** Expands the {@code ${...}} at {@code text[at]} into {@code out}; returns the index of its {@code }}. */
    private static int expand(String text, int at, StringBuilder out, UnaryOperator<String> env, List<String> variables,
            Source source) throws FpmConfigException {
        int close = text.indexOf('}', at + 2);
        if (close < 0) {
            throw new FpmConfigException(source, "'${' without a closing '}': " + text.trim());
        }
        String inside = text.substring(at + 2, close);
        variables.add(inside);
        int dflt = inside.indexOf(":-");
        String name = dflt >= 0 ? inside.substring(0, dflt) : inside;
        String v = env.apply(name);
        if ((v == null || v.isEmpty()) && dflt >= 0) {
            v = inside.substring(dflt + 2);
        }
        out.append(v == null ? "" : v);
        return close;
    }

    /** PHP's INI integer expressions: {@code | & ^} left to right at one precedence, unary {@code ~ !}, parentheses. */
    private static final class Expression {
        private final String text;
        private final Source source;
        private int pos;

        Expression(String text, Source source) {
            this.text = text;
            this.source = source;
        }

        long evaluate() throws FpmConfigException {
            long v = binary();
            skipSpace();
            if (pos < text.length()) {
                throw error();
            }
            return v;
        }

        private long binary() throws FpmConfigException {
            long v = unary();
            while (true) {
                skipSpace();
                if (pos >= text.length() || "|&^".indexOf(text.charAt(pos)) < 0) {
                    return v;
                }
                char op = text.charAt(pos++);
                long w = unary();
                v = op == '|' ? v | w : op == '&' ? v & w : v ^ w;
            }
        }

        private long unary() throws FpmConfigException {
            skipSpace();
            if (pos >= text.length()) {
                throw error();
            }
            char c = text.charAt(pos);
            if (c == '~') {
                pos++;
                return ~unary();
            }
            if (c == '!') {
                pos++;
                return unary() == 0 ? 1 : 0;
            }
            if (c == '(') {
                pos++;
                long v = binary();
                skipSpace();
                if (pos >= text.length() || text.charAt(pos) != ')') {
                    throw error();
                }
                pos++;
                return v;
            }
            int start = pos;
            while (pos < text.length() && OPERATORS.indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            String operand = text.substring(start, pos).trim();
            if (operand.isEmpty()) {
                throw error();
            }
            Long constant = CONSTANTS.get(operand);
            return constant != null ? constant : leadingInteger(operand);
        }

        /** C's strtol in base 10: {@code 12abc} is 12, {@code abc} is 0. */
        private static long leadingInteger(String s) {
            int i = 0;
            boolean negative = false;
            if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                negative = s.charAt(i++) == '-';
            }
            long v = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                v = v * 10 + (s.charAt(i++) - '0');
            }
            return negative ? -v : v;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private FpmConfigException error() {
            return new FpmConfigException(source, "cannot read '" + text + "' as PHP's INI expression (operators | & ^ ~ !"
                    + " and parentheses; quote the value if it is text)");
        }
    }
}
