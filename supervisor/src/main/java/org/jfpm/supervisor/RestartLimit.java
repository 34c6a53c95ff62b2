package org.jfpm.supervisor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How often a failed pool actor is restarted: at most {@code max} times within {@code window};
 * one more failure in that window means the fault is not transient, and jfpm stops (exit 1) so that
 * its own supervisor (systemd, Kubernetes) can act. Pure state on the {@link System#nanoTime()} clock.
 */
final class RestartLimit {

    static final int MAX = 3;
    static final Duration WINDOW = Duration.ofSeconds(60);

    private final int max;
    private final long windowNanos;
    private final Deque<Long> restarts = new ArrayDeque<>();

    RestartLimit() {
        this(MAX, WINDOW);
    }

    RestartLimit(int max, Duration window) {
        this.max = max;
        this.windowNanos = window.toNanos();
    }

    /** Records a failure at {@code nowNanos}; true if the pool may be restarted. */
    boolean allowRestart(long nowNanos) {
        while (!restarts.isEmpty() && nowNanos - restarts.peekFirst() > windowNanos) {
            restarts.removeFirst();
        }
        if (restarts.size() >= max) {
            return false;
        }
        restarts.addLast(nowNanos);
        return true;
    }
}
