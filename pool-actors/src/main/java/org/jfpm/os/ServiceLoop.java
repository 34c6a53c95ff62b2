package org.jfpm.os;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The loop of an OS service thread (reaper, readiness watcher): runs rounds until closed. A failed
 * round is logged and the loop goes on; after {@code maxFailuresInARow} failed rounds in a row, or on
 * an {@link Error}, the thread gives up and {@code onDeath} runs on it with the cause (after
 * {@code cleanup}).
 */
final class ServiceLoop {

    private ServiceLoop() {
    }

    static void run(String what, Logger log, int maxFailuresInARow, BooleanSupplier closed, Runnable round,
                    Runnable cleanup, Consumer<Throwable> onDeath) {
        Throwable death = null;
        int failuresInARow = 0;
        try {
            while (!closed.getAsBoolean()) {
                try {
                    round.run();
                    failuresInARow = 0;
                } catch (RuntimeException e) {
                    if (++failuresInARow >= maxFailuresInARow) {
                        throw e;
                    }
                    log.error("{} round failed ({} in a row); going on", what, failuresInARow, e);
                }
            }
        } catch (RuntimeException | Error e) {
            death = e;
            log.error("{} thread died", what, e);
        } finally {
            cleanup.run();
            if (death != null) {
                try {
                    onDeath.accept(death);
                } catch (RuntimeException | Error e) {
                    log.error("{} death callback failed", what, e);
                }
            }
        }
    }
}
