package org.jfpm.scoreboard;

/**
 * A worker's request stage, with PHP-FPM's numeric codes ({@code fpm_request.h}) so that the
 * scoreboard reads the same to anyone who knows PHP-FPM. {@link #STARTING} (0) is ours: a slot
 * whose worker has been spawned but has not yet reached its first {@code accept}; like PHP-FPM,
 * it counts as active, not idle.
 */
public enum RequestStage {
    STARTING(0, "Starting"),
    ACCEPTING(1, "Idle"),
    READING_HEADERS(2, "Reading headers"),
    INFO(3, "Getting request informations"),
    FINISHED(4, "Finishing"),
    EXECUTING(5, "Running"),
    END(6, "Ending");

    private static final RequestStage[] BY_CODE = {STARTING, ACCEPTING, READING_HEADERS, INFO, FINISHED, EXECUTING, END};

    private final int code;
    private final String statusName;

    RequestStage(int code, String statusName) {
        this.code = code;
        this.statusName = statusName;
    }

    /** The numeric code stored in the scoreboard. */
    public int code() {
        return code;
    }

    /** The state name PHP-FPM's status page shows ("Idle", "Running", ...). */
    public String statusName() {
        return statusName;
    }

    /** Idle means blocked in accept, as in PHP-FPM; every other stage counts as active. */
    public boolean isIdle() {
        return this == ACCEPTING;
    }

    /** The stage for a code read from the scoreboard, or {@code null} when the code is out of range (untrusted input). */
    public static RequestStage ofCode(long code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }
}
