package org.jfpm.pool.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jfpm.pool.PmConfig;
import org.jfpm.pool.ShrinkMode;
import org.jfpm.scoreboard.PmMode;
import org.junit.jupiter.api.Test;

/**
 * Policies driving a simulated pool ({@link SimPool}) in 100 ms steps, one decision per step and a
 * tick every 10 steps: spawns land one step after they are asked for.
 */
class PoolSimulationTest {

    private static final long STEP = Duration.ofMillis(100).toNanos();

    /** The pool, the policy, and a decision per step. */
    private static final class Run {
        final SimPool pool;
        Policy policy;
        int step;

        Run(PmConfig pm) {
            pool = new SimPool(pm, true, false, 7_000_000_000_000L);
            policy = Policies.forMode(pm);
        }

        /** One decision (a tick every 10 steps), carried out, then 100 ms pass. */
        List<Action> step() {
            PoolView view = pool.view(pool.waiting() > 0);
            Policy.Decision d = policy.decide(view, step % 10 == 0);
            PolicyContractTest.check(view, d.actions(), () -> "step " + step);
            checkBuriesLongestIdle(view, d.actions());
            pool.apply(d.actions());
            policy = d.next();
            pool.advance(STEP);
            step++;
            return d.actions();
        }

        void stepUntil(int last) {
            while (step <= last) {
                step();
            }
        }
    }

    /** What {@link #burst} saw: the pool's peak, each tick's buries after the requests, and when they ended. */
    private record Burst(Run run, int peak, List<Integer> buriesPerTick, int endStep, int backAtMaxSpareStep) {
    }

    /**
     * A dynamic pool (max 50, start 2, spare 1..3) absorbs 32 concurrent 10 s requests within two
     * decisions, then is left alone until step 600 (60 s).
     */
    private static Burst burst(ShrinkMode shrink) {
        PmConfig pm = new PmConfig(PmMode.DYNAMIC, 50, 2, 1, 3, 32, Duration.ofSeconds(10), 0, shrink);
        Run run = new Run(pm);
        run.stepUntil(4);
        assertEquals(2, run.pool.idle(), "start-servers");

        run.pool.arrive(32, Duration.ofSeconds(10).toNanos());
        int decisions = 0;
        while (run.pool.busy() < 32) {
            assertTrue(decisions < 2, "32 busy workers after " + decisions + " decisions: " + run.pool.busy());
            run.step();
            decisions++;
        }
        assertTrue(run.step % 10 != 0 && run.step < 10, "absorbed before the first maintenance tick, step " + run.step);
        assertEquals(0, run.pool.waiting());

        run.stepUntil(100);
        assertEquals(32, run.pool.busy(), "still serving");
        int peak = run.pool.alive();
        assertTrue(peak >= 33, "min-spare kept idle on top of the busy ones: " + peak);

        List<Integer> buriesPerTick = new ArrayList<>();
        int endStep = -1;
        int backStep = -1;
        while (run.step < 600) {
            boolean tick = run.step % 10 == 0;
            long buries = run.step().stream().filter(a -> a instanceof Action.Bury).count();
            if (endStep < 0 && run.pool.busy() == 0) {
                endStep = run.step;
            }
            if (endStep >= 0 && backStep < 0 && run.pool.alive() == 3) {
                backStep = run.step;
            }
            if (tick && run.step > 110) {
                buriesPerTick.add((int) buries);
            } else {
                assertTrue(tick || buries == 0, "buries only on ticks");
            }
            if (run.pool.busy() == 0) {
                assertTrue(run.pool.idle() >= 3, "never below max-spare idle: " + run.pool.idle());
            }
        }
        assertEquals(3, run.pool.alive(), "shrunk to max-spare");
        assertEquals(3, run.pool.idle());
        assertEquals(peak - 3, run.pool.buried().size());
        assertEquals(0, run.pool.refused());
        return new Burst(run, peak, buriesPerTick, endStep, backStep);
    }

    @Test
    void dynamicAbsorbsA32RequestBurstAndFastShrinkIsBackAtMaxSpareWithin3sOfItsEnd() {
        Burst b = burst(ShrinkMode.FAST);
        double seconds = (b.backAtMaxSpareStep() - b.endStep()) * STEP / 1e9;
        assertTrue(seconds <= 3.0, "back at max-spare " + seconds + " s after the burst ended");
        assertTrue(seconds >= 1.0, "not before the workers have been idle for a full tick: " + seconds + " s");
        // The tick 0.4 s after the end buries the one spare that was idle through the burst; the
        // next buries every other worker above max-spare at once.
        assertEquals(List.of(1, b.peak() - 4), b.buriesPerTick().subList(0, 2), "buries per tick: " + b.buriesPerTick());
        assertTrue(b.buriesPerTick().subList(2, b.buriesPerTick().size()).stream().allMatch(n -> n == 0),
                "nothing left to bury after two ticks: " + b.buriesPerTick());
    }

    @Test
    void dynamicWithGradualShrinkBuriesOnePerTickAsPhpFpmDoes() {
        Burst b = burst(ShrinkMode.GRADUAL);
        assertTrue(b.buriesPerTick().stream().allMatch(n -> n <= 1), "one bury per tick: " + b.buriesPerTick());
        double seconds = (b.backAtMaxSpareStep() - b.endStep()) * STEP / 1e9;
        assertTrue(seconds >= b.peak() - 3 - 1, "about one second per worker above max-spare: " + seconds + " s");
    }

    @Test
    void ondemandSpawnsForTheWholeBurstAtOnceAndReapsEveryIdleWorkerOnOneTick() {
        PmConfig pm = new PmConfig(PmMode.ONDEMAND, 40, 0, 0, 0, 32, Duration.ofSeconds(10), 0);
        Run run = new Run(pm);
        run.stepUntil(4);
        assertEquals(0, run.pool.alive(), "no workers at rest");

        run.pool.arrive(32, Duration.ofSeconds(5).toNanos());
        assertEquals(List.of("spawn 32"), Fixtures.render(run.step()), "one decision for the whole queue");
        assertEquals(32, run.pool.busy());

        run.stepUntil(150);
        assertEquals(32, run.pool.idle(), "requests ended at 5.6 s; idle for less than 10 s");
        List<Action> reap = run.step(); // step 160 is the first tick 10 s after the requests ended
        while (reap.isEmpty() && run.step <= 170) {
            reap = run.step();
        }
        assertEquals(32, reap.size(), "every idle worker past the timeout on the same tick: " + Fixtures.render(reap));
        assertTrue(reap.stream().allMatch(a -> a instanceof Action.Bury));
        assertEquals(0, run.pool.alive());
        assertEquals(0, run.pool.refused());
    }

    /**
     * Every Bury of an idle worker names one whose last activity is the oldest among the idle not yet
     * buried by the same decision: longest idle first.
     */
    private static void checkBuriesLongestIdle(PoolView view, List<Action> actions) {
        if (view.pm().mode() != PmMode.DYNAMIC) {
            return;
        }
        Set<Long> done = new HashSet<>();
        for (Action a : actions) {
            if (a instanceof Action.Bury b) {
                long oldest = view.workers().stream().filter(WorkerView::isIdle).filter(w -> !done.contains(w.pid()))
                        .mapToLong(WorkerView::lastActivityNanos).min().orElseThrow();
                done.add(b.pid());
                long victim = view.workers().stream().filter(w -> w.pid() == b.pid()).findFirst().orElseThrow()
                        .lastActivityNanos();
                assertEquals(oldest, victim, "bury " + b.pid() + " is not the longest idle");
            }
        }
    }
}
