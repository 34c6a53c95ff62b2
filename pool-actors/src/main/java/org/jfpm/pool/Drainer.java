package org.jfpm.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Drains workers: old generations during a reload (as the new one becomes ready, see
 * {@link DrainDecision}), and busy workers during a graceful stop. A drained worker gets its
 * stop-signal once the request it was in is over, and SIGKILL {@code grace} after it was drained
 * whatever it does (through {@link Terminator}). Called from the pool actor only.
 */
final class Drainer {

    /** accounting = none: a new worker counts as ready for a reload's drain once it has lived this long. */
    static final Duration UNACCOUNTED_READY_AFTER = Duration.ofSeconds(1);

    private final Terminator terminator;
    private final Duration grace;
    /** Old-generation workers serving when the latest reload began. */
    private int oldAtReload;

    Drainer(Terminator terminator, Duration grace) {
        this.terminator = terminator;
        this.grace = grace;
    }

    /** A reload begins: every worker serving now is of an old generation. */
    void reloadBegins(Collection<Child> all) {
        oldAtReload = 0;
        for (Child c : all) {
            if (!c.leaving()) {
                oldAtReload++;
            }
        }
    }

    void drain(Child c, long nowNanos) {
        terminator.drain(c, grace, nowNanos, c.requestsSoFar());
    }

    /** Graceful stop: draining workers whose request is over get their stop-signal. */
    void stopStep(Collection<Child> all, long nowNanos) {
        for (Child c : all) {
            if (c.state() == Child.State.DRAINING && requestDone(c)) {
                terminator.retire(c, c.generation.config().stopSignal(), grace, nowNanos);
            }
        }
    }

    /**
     * One look during a reload: drain as many old workers as the new generation's readiness allows
     * (idle ones first), and send the stop-signal to drained ones whose request is over.
     *
     * @return false when no old-generation worker is left serving or draining
     */
    boolean reloadStep(Children children, Generation current, long nowNanos) {
        List<Child> oldServing = new ArrayList<>();
        List<Child> draining = new ArrayList<>();
        for (Child c : children.all()) {
            if (c.generation == current) {
                continue;
            }
            if (c.state() == Child.State.SERVING) {
                oldServing.add(c);
            } else if (c.state() == Child.State.DRAINING) {
                draining.add(c);
            }
        }
        if (oldServing.isEmpty() && draining.isEmpty()) {
            return false;
        }
        int ready = 0;
        boolean complete = children.spawnsInFlight(current.number()) == 0;
        for (Child c : children.of(current.number())) {
            if (c.leaving()) {
                continue;
            }
            if (isReady(c, nowNanos)) {
                ready++;
            } else {
                complete = false;
            }
        }
        boolean wantsNone = current.config().pm().mode() == org.jfpm.scoreboard.PmMode.ONDEMAND;
        int n = DrainDecision.toDrain(oldServing.size(), oldAtReload, ready, complete && (ready > 0 || wantsNone));
        oldServing.sort((a, b) -> Boolean.compare(!a.isIdle(), !b.isIdle()));
        for (int i = 0; i < n; i++) {
            drain(oldServing.get(i), nowNanos);
            draining.add(oldServing.get(i));
        }
        for (Child c : draining) {
            if (c.state() == Child.State.DRAINING && (!c.accounted() || requestDone(c))) {
                terminator.retire(c, c.generation.config().stopSignal(), grace, nowNanos);
            }
        }
        return true;
    }

    /** A new-generation worker is ready when it accepts (accounted pools) or has lived a while (accounting = none). */
    private static boolean isReady(Child c, long nowNanos) {
        if (!c.accounted()) {
            return nowNanos - c.process.spawnedAtNanos() >= UNACCOUNTED_READY_AFTER.toNanos();
        }
        return c.isIdle() || c.isInRequest();
    }

    /**
     * The request a draining worker was in when it was drained is over: it is idle, or it has
     * accepted another one since (a worker busy at every look must not keep taking connections until
     * its SIGKILL deadline; its stop-signal, php-cgi's TERM, lets it finish the one it is in).
     */
    private static boolean requestDone(Child c) {
        var s = c.ownSlot();
        return s == null || !RequestTimeouts.isInRequest(s.stage()) || s.requests() > c.requestsWhenDrained();
    }
}
