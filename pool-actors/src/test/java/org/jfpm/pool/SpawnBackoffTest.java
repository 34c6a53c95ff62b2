package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpawnBackoffTest {

    private static final long MS = 1_000_000L;

    @Test
    void theFirstQuickExitsAreFree() {
        SpawnBackoff b = SpawnBackoff.none();
        for (int i = 0; i < SpawnBackoff.FREE_CRASHES; i++) {
            b = b.afterExit(10 * MS, 0);
            assertTrue(b.allowsSpawnAt(0), "crash " + (i + 1) + " should not delay");
        }
    }

    @Test
    void delaysDoubleAfterTheFreeCrashesAndAreCapped() {
        SpawnBackoff b = SpawnBackoff.none();
        long now = 1_000 * MS;
        long[] expected = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
        for (int i = 0; i < SpawnBackoff.FREE_CRASHES; i++) {
            b = b.afterExit(0, now);
        }
        for (long ms : expected) {
            b = b.afterExit(0, now);
            assertEquals(ms * MS, b.delayNanos(now));
            assertFalse(b.allowsSpawnAt(now + ms * MS - 1));
            assertTrue(b.allowsSpawnAt(now + ms * MS));
        }
    }

    @Test
    void aWorkerThatLivedResetsTheStreak() {
        SpawnBackoff b = SpawnBackoff.none();
        for (int i = 0; i < 5; i++) {
            b = b.afterExit(0, 0);
        }
        b = b.afterExit(SpawnBackoff.QUICK_EXIT_NANOS, 0);
        assertEquals(0, b.crashes());
        assertTrue(b.allowsSpawnAt(0));
    }
}
