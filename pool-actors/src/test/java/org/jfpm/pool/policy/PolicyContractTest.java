package org.jfpm.pool.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.Set;
import java.util.stream.Stream;
import org.jfpm.pool.PmConfig;
import org.jfpm.pool.ShrinkMode;
import org.jfpm.scoreboard.PmMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules every policy obeys, checked against all three on random walks through a simulated pool
 * (random arrivals, request lengths, crashes, ticks, readiness, accounting on or off, pm settings):
 * never exceed max-children counting pending and starting workers; never name a pid that is not in
 * the view, nor a retiring one, nor one twice; never spawn zero or fewer; bury only gracefully; and
 * decide nothing new when nothing has changed (the same view again, or the view that merely shows
 * the previous decision's spawns as pending and its buries as retiring).
 */
class PolicyContractTest {

    private static final int STEPS = 400;

    static Stream<Arguments> walks() {
        return Stream.of(PmMode.values()).flatMap(mode -> Stream.iterate(1L, s -> s + 1).limit(25)
                .map(seed -> Arguments.of(mode, seed)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("walks")
    void obeysTheContractOnARandomWalk(PmMode mode, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 1000 + mode.ordinal());
        PmConfig pm = randomPm(mode, rnd);
        boolean accounting = rnd.nextInt(4) != 0;
        SimPool pool = new SimPool(pm, accounting, rnd.nextBoolean(), 5_000_000_000_000L);
        Policy policy = Policies.forMode(pm);
        for (int step = 0; step < STEPS; step++) {
            int s = step;
            Supplier<String> at = () -> mode + " seed " + seed + " step " + s + " " + pm + " accounting " + accounting;
            boolean tick = rnd.nextInt(3) == 0;
            boolean readable = pool.waiting() > 0 ? rnd.nextInt(10) < 7 : rnd.nextInt(20) == 0;
            PoolView view = pool.view(readable);
            Policy.Decision first = policy.decide(view, tick);
            check(view, first.actions(), at);
            policy = first.next();
            int check = rnd.nextInt(4);
            if (check == 0) {
                Policy.Decision again = policy.decide(view, false);
                assertNothingNew(again.actions(), () -> at.get() + " (same view again)");
                checkCombined(view, first.actions(), again.actions(), at);
                policy = again.next();
            }
            pool.apply(first.actions());
            assertEquals(0, pool.refused(), () -> at.get() + ": a spawn beyond max-children reached the PoolActor");
            if (check == 1) {
                PoolView acknowledged = pool.view(readable);
                Policy.Decision again = policy.decide(acknowledged, false);
                check(acknowledged, again.actions(), () -> at.get() + " (acknowledged)");
                assertNothingNew(again.actions(), () -> at.get() + " (view showing the previous decision)");
                policy = again.next();
            }
            if (rnd.nextInt(3) == 0) {
                pool.arrive(rnd.nextInt(7), Duration.ofMillis(50 + rnd.nextInt(3000)).toNanos());
            }
            if (rnd.nextInt(30) == 0 && pool.alive() > 0) {
                List<Long> pids = pool.pids();
                pool.crash(pids.get(rnd.nextInt(pids.size())));
            }
            pool.advance(Duration.ofMillis(50 + rnd.nextInt(700)).toNanos());
        }
    }

    @ParameterizedTest
    @EnumSource(PmMode.class)
    void forModePicksThePolicyOfTheMode(PmMode mode) {
        Policy p = Policies.forMode(randomPm(mode, new SplittableRandom(7)));
        assertNotNull(p);
        assertSame(switch (mode) {
            case STATIC -> StaticPolicy.class;
            case DYNAMIC -> DynamicPolicy.class;
            case ONDEMAND -> OndemandPolicy.class;
        }, p.getClass());
    }

    private static PmConfig randomPm(PmMode mode, SplittableRandom rnd) {
        int max = 1 + rnd.nextInt(8);
        int minSpare = 1 + rnd.nextInt(max);
        int maxSpare = minSpare + rnd.nextInt(max - minSpare + 1);
        int start = minSpare + rnd.nextInt(maxSpare - minSpare + 1);
        long maxRequests = rnd.nextBoolean() ? 0 : 2 + rnd.nextInt(20);
        Duration idle = Duration.ofMillis(1000 + rnd.nextInt(4000));
        return switch (mode) {
            case STATIC -> new PmConfig(mode, max, 0, 0, 0, 32, idle, maxRequests);
            case DYNAMIC -> new PmConfig(mode, max, start, minSpare, maxSpare, 1 + rnd.nextInt(8), idle, maxRequests,
                    rnd.nextBoolean() ? ShrinkMode.FAST : ShrinkMode.GRADUAL);
            case ONDEMAND -> new PmConfig(mode, max, 0, 0, 0, 32, idle, maxRequests);
        };
    }

    /** The per-decision rules. */
    static void check(PoolView view, List<Action> actions, Supplier<String> at) {
        Map<Long, WorkerView> byPid = new HashMap<>();
        for (WorkerView w : view.workers()) {
            byPid.put(w.pid(), w);
        }
        Set<Long> buried = new HashSet<>();
        for (Action a : actions) {
            if (a instanceof Action.Spawn s) {
                assertTrue(s.count() > 0, () -> at.get() + ": spawn of " + s.count());
            } else if (a instanceof Action.Bury b) {
                WorkerView w = byPid.get(b.pid());
                assertNotNull(w, () -> at.get() + ": bury of pid " + b.pid() + " not in the view");
                assertFalse(w.retiring(), () -> at.get() + ": bury of retiring pid " + b.pid());
                assertTrue(buried.add(b.pid()), () -> at.get() + ": pid " + b.pid() + " buried twice in one decision");
                assertEquals(Action.BuryMode.GRACEFUL, b.mode(), () -> at.get() + ": policies bury gracefully");
            } else if (a instanceof Action.MaxChildrenReached m) {
                assertEquals(view.pm().maxChildren(), m.maxChildren(), at);
            }
        }
        checkCapacity(view, buried.size(), Fixtures.spawned(actions), at);
    }

    /** Two decisions on the same view, taken together, still respect max-children. */
    private static void checkCombined(PoolView view, List<Action> first, List<Action> second, Supplier<String> at) {
        Set<Long> buried = new HashSet<>();
        for (List<Action> actions : List.of(first, second)) {
            for (Action a : actions) {
                if (a instanceof Action.Bury b) {
                    assertTrue(buried.add(b.pid()), () -> at.get() + ": pid " + b.pid() + " buried again on the same view");
                }
            }
        }
        checkCapacity(view, buried.size(), Fixtures.spawned(first) + Fixtures.spawned(second), at);
    }

    private static void checkCapacity(PoolView view, int buried, int spawned, Supplier<String> at) {
        int running = view.running();
        int max = view.pm().maxChildren();
        if (running <= max) {
            assertTrue(running - buried + spawned <= max,
                    () -> at.get() + ": running " + running + " - buried " + buried + " + spawned " + spawned + " > max " + max);
        } else {
            assertEquals(0, spawned, () -> at.get() + ": spawned while over max-children");
        }
    }

    private static void assertNothingNew(List<Action> actions, Supplier<String> at) {
        for (Action a : actions) {
            assertFalse(a instanceof Action.Spawn || a instanceof Action.Bury, () -> at.get() + ": " + Fixtures.render(actions));
        }
    }
}
