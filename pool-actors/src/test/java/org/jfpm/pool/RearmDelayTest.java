package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RearmDelayTest {

    @Test
    void startsAt10msDoublesWithQuietReadablesAndStopsAt80ms() {
        long[] expected = {10, 20, 40, 80, 80, 80};
        for (int quiet = 0; quiet < expected.length; quiet++) {
            assertEquals(Duration.ofMillis(expected[quiet]), PoolActor.rearmDelay(quiet), "after " + quiet);
        }
        assertEquals(Duration.ofMillis(80), PoolActor.rearmDelay(Integer.MAX_VALUE));
    }
}
