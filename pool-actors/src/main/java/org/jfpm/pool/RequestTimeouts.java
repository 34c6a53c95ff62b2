package org.jfpm.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * {@code request-slowlog-timeout} and {@code request-terminate-timeout}, as pure decisions: given
 * the serving workers' slot copies and the time, which requests to log as slow and which workers to
 * kill. Each request (a worker's accepted time) is logged and terminated at most once.
 *
 * <p>The slot copy must be the worker's own (pid checked by the caller): a worker can only make the
 * master act on itself.
 */
final class RequestTimeouts {

    /** What to do about one worker's current request. */
    enum Kind { SLOW, TERMINATE }

    record Verdict(Kind kind, long pid, SlotSnapshot slot, long elapsedUs) {
    }

    static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(130);

    private final long terminateUs;
    private final long slowUs;
    private final Map<Long, Long> slowLoggedFor = new HashMap<>();
    private final Map<Long, Long> terminatedFor = new HashMap<>();

    RequestTimeouts(Duration terminate, Duration slowlog) {
        this.terminateUs = terminate.toNanos() / 1000;
        this.slowUs = slowlog.toNanos() / 1000;
    }

    boolean enabled() {
        return terminateUs > 0 || slowUs > 0;
    }

    /** PHP-FPM checks every min(terminate, slowlog)/3, never more often than every 130 ms. */
    Optional<Duration> checkInterval() {
        long min = Long.MAX_VALUE;
        for (long us : new long[] {terminateUs, slowUs}) {
            if (us > 0) {
                min = Math.min(min, us);
            }
        }
        if (min == Long.MAX_VALUE) {
            return Optional.empty();
        }
        Duration third = Duration.ofNanos(min * 1000 / 3);
        return Optional.of(third.compareTo(MIN_CHECK_INTERVAL) < 0 ? MIN_CHECK_INTERVAL : third);
    }

    /**
     * @param slots the serving workers' own slot copies by pid (unstable or foreign slots left out)
     * @param nowUs the time on the slots' clock
     */
    List<Verdict> check(Map<Long, SlotSnapshot> slots, long nowUs) {
        slowLoggedFor.keySet().retainAll(slots.keySet());
        terminatedFor.keySet().retainAll(slots.keySet());
        List<Verdict> out = new ArrayList<>();
        if (!enabled()) {
            return out;
        }
        slots.forEach((pid, s) -> {
            if (!isInRequest(s.stage()) || s.acceptedTimeUs() <= 0) {
                return;
            }
            long elapsed = nowUs - s.acceptedTimeUs();
            Long accepted = s.acceptedTimeUs();
            if (slowUs > 0 && elapsed > slowUs && !accepted.equals(slowLoggedFor.get(pid))) {
                slowLoggedFor.put(pid, accepted);
                out.add(new Verdict(Kind.SLOW, pid, s, elapsed));
            }
            if (terminateUs > 0 && elapsed > terminateUs && !accepted.equals(terminatedFor.get(pid))) {
                terminatedFor.put(pid, accepted);
                out.add(new Verdict(Kind.TERMINATE, pid, s, elapsed));
            }
        });
        return out;
    }

    static boolean isInRequest(RequestStage stage) {
        return stage == RequestStage.READING_HEADERS || stage == RequestStage.INFO
                || stage == RequestStage.EXECUTING;
    }
}
