package org.jfpm.supervisor.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link RateMeter}: req/s between refreshes, and no rate where there is nothing to compare. */
class RateMeterTest {

    private static final long S = 1_000_000_000L;
    private final RateMeter meter = new RateMeter();

    @Test
    void theFirstSampleHasNoRateAndTheNextOnesDoublesPerSecond() {
        assertTrue(Double.isNaN(meter.update("www", "a", 100, 0)));
        assertEquals(10.0, meter.update("www", "a", 110, S), 1e-9);
        assertEquals(2.5, meter.update("www", "a", 115, 3 * S), 1e-9);
        assertEquals(0.0, meter.update("www", "a", 115, 4 * S), 1e-9);
    }

    @Test
    void poolsAreMeasuredApart() {
        meter.update("www", "a", 0, 0);
        meter.update("api", "b", 1000, 0);
        assertEquals(5.0, meter.update("www", "a", 5, S), 1e-9);
        assertEquals(0.0, meter.update("api", "b", 1000, S), 1e-9);
    }

    @Test
    void aCounterThatWentDownRestartsTheMeasurement() {
        meter.update("www", "a", 500, 0);
        assertTrue(Double.isNaN(meter.update("www", "a", 3, S)), "a worker scribbled the counter");
        assertEquals(7.0, meter.update("www", "a", 10, 2 * S), 1e-9);
    }

    @Test
    void aNewScoreboardFileRestartsTheMeasurement() {
        meter.update("www", "gen1", 500, 0);
        assertTrue(Double.isNaN(meter.update("www", "gen2", 900, S)), "a reload made a new file");
        assertEquals(1.0, meter.update("www", "gen2", 901, 2 * S), 1e-9);
    }

    @Test
    void aRefreshForcedRightAfterTheLastKeepsTheLastRate() {
        meter.update("www", "a", 0, 0);
        assertEquals(4.0, meter.update("www", "a", 4, S), 1e-9);
        assertEquals(4.0, meter.update("www", "a", 9, S + RateMeter.MIN_SPAN_NANOS / 2), 1e-9);
        assertEquals(6.0, meter.update("www", "a", 10, 2 * S), 1e-9, "measured from the last kept sample");
    }

    @Test
    void aForgottenPoolStartsOver() {
        meter.update("www", "a", 0, 0);
        meter.forget("www");
        assertTrue(Double.isNaN(meter.update("www", "a", 10, S)));
    }
}
