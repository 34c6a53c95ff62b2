package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryRingTest {

    /** One sample with no worker: only the counts and counters. */
    private static void sample(HistoryRing r, long t, long idle, long active, long queue, long accepted, long spawned, long exited) {
        r.begin(t);
        r.end(idle, active, idle + active, queue, accepted, spawned, exited);
    }

    private static List<Long> times(HistoryRing r) {
        List<Long> t = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            t.add(r.time(i));
        }
        return t;
    }

    private static String lane(HistoryRing r, int lane) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < r.size(); i++) {
            b.append(HistoryRing.stateChar(r.state(lane, i)));
        }
        return b.toString();
    }

    @Test
    void anEmptyRingHasNoSampleAndNoLane() {
        HistoryRing r = new HistoryRing(600, 4);
        assertEquals(0, r.size());
        assertEquals(0, r.lanes());
        assertEquals(600, r.capacity());
        assertEquals(-1, r.acceptedTotal());
        assertThrows(IndexOutOfBoundsException.class, () -> r.time(0));
    }

    @Test
    void keepsTheNewestSamplesOldestFirstOnceFull() {
        HistoryRing r = new HistoryRing(3, 0);
        for (long t = 1; t <= 5; t++) {
            sample(r, t * 1000, t, 10 * t, t, 0, 0, 0);
        }
        assertEquals(3, r.size());
        assertEquals(List.of(3000L, 4000L, 5000L), times(r));
        assertEquals(3, r.idle(0));
        assertEquals(50, r.active(2));
        assertEquals(55, r.total(2));
        assertEquals(5, r.listenQueue(2));
        assertThrows(IndexOutOfBoundsException.class, () -> r.time(3));
    }

    @Test
    void storesCountersAsTheIncreaseSinceThePreviousSample() {
        HistoryRing r = new HistoryRing(10, 0);
        sample(r, 1000, 0, 0, 0, 100, 2, 0);
        sample(r, 2000, 0, 0, 0, 130, 2, 0);
        sample(r, 3000, 0, 0, 0, 130, 5, 1);
        assertEquals(0, r.accepted(0), "the first sample has nothing to compare with");
        assertEquals(30, r.accepted(1));
        assertEquals(0, r.accepted(2));
        assertEquals(3, r.spawned(2));
        assertEquals(1, r.exited(2));
        assertEquals(130, r.acceptedTotal());
        assertEquals(5, r.spawnedTotal());
        assertEquals(1, r.exitedTotal());
    }

    @Test
    void aCounterThatWentDownCountsFromZero() {
        HistoryRing r = new HistoryRing(10, 0);
        sample(r, 1000, 0, 0, 0, 500, 0, 0);
        sample(r, 2000, 0, 0, 0, 7, 0, 0); // a pool actor started again: its counters too
        assertEquals(7, r.accepted(1));
    }

    @Test
    void negativeAndHugeValuesAreClamped() {
        HistoryRing r = new HistoryRing(2, 0);
        r.begin(1);
        r.end(-3, Long.MAX_VALUE, -1, -9, -1, -1, -1);
        assertEquals(0, r.idle(0));
        assertEquals(Integer.MAX_VALUE, r.active(0));
        assertEquals(0, r.total(0));
        assertEquals(0, r.listenQueue(0));
        assertEquals(0, r.accepted(0));
    }

    @Test
    void eachLaneKeepsItsWorkersStatePerSample() {
        HistoryRing r = new HistoryRing(5, 2);
        r.begin(1000);
        r.worker(0, 11, HistoryRing.STARTING);
        r.end(0, 1, 1, 0, 0, 1, 0);
        r.begin(2000);
        r.worker(0, 11, HistoryRing.IDLE);
        r.worker(1, 12, HistoryRing.BUSY);
        r.end(1, 1, 2, 0, 0, 2, 0);
        r.begin(3000);
        r.worker(1, 12, HistoryRing.UNKNOWN);
        r.end(0, 1, 1, 0, 0, 2, 1);
        assertEquals(2, r.lanes());
        assertEquals("si-", lane(r, 0), "a lane no worker is in reads empty");
        assertEquals("-bu", lane(r, 1));
        assertEquals(11, r.lanePid(0));
        assertEquals(12, r.lanePid(1));
        assertFalse(r.laneOccupied(0));
        assertTrue(r.laneOccupied(1));
    }

    @Test
    void aLaneWithTwoWorkersShowsTheStrongerStateAndTheFirstPid() {
        HistoryRing r = new HistoryRing(5, 1);
        r.begin(1000);
        r.worker(0, 21, HistoryRing.IDLE); // the new generation's, listed first
        r.worker(0, 7, HistoryRing.BUSY); // the old generation's, draining in the same slot number
        r.end(1, 1, 2, 0, 0, 0, 0);
        assertEquals("b", lane(r, 0));
        assertEquals(21, r.lanePid(0));
    }

    @Test
    void aLanePastTheTableGrowsItAndOlderSamplesReadEmptyThere() {
        HistoryRing r = new HistoryRing(4, 1);
        r.begin(1000);
        r.worker(0, 1, HistoryRing.IDLE);
        r.end(1, 0, 1, 0, 0, 0, 0);
        r.begin(2000);
        r.worker(0, 1, HistoryRing.IDLE);
        r.worker(9, 2, HistoryRing.BUSY);
        r.end(1, 1, 2, 0, 0, 0, 0);
        assertEquals(10, r.lanes());
        assertEquals("ii", lane(r, 0));
        assertEquals("-b", lane(r, 9));
        assertEquals("--", lane(r, 5));
        r.worker(HistoryRing.MAX_LANES, 3, HistoryRing.BUSY); // outside a sample, and past any scoreboard: ignored
        assertEquals(10, r.lanes());
    }

    @Test
    void wrappingOverwritesTheOldestLaneStates() {
        HistoryRing r = new HistoryRing(2, 1);
        byte[] states = {HistoryRing.BUSY, HistoryRing.IDLE, HistoryRing.STARTING};
        for (int i = 0; i < states.length; i++) {
            r.begin(i);
            r.worker(0, 5, states[i]);
            r.end(0, 0, 0, 0, 0, 0, 0);
        }
        assertEquals("is", lane(r, 0));
    }

    @Test
    void recordingASampleAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        HistoryRing r = new HistoryRing(600, 64);
        Runnable tenThousand = () -> {
            for (int i = 0; i < 10_000; i++) {
                r.begin(i);
                for (int w = 0; w < 32; w++) {
                    r.worker(w, 1000 + w, (w + i) % 3 == 0 ? HistoryRing.BUSY : HistoryRing.IDLE);
                }
                r.end(20, 12, 32, i % 7, i * 3L, i / 100, i / 200);
            }
        };
        tenThousand.run(); // warm up (and let the JIT settle)
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        tenThousand.run();
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 4096, "10 000 samples of 32 workers allocated " + allocated + " bytes");
    }
}
