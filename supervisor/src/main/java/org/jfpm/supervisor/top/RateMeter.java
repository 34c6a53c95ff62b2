package org.jfpm.supervisor.top;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Requests per second per pool, from {@code accepted conn} at successive refreshes. A counter that went
 * down (a worker scribbled it, or a reload made a new scoreboard file: {@code fileKey} changed) restarts
 * the measurement: no rate until the next refresh. Samples closer than {@link #MIN_SPAN_NANOS} to the
 * last one (a refresh forced by a key) keep the last rate rather than measure a noisy sliver.
 */
final class RateMeter {

    static final long MIN_SPAN_NANOS = 200_000_000L;

    private record Sample(Object fileKey, long count, long nanos, double rate) {
    }

    private final Map<String, Sample> last = new HashMap<>();

    /** The rate since the last sample of {@code pool}, or NaN when unknown; records this sample. */
    double update(String pool, Object fileKey, long count, long nanos) {
        Sample prev = last.get(pool);
        if (prev != null && Objects.equals(prev.fileKey, fileKey) && count >= prev.count) {
            long span = nanos - prev.nanos;
            if (span < MIN_SPAN_NANOS) {
                return prev.rate;
            }
            double rate = (count - prev.count) * 1e9 / span;
            last.put(pool, new Sample(fileKey, count, nanos, rate));
            return rate;
        }
        last.put(pool, new Sample(fileKey, count, nanos, Double.NaN));
        return Double.NaN;
    }

    /** Forgets {@code pool} (its file went away). */
    void forget(String pool) {
        last.remove(pool);
    }
}
