package org.jfpm.supervisor.status;

/**
 * Escaping of worker-written (untrusted) strings for each output format. Slots may hold any
 * bytes a worker chose to write; no format lets them break its structure.
 */
final class Escape {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Escape() {
    }

    /**
     * The inside of a JSON string as PHP's {@code json_encode} writes it with default flags:
     * {@code /} as {@code \/}, non-ASCII as {@code \}{@code uXXXX} (lowercase hex), control
     * characters as short escapes or {@code \}{@code u00XX}.
     */
    static String json(String s) {
        if (plain(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '/' -> b.append("\\/");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        unicode(b, c);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /**
     * Text for XML and HTML element content: {@code & < > "} as entities, and characters XML 1.0
     * forbids (controls other than tab, newline, carriage return) as U+FFFD.
     */
    static String markup(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xfffe || c == 0xffff ? '\ufffd' : c);
            }
        }
        return b.toString();
    }

    /** One line of the text format: control characters (a worker could write a newline and forge a line) become {@code ?}. */
    static String textLine(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, '?');
            }
        }
        return b == null ? s : b.toString();
    }

    /** An OpenMetrics / Prometheus label value: {@code \\}, {@code "} and newline escaped. */
    static String label(String s) {
        if (plain(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * True when no format escapes anything in {@code s}: printable ASCII only, without the characters
     * some format escapes ({@code " \ / & < >}). Most worker strings ("-", "GET", "Idle", pids, paths
     * without {@code /}... ) are returned as they are, without a copy.
     */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/' || c == '&' || c == '<' || c == '>') {
                return false;
            }
        }
        return true;
    }

    private static void unicode(StringBuilder b, char c) {
        b.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
    }
}
