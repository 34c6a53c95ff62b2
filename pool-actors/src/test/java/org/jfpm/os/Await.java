package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for tests: poll a condition until a deadline, then fail with a description. */
final class Await {
    private Await() {
    }

    static void until(Duration timeout, BooleanSupplier condition, Supplier<String> whatWasExpected) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + timeout.toMillis() + " ms: " + whatWasExpected.get());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + whatWasExpected.get());
            }
        }
    }

    /** Stays true for the whole window (for asserting that something does NOT happen). */
    static void holdsFor(Duration window, BooleanSupplier condition, Supplier<String> whatWasExpected) {
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            if (!condition.getAsBoolean()) {
                fail("expected for " + window.toMillis() + " ms: " + whatWasExpected.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }
}
