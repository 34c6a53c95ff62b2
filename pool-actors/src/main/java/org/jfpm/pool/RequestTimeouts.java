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
 * the serving workers' slot copies and the master's monotonic time, which requests to log as slow and
 * which workers to kill. Each request is logged and terminated at most once.
 *
 * <p>Time: a request's age is measured on the master's own {@link System#nanoTime()} clock, from the
 * check at which the master first saw it open (a request is told from the next by the slot's
 * {@code requests} count and {@code accepted_us} changing). The worker's wall-clock
 * {@code accepted_us} only earns the request a head start of at most one check interval at that first
 * sighting (so a timeout is not late by up to an interval); a wall-clock step, or an
 * {@code accepted_us} forged far in the past, therefore cannot make any request look old.
 *
 * <p>Trust: the slot copy must be the worker's own (pid checked by the caller, {@link Child#ownSlot()}):
 * a worker can only make the master act on itself, and even then no sooner than a truthful worker
 * would (it can only look younger, by re-opening requests, which delays its own kill).
 */
final class RequestTimeouts {

    /** What to do about one worker's current request. */
    enum Kind { SLOW, TERMINATE }

    /** {@code elapsedUs}: the request's age on the master's clock. */
    record Verdict(Kind kind, long pid, SlotSnapshot slot, long elapsedUs) {
    }

    static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(130);

    /** The request a worker was last seen in: its identity in the slot, when the master saw it first, what was done. */
    private static final class Seen {
        final long requests;
        final long acceptedUs;
        final long sinceNanos;
        boolean slowLogged;
        boolean terminated;

        Seen(long requests, long acceptedUs, long sinceNanos) {
            this.requests = requests;
            this.acceptedUs = acceptedUs;
            this.sinceNanos = sinceNanos;
        }

        boolean same(SlotSnapshot s) {
            return s.requests() == requests && s.acceptedTimeUs() == acceptedUs;
        }
    }

    private final long terminateNanos;
    private final long slowNanos;
    private final long headStartNanos;
    private final Map<Long, Seen> seen = new HashMap<>();

    RequestTimeouts(Duration terminate, Duration slowlog) {
        this.terminateNanos = terminate.toNanos();
        this.slowNanos = slowlog.toNanos();
        this.headStartNanos = checkInterval().map(Duration::toNanos).orElse(0L);
    }

    boolean enabled() {
        return terminateNanos > 0 || slowNanos > 0;
    }

    /** PHP-FPM checks every min(terminate, slowlog)/3, never more often than every 130 ms. */
    Optional<Duration> checkInterval() {
        long min = Long.MAX_VALUE;
        for (long ns : new long[] {terminateNanos, slowNanos}) {
            if (ns > 0) {
                min = Math.min(min, ns);
            }
        }
        if (min == Long.MAX_VALUE) {
            return Optional.empty();
        }
        Duration third = Duration.ofNanos(min / 3);
        return Optional.of(third.compareTo(MIN_CHECK_INTERVAL) < 0 ? MIN_CHECK_INTERVAL : third);
    }

    /**
     * @param slots     the serving workers' own slot copies by pid (unstable or foreign slots left out)
     * @param nowNanos  the master's {@link System#nanoTime()}
     * @param wallNowUs the wall clock (µs since the epoch), only to credit a newly seen request with at
     *                  most one check interval of the age its slot claims
     */
    List<Verdict> check(Map<Long, SlotSnapshot> slots, long nowNanos, long wallNowUs) {
        seen.keySet().retainAll(slots.keySet());
        List<Verdict> out = new ArrayList<>();
        if (!enabled()) {
            return out;
        }
        slots.forEach((pid, s) -> {
            if (!isInRequest(s.stage())) {
                seen.remove(pid);
                return;
            }
            Seen r = seen.get(pid);
            if (r == null || !r.same(s)) {
                long claimedNanos = s.acceptedTimeUs() > 0 ? Math.max(0, wallNowUs - s.acceptedTimeUs()) * 1000 : 0;
                r = new Seen(s.requests(), s.acceptedTimeUs(), nowNanos - Math.min(claimedNanos, headStartNanos));
                seen.put(pid, r);
            }
            long elapsed = nowNanos - r.sinceNanos;
            if (slowNanos > 0 && elapsed > slowNanos && !r.slowLogged) {
                r.slowLogged = true;
                out.add(new Verdict(Kind.SLOW, pid, s, elapsed / 1000));
            }
            if (terminateNanos > 0 && elapsed > terminateNanos && !r.terminated) {
                r.terminated = true;
                out.add(new Verdict(Kind.TERMINATE, pid, s, elapsed / 1000));
            }
        });
        return out;
    }
    static boolean isInRequest(RequestStage stage) {
        return stage == RequestStage.READING_HEADERS || stage == RequestStage.INFO
                || stage == RequestStage.EXECUTING;
    }
}
