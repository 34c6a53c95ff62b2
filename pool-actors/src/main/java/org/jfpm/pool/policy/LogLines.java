package org.jfpm.pool.policy;

import java.util.Locale;

/** PHP-FPM's log lines ({@code fpm_process_ctl.c}), word for word, so that operators' greps carry over. */
final class LogLines {

    private LogLines() {
    }

    /** dynamic (and our static-like wording for it). */
    static String dynamicMaxChildren(String pool, int maxChildren) {
        return format("[pool %s] server reached pm.max_children setting (%d), consider raising it", pool, maxChildren);
    }

    /** ondemand: PHP-FPM drops the "pm." here. */
    static String ondemandMaxChildren(String pool, int maxChildren) {
        return format("[pool %s] server reached max_children setting (%d), consider raising it", pool, maxChildren);
    }

    static String seemsBusy(String pool, int spawning, int idle, int total) {
        return format("[pool %s] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers),"
                + " spawning %d children, there are %d idle, and %d total children", pool, spawning, idle, total);
    }

    private static String format(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
