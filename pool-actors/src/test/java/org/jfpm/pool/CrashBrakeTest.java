package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrashBrakeTest {

    private static final long S = 1_000_000_000L;

    @Test
    void thresholdAbnormalDeathsWithinTheIntervalAskForARestartOnce() {
        CrashBrake b = new CrashBrake(3, Duration.ofSeconds(10));
        assertFalse(b.workerDied(5 * S, true, 100 * S));
        assertFalse(b.workerDied(5 * S, true, 101 * S));
        assertTrue(b.workerDied(5 * S, true, 102 * S), "the third within 10 s");
        assertFalse(b.workerDied(5 * S, true, 103 * S), "the count starts again");
    }

    @Test
    void deathsOutsideTheIntervalOrNormalExitsDoNotCount() {
        CrashBrake b = new CrashBrake(2, Duration.ofSeconds(10));
        assertFalse(b.workerDied(5 * S, true, 100 * S));
        assertFalse(b.workerDied(5 * S, false, 101 * S), "an exit code is not abnormal");
        assertFalse(b.workerDied(5 * S, true, 111 * S), "the first one is 11 s old");
        assertTrue(b.workerDied(5 * S, true, 112 * S));
    }

    @Test
    void offWhenTheThresholdIsZero() {
        CrashBrake b = new CrashBrake(0, Duration.ZERO);
        for (int i = 0; i < 100; i++) {
            assertFalse(b.workerDied(5 * S, true, i * S));
        }
    }

    @Test
    void quickExitsStillBrakeRespawns() {
        CrashBrake b = new CrashBrake(0, Duration.ZERO);
        long now = 100 * S;
        for (int i = 0; i <= SpawnBackoff.FREE_CRASHES; i++) {
            b.workerDied(0, false, now);
        }
        assertFalse(b.allowsSpawnAt(now), "backoff after quick exits in a row");
        assertTrue(b.allowsSpawnAt(now + 20 * S));
    }
}
