package org.jfpm.supervisor.fpm;

import com.typesafe.config.ConfigUtil;
import java.util.List;

/** Rendering HOCON text by hand: import-fpm's output keeps PHP-FPM's order and a comment per line. */
final class Hocon {

    /** Where trailing comments start, when the setting is shorter. */
    private static final int COMMENT_COLUMN = 48;
    /** Comment lines wrap here. */
    private static final int WIDTH = 110;

    private final StringBuilder out = new StringBuilder();
    private int depth;

    /** A JSON/HOCON string literal. */
    static String string(String s) {
        return ConfigUtil.quoteString(s);
    }

    /** A key, quoted when HOCON needs it ({@code "my.site"}, {@code "A B"}). */
    static String key(String name) {
        return ConfigUtil.joinPath(List.of(name));
    }

    /** A list of string literals on one line. */
    static String strings(List<String> items) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(string(items.get(i)));
        }
        return b.append(']').toString();
    }

    /** A value read at load time from jfpm's environment: {@code ""${?NAME}} ("" when unset, as PHP-FPM). */
    static String fromEnvironment(String name) {
        return "\"\"${?" + key(name) + "}";
    }

    /** Comment lines; a line longer than {@link #WIDTH} wraps at a space, continued with the line's own indent. */
    Hocon comment(String text) {
        for (String line : text.split("\n")) {
            String lead = line.substring(0, line.length() - line.stripLeading().length());
            String rest = line;
            int width = Math.max(40, WIDTH - depth * 2 - 2);
            while (rest.length() > width) {
                int cut = rest.lastIndexOf(' ', width);
                if (cut <= lead.length()) {
                    cut = rest.indexOf(' ', width);
                    if (cut < 0) {
                        break;
                    }
                }
                indent().append("# ").append(rest, 0, cut).append('\n');
                rest = lead + rest.substring(cut + 1);
            }
            indent().append(rest.isEmpty() ? "#" : "# " + rest).append('\n');
        }
        return this;
    }

    Hocon blank() {
        out.append('\n');
        return this;
    }

    /** {@code key = value  # comment}. */
    Hocon setting(String key, String value, String comment) {
        return line(key + " = " + value, comment);
    }

    /** {@code key {  # comment}, then what follows is nested until {@link #close}. */
    Hocon open(String key, String comment) {
        line(key + " {", comment);
        depth++;
        return this;
    }

    Hocon close() {
        depth--;
        indent().append("}\n");
        return this;
    }

    private Hocon line(String text, String comment) {
        StringBuilder b = indent();
        int start = b.length();
        b.append(text);
        if (comment != null && !comment.isEmpty()) {
            int width = b.length() - start + depth * 2;
            b.append(" ".repeat(Math.max(2, COMMENT_COLUMN - width))).append("# ").append(comment);
        }
        b.append('\n');
        return this;
    }

    private StringBuilder indent() {
        return out.append("  ".repeat(depth));
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
