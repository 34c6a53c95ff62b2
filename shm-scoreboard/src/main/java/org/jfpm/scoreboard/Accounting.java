package org.jfpm.scoreboard;

import java.util.Locale;

/** Who writes a pool's per-slot request accounting. */
public enum Accounting {
    /** Nobody: the policies work from socket readiness alone; slot stages stay {@link RequestStage#STARTING}. */
    NONE(0),
    /** The Java worker SDK ({@link SlotWriter}) inside a cooperating worker. */
    SDK(1),
    /** The accept-hook preload library loaded into an unmodified worker (php-cgi, Python, Perl, C). */
    PRELOAD(2);

    private final int code;

    Accounting(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Accounting ofCode(long code) {
        for (Accounting a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        return null;
    }
}
