package org.jfpm.supervisor.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SortKey}: the orders the {@code s} key cycles through. */
class SortKeyTest {

    private static TopRow row(int slot, long pid, int rank, long requests, long durationUs, double cpu, long rss) {
        return new TopRow(slot, pid, rank == 0 ? "Running" : rank == 1 ? "Starting" : "Idle", rank, requests, durationUs,
                cpu, rss, "-");
    }

    private static final TopRow IDLE_3 = row(3, 300, 2, 50, 9_000_000, 20.0, 30_000_000);
    private static final TopRow BUSY_SHORT = row(1, 500, 0, 10, 1_000, Double.NaN, 10_000_000);
    private static final TopRow BUSY_LONG = row(4, 100, 0, 20, 5_000_000, Double.NaN, 50_000_000);
    private static final TopRow STARTING = row(2, 0, 1, 0, 0, Double.NaN, -1);
    private static final TopRow IDLE_0 = row(0, 400, 2, 70, 2_000, 90.0, 20_000_000);

    private static List<Integer> slots(SortKey key) {
        List<TopRow> rows = new ArrayList<>(List.of(IDLE_3, BUSY_SHORT, BUSY_LONG, STARTING, IDLE_0));
        rows.sort(key.order());
        return rows.stream().map(TopRow::slot).toList();
    }

    @Test
    void stateShowsBusyWorkersFirstLongestFirstThenStartingThenIdleBySlot() {
        assertEquals(List.of(4, 1, 2, 0, 3), slots(SortKey.STATE));
    }

    @Test
    void theOtherKeys() {
        assertEquals(List.of(2, 4, 3, 0, 1), slots(SortKey.PID));
        assertEquals(List.of(0, 3, 4, 1, 2), slots(SortKey.REQUESTS));
        assertEquals(List.of(3, 4, 0, 1, 2), slots(SortKey.DURATION));
        assertEquals(List.of(0, 3, 1, 2, 4), slots(SortKey.CPU), "busy workers (no cpu yet) last, by slot");
        assertEquals(List.of(4, 3, 0, 1, 2), slots(SortKey.RSS));
        assertEquals(List.of(0, 1, 2, 3, 4), slots(SortKey.SLOT));
    }

    @Test
    void sCyclesThroughEveryKeyAndWrapsAround() {
        List<SortKey> seen = new ArrayList<>();
        SortKey k = SortKey.STATE;
        for (int i = 0; i < SortKey.values().length; i++) {
            seen.add(k);
            k = k.next();
        }
        assertEquals(Arrays.asList(SortKey.values()), seen);
        assertEquals(SortKey.STATE, k);
    }

    @Test
    void keysAreNamedByTheirLabel() {
        assertEquals(SortKey.RSS, SortKey.named("RSS"));
        assertEquals(SortKey.DURATION, SortKey.named("duration"));
        assertNull(SortKey.named("colour"));
        assertEquals("state, pid, requests, duration, cpu, rss, slot", SortKey.labels());
    }
}
