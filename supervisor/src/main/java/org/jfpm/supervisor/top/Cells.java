package org.jfpm.supervisor.top;

/**
 * Text for terminal cells. Everything shown by {@code jfpm top} that a worker wrote is untrusted:
 * {@link #clean} turns anything that could move the cursor, change colours or reorder text (C0 and C1
 * controls, ESC, DEL, format characters such as bidi overrides, combining marks, unpaired surrogates,
 * unassigned code points) into {@code ?}, so the only effect a string can have is its own cells.
 * {@link #width} counts East Asian wide characters and emoji as two cells; {@link #fit} and the pads
 * cut and fill by cells, never splitting a character.
 */
final class Cells {

    /** The most characters of one string that are looked at; the scoreboard's fields are at most 512 bytes. */
    static final int MAX_CHARS = 4096;

    private Cells() {
    }

    /** {@code s} with every character that is not a plain printable one replaced by {@code ?}; null reads as "". */
    static String clean(String s) {
        if (s == null) {
            return "";
        }
        int end = Math.min(s.length(), MAX_CHARS);
        StringBuilder b = null;
        for (int i = 0; i < end; ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            boolean ok = printable(cp);
            if (!ok || b != null) {
                if (b == null) {
                    b = new StringBuilder(end);
                    b.append(s, 0, i);
                }
                if (ok) {
                    b.appendCodePoint(cp);
                } else {
                    b.append('?');
                }
            }
            i += n;
        }
        if (b != null) {
            return b.toString();
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    static boolean printable(int cp) {
        if (cp >= 0x20 && cp < 0x7f) {
            return true;
        }
        if (cp < 0xa0) {
            return false; // C0, DEL, C1 (0x9b is a one-byte CSI)
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                    Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** The cells a printable code point takes: 2 for East Asian wide and emoji, else 1. */
    static int width(int cp) {
        if (cp < 0x1100) {
            return 1;
        }
        return cp <= 0x115f
                || cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f
                || cp >= 0xac00 && cp <= 0xd7a3
                || cp >= 0xf900 && cp <= 0xfaff
                || cp >= 0xfe30 && cp <= 0xfe4f
                || cp >= 0xff00 && cp <= 0xff60
                || cp >= 0xffe0 && cp <= 0xffe6
                || cp >= 0x1f300 && cp <= 0x1faff
                || cp >= 0x20000 && cp <= 0x3fffd ? 2 : 1;
    }

    /** The cells {@code s} (already {@link #clean clean}) takes. */
    static int width(String s) {
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            w += width(cp);
            i += Character.charCount(cp);
        }
        return w;
    }

    /** The longest prefix of {@code s} (clean) that fits in {@code cells}. */
    static String fit(String s, int cells) {
        if (cells <= 0) {
            return "";
        }
        int w = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int cw = width(cp);
            if (w + cw > cells) {
                return s.substring(0, i);
            }
            w += cw;
            i += Character.charCount(cp);
        }
        return s;
    }

    /** {@code s} cut or filled with spaces on the right to exactly {@code cells}. */
    static String padRight(String s, int cells) {
        String f = fit(s, cells);
        return f + " ".repeat(Math.max(0, cells - width(f)));
    }

    /** {@code s} cut, or filled with spaces on the left, to exactly {@code cells}. */
    static String padLeft(String s, int cells) {
        String f = fit(s, cells);
        return " ".repeat(Math.max(0, cells - width(f))) + f;
    }
}
