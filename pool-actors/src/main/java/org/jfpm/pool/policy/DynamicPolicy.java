package org.jfpm.pool.policy;

import java.time.Duration;
import java.util.List;
import org.jfpm.pool.ShrinkMode;

/**
 * {@code pm = dynamic}: PHP-FPM's spare-server algorithm on the 1 s tick, plus an event-driven fast
 * path. See {@code docs/process-managers.md} for the rules side by side with PHP-FPM's.
 *
 * <ul>
 *   <li><b>Start</b> (first decision, no workers, nothing pending): spawn {@code start-servers}.</li>
 *   <li><b>Fast path</b> (every call): when connections wait that no idle, starting or pending worker
 *       will take, spawn that many at once, capped by max-children and by a burst budget of
 *       {@code max-spawn-rate} spawns per tick period.</li>
 *   <li><b>Tick</b>: if idle &gt; max-spare, shrink and reset the rate to 1. With
 *       {@code pm.shrink = fast} (the default) bury every idle worker above max-spare that has been
 *       idle for at least a full tick ({@link #FAST_SHRINK_MIN_IDLE}), longest idle first; with
 *       {@code gradual} (PHP-FPM's rule) bury only the worker idle longest, one per tick. Else if
 *       idle + starting + pending &lt; min-spare, spawn {@code min(rate, shortfall, room)}, log
 *       "seems busy" when rate &ge; 8, double the rate up to max-spawn-rate; at max-children count MaxChildrenReached once per episode; else rate = 1.</li>
 *   <li>Never buries an idle worker while connections wait: it is about to take one.</li>
 *   <li>{@code pm.max-requests}: retire the worker; the spare rule replaces it if needed.</li>
 *   <li>accounting = none: no idle is known, so the spare rules give way to a floor of min-spare
 *       workers and, after {@code process-idle-timeout} with no connection waiting, one bury per
 *       tick (the least recently spawned) while more than max-spare run, whatever
 *       {@code pm.shrink} says (idleness is only a guess there).</li>
 * </ul>
 * An episode of max-children ends when the policy spawns again.
 */
public final class DynamicPolicy implements Policy {

    /**
     * {@code pm.shrink = fast}: how long a worker must have been idle before a tick may bury it. One
     * tick period, so that a worker that has just finished a request is not buried in the same
     * instant; a pool is back at max-spare within two ticks of the end of a burst.
     */
    static final Duration FAST_SHRINK_MIN_IDLE = PolicyActor.TICK_INTERVAL;

    private static final String SHRINK_REASON = "more than pm.max-spare-servers idle";

    private static final DynamicPolicy INITIAL = new DynamicPolicy(Memory.INITIAL, 1, false, 0);

    private final Memory memory;
    private final int spawnRate;
    private final boolean warnedMaxChildren;
    private final int burst;

    private DynamicPolicy(Memory memory, int spawnRate, boolean warnedMaxChildren, int burst) {
        this.memory = memory;
        this.spawnRate = spawnRate;
        this.warnedMaxChildren = warnedMaxChildren;
        this.burst = burst;
    }

    public static DynamicPolicy initial() {
        return INITIAL;
    }

    /** A policy that has already started at {@code nowNanos}, with the given rule state (for tests). */
    static DynamicPolicy startedWith(long nowNanos, int spawnRate, boolean warnedMaxChildren) {
        return new DynamicPolicy(Memory.begunAt(nowNanos), spawnRate, warnedMaxChildren, 0);
    }

    /** The spawn rate PHP-FPM calls {@code idle_spawn_rate}: how many the next short tick may spawn. */
    public int spawnRate() {
        return spawnRate;
    }

    /** Whether the current max-children episode has been counted and logged. */
    public boolean warnedMaxChildren() {
        return warnedMaxChildren;
    }

    @Override
    public Decision decide(PoolView view, boolean tick) {
        return new Round(view).decide(tick);
    }

    @Override
    public String toString() {
        return "DynamicPolicy[rate=" + spawnRate + ", warned=" + warnedMaxChildren + ", burst=" + burst + "]";
    }

