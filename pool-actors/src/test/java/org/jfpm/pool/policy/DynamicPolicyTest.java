package org.jfpm.pool.policy;

import static org.jfpm.pool.policy.Fixtures.T0;
import static org.jfpm.pool.policy.Fixtures.busy;
import static org.jfpm.pool.policy.Fixtures.dynamicPm;
import static org.jfpm.pool.policy.Fixtures.idle;
import static org.jfpm.pool.policy.Fixtures.retiring;
import static org.jfpm.pool.policy.Fixtures.seconds;
import static org.jfpm.pool.policy.Fixtures.starting;
import static org.jfpm.pool.policy.Fixtures.unaccounted;
import static org.jfpm.pool.policy.Fixtures.view;
import static org.jfpm.pool.policy.Fixtures.wornOut;
import static org.jfpm.pool.policy.Row.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.jfpm.pool.PmConfig;
import org.jfpm.pool.ShrinkMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DynamicPolicyTest {

    /** max 10, start 3, min-spare 2, max-spare 4, max-spawn-rate 32. */
    private static final PmConfig PM = dynamicPm(10, 3, 2, 4, 32, 0);
    private static final PmConfig BIG = dynamicPm(50, 20, 10, 30, 32, 0);
    private static final PmConfig SLOW_RATE = dynamicPm(10, 3, 2, 4, 4, 0);
    private static final PmConfig RECYCLING = dynamicPm(10, 3, 2, 4, 32, 100);
    /** max 10, start 2, min-spare 1, max-spare 2: pm.shrink = fast (the default) and gradual. */
    private static final PmConfig FAST = dynamicPm(10, 2, 1, 2, 32, 0);
    private static final PmConfig GRADUAL = FAST.withShrink(ShrinkMode.GRADUAL);
    private static final String REACHED = "WARNING [pool www] server reached pm.max_children setting (10), consider raising it";

    private static final Policy FRESH = DynamicPolicy.initial();

    private static Policy started(int rate) {
        return DynamicPolicy.startedWith(T0 - seconds(1), rate, false);
    }

    private static Policy quietSince(double secondsAgo) {
        return DynamicPolicy.startedWith(T0 - seconds(secondsAgo), 1, false);
    }

    static Stream<Row> rows() {
        return Stream.of(
                row("start: spawns start-servers", FRESH, view(PM), false, "spawn 3"),
                row("start on a tick: start-servers only (they will be idle)", FRESH, view(PM), true, "spawn 3"),
                row("start with connections waiting: the fast path adds what start-servers does not cover", FRESH,
                        view(PM).waiting(5), false, "spawn 3", "spawn 2"),
                row("first decision with workers already there: no start spawn", FRESH,
                        view(PM, idle(1, 1), idle(2, 1), idle(3, 1)), false),
                row("tick, idle between the spares: nothing", started(4),
                        view(PM, idle(1, 1), idle(2, 1), idle(3, 1), busy(4)), true),
                row("fast shrink: 8 idle, max-spare 2: bury the 6 idle longest on one tick, longest first", started(1),
                        view(FAST, idle(1, 3, 600), idle(2, 40, 50), idle(3, 5, 60), idle(4, 9, 70), idle(5, 1.5, 80),
                                idle(6, 2, 90), idle(7, 7, 95), idle(8, 20, 99)), true,
                        "bury 2 GRACEFUL", "bury 8 GRACEFUL", "bury 4 GRACEFUL", "bury 7 GRACEFUL", "bury 3 GRACEFUL",
                        "bury 1 GRACEFUL"),
                row("fast shrink: busy workers do not count; only the idle above max-spare go", started(1),
                        view(FAST, busy(1), busy(2), idle(3, 4), idle(4, 6), idle(5, 2), busy(6), idle(7, 3)), true,
                        "bury 4 GRACEFUL", "bury 3 GRACEFUL"),
                row("fast shrink: a worker idle for less than a tick is kept, and so is every one idle for less", started(1),
                        view(FAST, idle(1, 10), idle(2, 0.9), idle(3, 3), idle(4, 0.2), idle(5, 0.5)), true,
                        "bury 1 GRACEFUL", "bury 3 GRACEFUL"),
                row("fast shrink: idle for exactly one tick is enough", started(1),
                        view(FAST, idle(1, 1), idle(2, 1), idle(3, 1)), true, "bury 1 GRACEFUL"),
                row("fast shrink: every worker above max-spare idle for less than a tick: nothing yet", started(1),
                        view(FAST, idle(1, 0.3), idle(2, 0.4), idle(3, 0.1), idle(4, 0.99)), true),
                row("fast shrink: never while connections wait", started(1),
                        view(FAST, idle(1, 9), idle(2, 9), idle(3, 9), idle(4, 9), idle(5, 9)).waiting(1), true),
                row("fast shrink: never between ticks", started(1),
                        view(FAST, idle(1, 9), idle(2, 9), idle(3, 9), idle(4, 9), idle(5, 9)), false),
                row("gradual shrink (PHP-FPM): 8 idle, max-spare 2: bury ONE, the longest idle", started(1),
                        view(GRADUAL, idle(1, 3, 600), idle(2, 40, 50), idle(3, 5, 60), idle(4, 9, 70), idle(5, 1.5, 80),
                                idle(6, 2, 90), idle(7, 7, 95), idle(8, 20, 99)), true, "bury 2 GRACEFUL"),
                row("gradual shrink: no minimum idle time, as before", started(1),
                        view(GRADUAL, idle(1, 0.3), idle(2, 0.4), idle(3, 0.1)), true, "bury 2 GRACEFUL"),
                row("tick, idle > max-spare: bury ONE, the longest idle, not the oldest started", started(1),
                        view(PM, idle(1, 2, 600), idle(2, 40, 50), idle(3, 5, 60), idle(4, 9, 70), idle(5, 1, 80)),
                        true, "bury 2 GRACEFUL"),
                row("idle > max-spare but connections wait: no bury", started(1),
                        view(PM, idle(1, 2), idle(2, 40), idle(3, 5), idle(4, 9), idle(5, 1)).waiting(1), true),
                row("no bury for idleness between ticks", started(1),
                        view(PM, idle(1, 2), idle(2, 40), idle(3, 5), idle(4, 9), idle(5, 1), idle(6, 7)), false),
                row("retiring idle workers count for nothing", started(1),
                        view(PM, idle(1, 9), idle(2, 9), idle(3, 9), retiring(idle(4, 60)), retiring(idle(5, 60))),
                        true),
                row("tick, idle < min-spare: spawn rate (1)", started(1),
                        view(PM, idle(1, 1), busy(2), busy(3), busy(4)), true, "spawn 1"),
                row("tick, rate 4 but shortfall 2: spawn 2", started(4),
                        view(PM, busy(1), busy(2), busy(3), busy(4)), true, "spawn 2"),
                row("tick, rate 8: seems busy, PHP-FPM's words, with the count actually spawned", started(8),
                        view(BIG, busyWorkers(20)), true,
                        "WARNING [pool www] seems busy (you may need to increase pm.start_servers, or"
                                + " pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 20 total children",
                        "spawn 8"),
                row("tick: starting workers and pending spawns will be idle: no overshoot", started(4),
                        view(PM, starting(1), busy(2), busy(3)).pending(1), true),
                row("tick at max-children: counted and logged once", started(2),
                        view(PM, busyWorkers(10)), true, "max-children 10", REACHED),
                row("tick at max-children, episode already counted: silent",
                        DynamicPolicy.startedWith(T0 - seconds(1), 1, true), view(PM, busyWorkers(10)), true),
                row("fast path: 5 waiting, none idle: spawn 5 at once, between ticks", started(1),
                        view(PM, busy(1), busy(2), busy(3), busy(4)).waiting(5), false, "spawn 5"),
                row("fast path: waiting covered by a starting worker and pending spawns", started(1),
                        view(PM, busy(1), busy(2), busy(3), starting(4)).pending(2).waiting(3), false),
                row("fast path: only the uncovered part", started(1),
                        view(PM, busy(1), busy(2), busy(3), starting(4)).pending(1).waiting(5), false, "spawn 3"),
                row("fast path: readable without a queue length spawns one", started(1),
                        view(PM, busy(1), busy(2), busy(3), busy(4)).readable(), false, "spawn 1"),
                row("fast path: readable with an idle worker: it will take the connection", started(1),
                        view(PM, idle(1, 0.5), busy(2), busy(3), busy(4)).readable(), false),
                row("fast path: capped by max-children", started(1),
                        view(PM, busyWorkers(8)).waiting(5), false, "spawn 2"),
                row("fast path at max-children: counted and logged once", started(1),
                        view(PM, busyWorkers(10)).waiting(3), false, "max-children 10", REACHED),
                row("fast path: capped by max-spawn-rate", started(1),
                        view(SLOW_RATE, busy(1), busy(2), busy(3), busy(4)).waiting(6), false, "spawn 4"),
                row("max-requests between ticks: retire only", started(1),
                        view(RECYCLING, idle(1, 1), wornOut(idle(2, 1), 100), busy(3), busy(4)), false,
                        "bury 2 GRACEFUL"),
                row("max-requests on a tick: retire, and the spare rule replaces it", started(1),
                        view(RECYCLING, idle(1, 1), wornOut(idle(2, 1), 100), busy(3), busy(4)), true,
                        "bury 2 GRACEFUL", "spawn 1"),
                row("none: the fast path spawns for the queue", quietSince(1),
                        view(PM, unaccounted(1, 30), unaccounted(2, 30), unaccounted(3, 30)).waiting(3).noAccounting(),
                        false, "spawn 3"),
                row("none: workers younger than 1 s are presumed starting and cover a connection each", quietSince(1),
                        view(PM, unaccounted(1, 30), unaccounted(2, 0.2), unaccounted(3, 0.5)).waiting(3)
                                .noAccounting(), false, "spawn 1"),
                row("none: tick keeps a floor of min-spare workers", quietSince(1),
                        view(PM, unaccounted(1, 30)).noAccounting(), true, "spawn 1"),
                row("none: no spare rule (idle is unknown)", quietSince(1),
                        view(PM, unaccounted(1, 30), unaccounted(2, 30), unaccounted(3, 30)).noAccounting(), true),
                row("none: quiet longer than process-idle-timeout: bury one, the least recently active", quietSince(20),
                        view(PM, unaccounted(1, 40), unaccounted(2, 90), unaccounted(3, 30), unaccounted(4, 30),
                                unaccounted(5, 30)).noAccounting(), true, "bury 2 GRACEFUL"),
                row("none: quiet, but not for long enough", quietSince(5),
                        view(PM, unaccounted(1, 40), unaccounted(2, 90), unaccounted(3, 30), unaccounted(4, 30),
                                unaccounted(5, 30)).noAccounting(), true),
                row("none: never shrinks below max-spare", quietSince(60),
                        view(PM, unaccounted(1, 40), unaccounted(2, 90), unaccounted(3, 30), unaccounted(4, 30))
                                .noAccounting(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        row.check();
    }

    @Test
    void rateDoublesOnShortTicksUpToMaxSpawnRateAndResetsWhenSatisfied() {
        PmConfig pm = dynamicPm(200, 20, 100, 150, 20, 0);
        Policy policy = DynamicPolicy.startedWith(T0 - seconds(1), 1, false);
        List<WorkerView> busy = List.of(busyWorkers(20));
        int[] expected = {1, 2, 4, 8, 16, 20, 20};
        for (int i = 0; i < expected.length; i++) {
            PoolView v = new PoolView("www", pm, busy, 0, 0, false, true, T0 + seconds(i));
            Policy.Decision d = policy.decide(v, true);
            assertEquals(expected[i], Fixtures.spawned(d.actions()), "tick " + i);
            assertEquals(expected[i] >= 8, Fixtures.render(d.actions()).get(0).contains("seems busy"), "tick " + i);
            policy = d.next();
        }
        assertEquals(20, ((DynamicPolicy) policy).spawnRate(), "capped at max-spawn-rate, no overshoot to 32");
        PoolView satisfied = new PoolView("www", pm, List.of(idleWorkers(120)), 0, 0, false, true, T0 + seconds(9));
        assertEquals(1, ((DynamicPolicy) policy.decide(satisfied, true).next()).spawnRate());
    }

    @Test
    void fastShrinkBuriesEachWorkerOnceAndFinishesOnTheNextTick() {
        // 8 idle, max-spare 2: 5 idle for a tick or more, 3 that finished their request 0.4 s ago.
        List<WorkerView> workers = List.of(idle(1, 5), idle(2, 4), idle(3, 3), idle(4, 2), idle(5, 1.2),
                idle(6, 0.4), idle(7, 0.4), idle(8, 0.4));
        Policy policy = started(1);
        Policy.Decision first = policy.decide(new PoolView("www", FAST, workers, 0, 0, false, true, T0), true);
        assertEquals(List.of("bury 1 GRACEFUL", "bury 2 GRACEFUL", "bury 3 GRACEFUL", "bury 4 GRACEFUL",
                "bury 5 GRACEFUL"), Fixtures.render(first.actions()));
        assertEquals(1, ((DynamicPolicy) first.next()).spawnRate(), "a shrinking tick resets the spawn rate");

        PoolView stale = new PoolView("www", FAST, workers, 0, 0, false, true, T0 + seconds(0.2));
        assertEquals(List.of(), Fixtures.render(first.next().decide(stale, true).actions()),
                "a tick on a view that does not show the buries yet buries nobody twice, nor more");

        List<WorkerView> left = List.of(retiring(idle(1, 6)), idle(6, 1.4), idle(7, 1.4), idle(8, 1.4));
        PoolView nextTick = new PoolView("www", FAST, left, 0, 0, false, true, T0 + seconds(1));
        assertEquals(List.of("bury 6 GRACEFUL"), Fixtures.render(first.next().decide(nextTick, true).actions()),
                "one tick later the last worker above max-spare has been idle long enough");
    }

    @Test
    void maxChildrenEpisodeEndsWhenThePolicySpawnsAgain() {
        Policy policy = DynamicPolicy.startedWith(T0 - seconds(1), 1, false);
        PoolView full = view(PM, busyWorkers(10)).waiting(2).build();
        Policy.Decision first = policy.decide(full, true);
        assertTrue(((DynamicPolicy) first.next()).warnedMaxChildren());
        assertEquals(List.of(), Fixtures.render(first.next().decide(full, true).actions()), "once per episode");
        PoolView oneLeft = view(PM, busyWorkers(9)).waiting(2).at(T0 + seconds(1)).build();
        Policy.Decision spawn = first.next().decide(oneLeft, false);
        assertEquals(List.of("spawn 1"), Fixtures.render(spawn.actions()));
        assertFalse(((DynamicPolicy) spawn.next()).warnedMaxChildren());
        PoolView fullAgain = view(PM, busyWorkers(10)).waiting(2).at(T0 + seconds(2)).build();
        assertEquals(List.of("max-children 10", REACHED),
                Fixtures.render(spawn.next().decide(fullAgain, false).actions()), "a new episode is counted");
    }

    @Test
    void fastPathBurstBudgetRefillsOnEachTick() {
        Policy policy = DynamicPolicy.startedWith(T0 - seconds(1), 1, false);
        List<WorkerView> busy = List.of(busyWorkers(4));
        Policy.Decision first = policy.decide(new PoolView("www", SLOW_RATE, busy, 0, 6, true, true, T0), false);
        assertEquals(4, Fixtures.spawned(first.actions()));
        PoolView landed = new PoolView("www", SLOW_RATE, busy, 4, 10, true, true, T0 + seconds(0.1));
        assertEquals(0, Fixtures.spawned(first.next().decide(landed, false).actions()), "budget spent until the tick");
        assertEquals(2, Fixtures.spawned(first.next().decide(landed, true).actions()), "refilled on the tick");
    }

    static WorkerView[] busyWorkers(int n) {
        WorkerView[] ws = new WorkerView[n];
        for (int i = 0; i < n; i++) {
            ws[i] = busy(100 + i);
        }
        return ws;
    }

    static WorkerView[] idleWorkers(int n) {
        WorkerView[] ws = new WorkerView[n];
        for (int i = 0; i < n; i++) {
            ws[i] = idle(100 + i, 1);
        }
        return ws;
    }
}
