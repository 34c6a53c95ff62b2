package org.jfpm.pool;

import java.time.Duration;
import org.jfpm.os.NativeException;
import org.jfpm.os.Signals;
import org.slf4j.Logger;

/**
 * The one place that stops workers: the stop-signal (or another) now, then SIGKILL once the
 * deadline passes ({@link #killOverdue}, called on every tick). Signals go through the child's
 * pidfd, so they can never reach a recycled pid.
 */
final class Terminator {

    private final Logger log;
    private final String tag;

    Terminator(Logger log, String tag) {
        this.log = log;
        this.tag = tag;
    }

    /** Sends {@code signal} now and schedules SIGKILL after {@code grace}. */
    void retire(Child c, int signal, Duration grace, long nowNanos) {
        if (c.state() == Child.State.KILLED) {
            return;
        }
        c.moveTo(Child.State.RETIRING, nowNanos + grace.toNanos());
        send(c, signal);
    }

    /**
     * Marks a draining worker: it is retired ({@link #retire}) once the request it is in is over, and
     * killed at the deadline whatever it does.
     */
    void drain(Child c, Duration grace, long nowNanos, long requestsSoFar) {
        if (c.state() == Child.State.SERVING) {
            c.drainAfter(requestsSoFar);
            c.moveTo(Child.State.DRAINING, nowNanos + grace.toNanos());
        }
    }

    void kill(Child c) {
        if (c.state() != Child.State.KILLED) {
            c.moveTo(Child.State.KILLED, 0);
            send(c, Signals.SIGKILL);
        }
    }

    /** SIGKILL for every child whose deadline has passed. */
    void killOverdue(Iterable<Child> children, long nowNanos) {
        for (Child c : children) {
            if (c.leaving() && c.state() != Child.State.KILLED && nowNanos - c.deadlineNanos() >= 0) {
                log.warn("{} child {} still alive after its stop deadline; sending SIGKILL", tag, c.pid());
                kill(c);
            }
        }
    }

    private void send(Child c, int signal) {
        try {
            c.process.signal(signal);
        } catch (NativeException e) {
            log.error("{} cannot send {} to child {}: {}", tag, Signals.name(signal), c.pid(), e.getMessage());
        }
    }
}
