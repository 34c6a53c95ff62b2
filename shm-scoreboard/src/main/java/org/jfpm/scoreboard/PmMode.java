package org.jfpm.scoreboard;

import java.util.Locale;

/** The process manager style, with PHP-FPM's codes ({@code PM_STYLE_*}). */
public enum PmMode {
    STATIC(1), DYNAMIC(2), ONDEMAND(3);

    private final int code;

    PmMode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The name as PHP-FPM prints and configures it: {@code static}, {@code dynamic}, {@code ondemand}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for a code read from the scoreboard, or {@code null} when out of range. */
    public static PmMode ofCode(long code) {
        for (PmMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        return null;
    }
}
