package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.api.Test;

/** {@link History} sampling the status page's snapshots, and {@code /api/history}'s JSON. */
class HistoryTest {

    private static PoolStatus withCounts(PoolStatus s, long spawned, long exited) {
        return new PoolStatus(s.identity(), s.header(), s.workers(), s.nowUs(), true, null, spawned, exited);
    }

    private static Map<String, Object> json(History h, String pool) {
        StringBuilder b = new StringBuilder();
        h.renderJson(pool, b);
        return MiniJson.object(b.toString());
    }

    @Test
    void aSampleCountsTheWorkersAsTheStatusPageDoesAndKeepsEachSlotsState() {
        PoolStatus first = withCounts(threeWorkers(40, 3).build(), 3, 0);
        PoolStatus later = threeWorkers(52, 0).build();
        List<WorkerStatus> workers = new ArrayList<>(later.workers());
        workers.set(2, WorkerStatus.unreadable(103, 2, 1, -1)); // its slot could not be read this time
        PoolStatus second = new PoolStatus(later.identity(), later.header(), workers, later.nowUs(), true, null, 4, 1);

        History h = new History();
        h.record(List.of(first), 1_000);
        h.record(List.of(second), 2_000);

        Map<String, Object> j = json(h, "www");
        assertEquals(List.of("pool", "interval ms", "capacity", "samples", "time", "idle", "active", "total", "listen queue",
                "accepted", "spawned", "exited", "totals", "workers"), List.copyOf(j.keySet()), "keys in this order");
        assertEquals("www", j.get("pool"));
        assertEquals(1000L, j.get("interval ms"));
        assertEquals(600L, j.get("capacity"));
        assertEquals(2L, j.get("samples"));
        assertEquals(List.of(1000L, 2000L), j.get("time"));
        assertEquals(List.of(1L, 1L), j.get("idle"));
        assertEquals(List.of(2L, 2L), j.get("active"));
        assertEquals(List.of(3L, 3L), j.get("total"));
        assertEquals(List.of(3L, 0L), j.get("listen queue"));
        assertEquals(List.of(0L, 12L), j.get("accepted"));
        assertEquals(List.of(0L, 1L), j.get("spawned"));
        assertEquals(List.of(0L, 1L), j.get("exited"));
        assertEquals(Map.of("accepted conn", 52L, "spawned", 4L, "exited", 1L), j.get("totals"));
        assertEquals(List.of(
                Map.of("slot", 0L, "pid", 101L, "now", true, "states", "ii"),
                Map.of("slot", 1L, "pid", 102L, "now", true, "states", "bb"),
                Map.of("slot", 2L, "pid", 103L, "now", true, "states", "su")), j.get("workers"));
    }

    /** An idle, a running and a starting worker, in slots 0, 1, 2. */
    private static Fixtures threeWorkers(long accepted, long listenQueue) {
        Fixtures f = Fixtures.pool("www");
        f.accepted = accepted;
        f.listenQueue = listenQueue;
        return f.idle(101).running(102).worker(103, RequestStage.STARTING, 0, 0, "-", "-", "", "", "", 0, 0, 0, -1);
    }

    @Test
    void aPoolWithNoSampleYetHasEmptySeries() {
        Map<String, Object> j = json(new History(), "www");
        assertEquals(0L, j.get("samples"));
        assertEquals(List.of(), j.get("time"));
        assertEquals(List.of(), j.get("idle"));
        assertEquals(List.of(), j.get("workers"));
        assertEquals(Map.of("accepted conn", -1L, "spawned", -1L, "exited", -1L), j.get("totals"));
    }

    @Test
    void aPoolNoLongerListedLosesItsHistory() {
        History h = new History();
        h.record(List.of(Fixtures.pool("www").build(), Fixtures.pool("api").build()), 1_000);
        assertTrue(h.has("api"));
        h.record(List.of(Fixtures.pool("www").build()), 2_000);
        assertFalse(h.has("api"));
        assertEquals(2L, json(h, "www").get("samples"));
    }

    @Test
    void aNameListedTwiceIsSampledFromTheConfiguredPoolListedFirst() {
        PoolStatus configured = Fixtures.pool("www").idle(300).build();
        PoolStatus draining = Fixtures.pool("www").running(200).running(201).build();
        History h = new History();
        h.record(List.of(configured, draining), 1_000);
        Map<String, Object> j = json(h, "www");
        assertEquals(List.of(1L), j.get("total"));
        assertEquals(List.of(1L), j.get("idle"));
    }

    @Test
    void theWindowHoldsTenMinutesOfSamples() {
        History h = new History();
        PoolStatus s = Fixtures.pool("www").idle(1).build();
        for (int i = 0; i < 700; i++) {
            h.record(List.of(s), 1_000L * i);
        }
        Map<String, Object> j = json(h, "www");
        assertEquals(600L, j.get("samples"));
        List<?> time = (List<?>) j.get("time");
        assertEquals(100_000L, time.get(0));
        assertEquals(699_000L, time.get(599));
        Map<?, ?> lane = (Map<?, ?>) ((List<?>) j.get("workers")).get(0);
        assertEquals("i".repeat(600), lane.get("states"));
    }

    @Test
    void errorsNameTheProblemAndThePools() {
        Map<String, Object> j = MiniJson.object(HistoryApi.error("no pool named 'x\"y'", List.of("www", "api")));
        assertEquals("no pool named 'x\"y'", j.get("error"));
        assertEquals(List.of("www", "api"), j.get("pools"));
    }
}
