package org.jfpm.scoreboard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Fixed-size, NUL-padded UTF-8 string fields. */
final class Utf8Field {

    private Utf8Field() {
    }

    /**
     * Encodes {@code s} (null = empty) into {@code [offset, offset + length)} without allocating: at most
     * {@code length - 1} bytes, cut before a character that does not fit whole, the rest NUL-filled.
     * Unpaired surrogates become {@code '?'}.
     */
    static void write(ByteBuffer buf, int offset, int length, CharSequence s) {
        int pos = offset;
        int max = offset + length - 1;
        int n = s == null ? 0 : s.length();
        for (int i = 0; i < n; i++) {
            int c = s.charAt(i);
            if (c < 0x80) {
                if (pos + 1 > max) {
                    break;
                }
                buf.put(pos++, (byte) c);
            } else if (c < 0x800) {
                if (pos + 2 > max) {
                    break;
                }
                buf.put(pos++, (byte) (0xC0 | c >> 6));
                buf.put(pos++, (byte) (0x80 | c & 0x3F));
            } else if (Character.isSurrogate((char) c)) {
                char low = i + 1 < n ? s.charAt(i + 1) : 0;
                if (Character.isHighSurrogate((char) c) && Character.isLowSurrogate(low)) {
                    if (pos + 4 > max) {
                        break;
                    }
                    int cp = Character.toCodePoint((char) c, low);
                    buf.put(pos++, (byte) (0xF0 | cp >> 18));
                    buf.put(pos++, (byte) (0x80 | cp >> 12 & 0x3F));
                    buf.put(pos++, (byte) (0x80 | cp >> 6 & 0x3F));
                    buf.put(pos++, (byte) (0x80 | cp & 0x3F));
                    i++;
                } else {
                    if (pos + 1 > max) {
                        break;
                    }
                    buf.put(pos++, (byte) '?');
                }
            } else {
                if (pos + 3 > max) {
                    break;
                }
                buf.put(pos++, (byte) (0xE0 | c >> 12));
                buf.put(pos++, (byte) (0x80 | c >> 6 & 0x3F));
                buf.put(pos++, (byte) (0x80 | c & 0x3F));
            }
        }
        buf.put(pos, Words.ZEROS, 0, offset + length - pos);
    }

    /**
     * Decodes an untrusted field: up to the first NUL (or the whole field when there is none),
     * malformed UTF-8 and control characters replaced by U+FFFD. Never longer than {@code length} chars.
     */
    static String read(byte[] src, int offset, int length) {
        int end = offset;
        int limit = offset + length;
        while (end < limit && src[end] != 0) {
            end++;
        }
        if (end == offset) {
            return "";
        }
        String s = new String(src, offset, end - offset, StandardCharsets.UTF_8);
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return replaceControls(s);
            }
        }
        return s;
    }

    private static String replaceControls(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (Character.isISOControl(chars[i])) {
                chars[i] = '\uFFFD';
            }
        }
        return new String(chars);
    }
}
