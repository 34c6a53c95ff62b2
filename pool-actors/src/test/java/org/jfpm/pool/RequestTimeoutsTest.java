package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;

class RequestTimeoutsTest {

    @Test
    void checkIntervalIsAThirdOfTheShortestWithA130msFloor() {
        assertEquals(Optional.empty(), new RequestTimeouts(Duration.ZERO, Duration.ZERO).checkInterval());
        assertEquals(Optional.of(Duration.ofSeconds(1)),
                new RequestTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(9)).checkInterval());
        assertEquals(Optional.of(Duration.ofMillis(130)),
                new RequestTimeouts(Duration.ofMillis(100), Duration.ZERO).checkInterval());
    }

    @Test
    void inRequestStagesOnly() {
        assertTrue(RequestTimeouts.isInRequest(RequestStage.EXECUTING));
        assertTrue(!RequestTimeouts.isInRequest(RequestStage.ACCEPTING));
        assertTrue(new RequestTimeouts(Duration.ZERO, Duration.ZERO).check(Map.<Long, SlotSnapshot>of(), 0).isEmpty());
    }
}
