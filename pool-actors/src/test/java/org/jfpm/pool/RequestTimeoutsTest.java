package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;

/** RequestTimeouts as pure logic: the master's nanoTime is a plain number here, the wall clock another. */
class RequestTimeoutsTest {

    private static final long PID = 4242;
    private static final long S = 1_000_000_000L;
    private static final long WALL = 1_795_797_334_000_000L;

    private static SlotSnapshot slot(RequestStage stage, long requests, long acceptedUs) {
        return new SlotSnapshot(0, true, PID, 1, stage, WALL - 60_000_000L, acceptedUs, acceptedUs, requests, 0, 0, 0, 0,
                "GET", "/slow.php", "", "/var/www/slow.php", "");
    }

    private static List<RequestTimeouts.Kind> kinds(List<RequestTimeouts.Verdict> verdicts) {
        return verdicts.stream().map(RequestTimeouts.Verdict::kind).toList();
    }

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
        assertTrue(new RequestTimeouts(Duration.ZERO, Duration.ZERO).check(Map.<Long, SlotSnapshot>of(), 0, 0).isEmpty());
    }

    @Test
    void aWallClockStepTerminatesNothing() {
        RequestTimeouts t = new RequestTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5));
        Map<Long, SlotSnapshot> busy = Map.of(PID, slot(RequestStage.EXECUTING, 1, WALL));
        long nanos = 77 * S; // any origin: nanoTime is not the epoch
        assertEquals(List.of(), t.check(busy, nanos, WALL));
        // the wall clock jumps an hour ahead (NTP step, a VM resumed) one second later
        assertEquals(List.of(), t.check(busy, nanos + S, WALL + 3_600_000_000L + 1_000_000L));
        assertEquals(List.of(), t.check(busy, nanos + 4 * S, WALL + 3_600_000_000L + 4_000_000L));
        // ... and backwards
        assertEquals(List.of(), t.check(busy, nanos + 4 * S + 1, WALL - 3_600_000_000L));
        // the request really ages on the master's clock: slow after 5 s, terminated after 10 s, once each
        assertEquals(List.of(RequestTimeouts.Kind.SLOW), kinds(t.check(busy, nanos + 5 * S + 1, WALL)));
        assertEquals(List.of(), t.check(busy, nanos + 9 * S, WALL));
        List<RequestTimeouts.Verdict> kill = t.check(busy, nanos + 10 * S + 1, WALL);
        assertEquals(List.of(RequestTimeouts.Kind.TERMINATE), kinds(kill));
        assertEquals(10_000_000L, kill.get(0).elapsedUs());
        assertEquals(List.of(), t.check(busy, nanos + 20 * S, WALL));
    }

    @Test
    void aForgedAcceptedTimeInThePastEarnsAtMostOneCheckInterval() {
        RequestTimeouts t = new RequestTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(3)); // interval 1 s
        Map<Long, SlotSnapshot> forged = Map.of(PID, slot(RequestStage.EXECUTING, 1, 1)); // "accepted in 1970"
        assertEquals(List.of(), t.check(forged, 0, WALL));
        assertEquals(List.of(), t.check(forged, S, WALL));
        assertEquals(List.of(), t.check(forged, 2 * S - 1, WALL));
        // 2 s seen + the 1 s head start: it has now been open 3 s as far as the master can tell
        assertEquals(List.of(RequestTimeouts.Kind.SLOW, RequestTimeouts.Kind.TERMINATE), kinds(t.check(forged, 2 * S + 1, WALL)));
    }

    @Test
    void aTruthfulAcceptedTimeIsCreditedUpToOneIntervalSoTimeoutsAreNotLate() {
        RequestTimeouts t = new RequestTimeouts(Duration.ofSeconds(3), Duration.ZERO); // interval 1 s
        Map<Long, SlotSnapshot> busy = Map.of(PID, slot(RequestStage.EXECUTING, 1, WALL - 500_000L)); // opened 0.5 s ago
        assertEquals(List.of(), t.check(busy, 0, WALL));
        assertEquals(List.of(), t.check(busy, 2 * S + 400_000_000L, WALL + 2_400_000L));
        assertEquals(List.of(RequestTimeouts.Kind.TERMINATE), kinds(t.check(busy, 2 * S + 600_000_000L, WALL + 2_600_000L)));
    }

    @Test
    void eachRequestIsTimedFromWhenTheMasterFirstSawIt() {
        RequestTimeouts t = new RequestTimeouts(Duration.ZERO, Duration.ofSeconds(2));
        assertEquals(List.of(), t.check(Map.of(PID, slot(RequestStage.EXECUTING, 1, WALL)), 0, WALL));
        assertEquals(List.of(RequestTimeouts.Kind.SLOW),
                kinds(t.check(Map.of(PID, slot(RequestStage.EXECUTING, 1, WALL)), 3 * S, WALL + 3_000_000L)));
        // idle, then the next request (requests + 1): a new clock, and it may be logged again
        assertEquals(List.of(), t.check(Map.of(PID, slot(RequestStage.ACCEPTING, 1, WALL)), 4 * S, WALL + 4_000_000L));
        assertEquals(List.of(), t.check(Map.of(PID, slot(RequestStage.EXECUTING, 2, WALL + 4_000_000L)), 5 * S, WALL + 5_000_000L));
        assertEquals(List.of(RequestTimeouts.Kind.SLOW),
                kinds(t.check(Map.of(PID, slot(RequestStage.EXECUTING, 2, WALL + 4_000_000L)), 7 * S + 1, WALL + 7_000_000L)));
        // a request seen only while open, never idle in between, is still told apart by its count
        assertEquals(List.of(), t.check(Map.of(PID, slot(RequestStage.EXECUTING, 3, WALL + 7_000_000L)), 7 * S + 2, WALL + 7_000_000L));
    }
}
