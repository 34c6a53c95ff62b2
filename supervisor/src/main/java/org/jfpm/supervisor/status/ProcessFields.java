package org.jfpm.supervisor.status;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Locale;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * One process of PHP-FPM's {@code full} status, computed from a worker's slot copy exactly as
 * {@code fpm_status.c} does:
 * <ul>
 *   <li>{@code request duration} (µs): for an idle worker the last request's duration, for a
 *       busy one {@code now − accepted}; 0 for a worker that has not accepted anything yet;</li>
 *   <li>{@code last request cpu} (%): CPU time of the last request over its duration × 100,
 *       {@code last request memory} (bytes): its peak RSS; both only for an idle worker, else 0;</li>
 *   <li>empty strings show as {@code -}; the URI is {@code uri?query} when there is a query.</li>
 * </ul>
 *
 * @param pid                the pid from the master (or the slot's own, for the CLI)
 * @param stage              the raw stage ({@code null} when the slot held an out-of-range code)
 * @param state              PHP-FPM's state name ("Idle", "Running", ...; ours: "Starting")
 * @param startTime          worker spawn time (epoch seconds)
 * @param startSince         seconds since the spawn
 * @param requests           requests accepted by this worker
 * @param requestDuration    see above (µs)
 * @param requestMethod      REQUEST_METHOD or {@code -}
 * @param requestUri         REQUEST_URI[?QUERY_STRING] or {@code -}
 * @param contentLength      CONTENT_LENGTH
 * @param user               the authenticated user or {@code -}
 * @param script             SCRIPT_FILENAME or {@code -}
 * @param lastRequestCpu     see above (percent)
 * @param lastRequestMemory  see above (bytes)
 * @param rssBytes           resident set size from /proc, -1 when unknown (jfpm addition)
 */
public record ProcessFields(
        long pid,
        RequestStage stage,
        String state,
        long startTime,
        long startSince,
        long requests,
        long requestDuration,
        String requestMethod,
        String requestUri,
        long contentLength,
        String user,
        String script,
        double lastRequestCpu,
        long lastRequestMemory,
        long rssBytes) {

    /** The state name shown for a slot whose stage code was out of range. */
    public static final String UNKNOWN_STATE = "Unknown";

    public static List<ProcessFields> of(PoolStatus status) {
        List<WorkerStatus> workers = status.workers();
        ProcessFields[] out = new ProcessFields[workers.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = of(workers.get(i), status.nowUs());
        }
        return List.of(out);
    }

    public static ProcessFields of(WorkerStatus worker, long nowUs) {
        SlotSnapshot s = worker.slot();
        RequestStage stage = s.stage();
        boolean idle = stage == RequestStage.ACCEPTING;
        long duration;
        if (idle) {
            duration = PoolFields.nonNegative(s.requestDurationUs());
        } else if (s.acceptedTimeUs() > 0) {
            duration = Math.max(0, nowUs - s.acceptedTimeUs());
        } else {
            duration = 0;
        }
        double cpu = idle && duration > 0 ? PoolFields.nonNegative(s.lastRequestCpuUs()) * 100.0 / duration : 0.0;
        long start = PoolFields.epochSeconds(s.startTimeUs());
        String query = orEmpty(s.queryString());
        return new ProcessFields(
                worker.pid(),
                stage,
                stage == null ? UNKNOWN_STATE : stage.statusName(),
                start,
                Math.max(0, PoolFields.epochSeconds(nowUs) - start),
                PoolFields.nonNegative(s.requests()),
                duration,
                dashIfEmpty(s.method()),
                dashIfEmpty(s.uri()) + (query.isEmpty() ? "" : "?" + query),
                PoolFields.nonNegative(s.contentLength()),
                dashIfEmpty(s.user()),
                dashIfEmpty(s.script()),
                cpu,
                idle ? PoolFields.nonNegative(s.lastRequestMemory()) : 0,
                worker.rssBytes());
    }

    /**
     * {@code last request cpu} as PHP-FPM prints it ({@code %.2f}), with exactly the digits of
     * {@code String.format(Locale.ROOT, "%.2f", v)} (the shortest decimal of the double, rounded half
     * up), without a {@link java.util.Formatter}: {@code String.format} parses its pattern on every
     * call, ~0.6 µs a worker warm and far more before the JIT, which made it the largest cost of a
     * {@code full} page of idle workers. 0 (every busy or starting worker) is a constant.
     */
    public String lastRequestCpuText() {
        return twoDecimals(lastRequestCpu);
    }

    static String twoDecimals(double v) {
        if (Double.doubleToRawLongBits(v) == 0L) {
            return "0.00";
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            return String.format(Locale.ROOT, "%.2f", v); // negative, NaN, infinite: never a computed cpu, kept exact
        }
        String shortest = Double.toString(v);
        int dot = shortest.indexOf('.');
        if (shortest.indexOf('E') >= 0 || dot < 0) {
            return new BigDecimal(shortest).setScale(2, RoundingMode.HALF_UP).toPlainString();
        }
        // digits of the integer part and the first two decimals, then half up on the third decimal
        int fraction = shortest.length() - dot - 1;
        char[] digits = new char[dot + 2];
        shortest.getChars(0, dot, digits, 0);
        digits[dot] = fraction > 0 ? shortest.charAt(dot + 1) : '0';
        digits[dot + 1] = fraction > 1 ? shortest.charAt(dot + 2) : '0';
        boolean carry = fraction > 2 && shortest.charAt(dot + 3) >= '5';
        for (int i = digits.length - 1; carry && i >= 0; i--) {
            if (digits[i] == '9') {
                digits[i] = '0';
            } else {
                digits[i]++;
                carry = false;
            }
        }
        StringBuilder out = new StringBuilder(digits.length + 2);
        if (carry) {
            out.append('1');
        }
        return out.append(digits, 0, dot).append('.').append(digits, dot, 2).toString();
    }

    /** The dashboard's coarse state: {@code idle}, {@code busy}, {@code starting} (or {@code unknown}). */
    public String dashboardState() {
        if (stage == null) {
            return "unknown";
        }
        return switch (stage) {
            case ACCEPTING -> "idle";
            case STARTING -> "starting";
            default -> "busy";
        };
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String dashIfEmpty(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
