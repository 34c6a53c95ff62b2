package org.jfpm.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Bounded waits: every wait in these tests is a poll with a deadline that fails with a description
 * of what was awaited and a dump of the state (log tail, scoreboard) — never a sleep-and-hope.
 */
final class Poll {

    static final Duration INTERVAL = Duration.ofMillis(25);

    private Poll() {
    }

    /** Thrown by a condition that can never hold any more (e.g. the process exited): fail at once. */
    static final class Abort extends RuntimeException {
        Abort(String message) {
            super(message);
        }
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} has passed. A condition that throws
     * counts as "not yet" (its last exception is part of the failure message), except {@link Abort},
     * which fails at once.
     *
     * @param describe what was awaited, for the failure message
     * @param dump     the state to show when the wait fails
     */
    static void until(BooleanSupplier condition, Duration timeout, Supplier<String> describe, Supplier<String> dump) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (Abort e) {
                throw new AssertionError("gave up waiting for: " + describe.get() + ": " + e.getMessage() + "\n" + dump.get(), e);
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder msg = new StringBuilder("timed out after ").append(timeout.toMillis())
                        .append(" ms waiting for: ").append(describe.get());
                if (last != null) {
                    msg.append("\nlast exception: ").append(last);
                }
                msg.append("\n").append(dump.get());
                AssertionError error = new AssertionError(msg.toString());
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            sleep(INTERVAL);
        }
    }

    static void until(BooleanSupplier condition, Duration timeout, String describe) {
        until(condition, timeout, () -> describe, () -> "");
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