    /** The mutable state of one decision. */
    private final class Round {
        private final Plan plan;
        private int rate = spawnRate;
        private boolean warned = warnedMaxChildren;
        private int burstUsed = burst;

        Round(PoolView view) {
            plan = new Plan(view, memory);
        }

        Decision decide(boolean tick) {
            if (tick) {
                burstUsed = 0;
            }
            plan.retireWornOut();
            if (plan.firstDecision() && plan.view().workers().isEmpty() && plan.view().spawnsPending() == 0) {
                plan.spawn(Math.min(plan.pm().startServers(), plan.room()), "pm.start-servers");
            }
            fastPath();
            if (tick) {
                if (plan.view().accountingKnown()) {
                    spareServers();
                } else {
                    withoutAccounting();
                }
            }
            if (plan.spawned() > 0) {
                warned = false;
            }
            return new Decision(plan.actions(), new DynamicPolicy(plan.memory(), rate, warned, burstUsed));
        }

        private void fastPath() {
            int need = plan.uncoveredDemand();
            if (need == 0) {
                return;
            }
            if (plan.room() == 0) {
                maxChildrenReached();
                return;
            }
            int n = Math.min(Math.min(need, plan.room()), Math.max(0, plan.pm().maxSpawnRate() - burstUsed));
            burstUsed += n;
            plan.spawn(n, "connections waiting");
        }

        private void spareServers() {
            int idle = plan.idle();
            if (idle > plan.pm().maxSpareServers()) {
                if (plan.demand() == 0) {
                    shrink(idle - plan.pm().maxSpareServers());
                }
                rate = 1;
                return;
            }
            int prospective = idle + plan.starting() + plan.pending();
            if (prospective >= plan.pm().minSpareServers()) {
                rate = 1;
                return;
            }
            if (plan.room() == 0) {
                maxChildrenReached();
                rate = 1;
                return;
            }
            int n = Math.min(Math.min(rate, plan.pm().minSpareServers() - prospective), plan.room());
            if (rate >= 8) {
                plan.add(new Action.Log(Action.Level.WARNING,
                        LogLines.seemsBusy(plan.view().pool(), n, idle, plan.running())));
            }
            plan.spawn(n, "fewer than pm.min-spare-servers idle");
            if (rate < plan.pm().maxSpawnRate()) {
                rate = Math.min(rate * 2, plan.pm().maxSpawnRate());
            }
        }

        /** {@code excess} idle workers are above max-spare (and no connection waits). */
        private void shrink(int excess) {
            if (plan.pm().shrink() == ShrinkMode.GRADUAL) {
                plan.longestIdle().ifPresent(w -> plan.bury(w, SHRINK_REASON));
                return;
            }
            long minIdle = FAST_SHRINK_MIN_IDLE.toNanos();
            List<WorkerView> candidates = plan.idleLongestFirst();
            for (WorkerView w : candidates.subList(0, Math.min(excess, candidates.size()))) {
                if (plan.now() - plan.lastActivity(w) < minIdle) {
                    break; // the rest have been idle for even less
                }
                plan.bury(w, SHRINK_REASON);
            }
        }

        private void withoutAccounting() {
            int floor = plan.pm().minSpareServers() - plan.running();
            if (floor > 0) {
                plan.spawn(Math.min(floor, plan.room()), "pm.min-spare-servers (accounting = none)");
                return;
            }
            Duration quiet = plan.idleTimeout();
            if (plan.demand() == 0 && plan.quietNanos() > quiet.toNanos()
                    && plan.running() > plan.pm().maxSpareServers()) {
                String reason = "no connection waited for " + Plan.seconds(quiet) + " (accounting = none)";
                plan.longestInactive().ifPresent(w -> plan.bury(w, reason));
            }
        }

        private void maxChildrenReached() {
            if (!warned) {
                warned = true;
                plan.maxChildrenReached(LogLines.dynamicMaxChildren(plan.view().pool(), plan.pm().maxChildren()));
            }
        }
    }
}
