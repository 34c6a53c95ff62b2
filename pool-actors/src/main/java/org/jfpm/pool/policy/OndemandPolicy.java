package org.jfpm.pool.policy;

import java.time.Duration;

/**
 * {@code pm = ondemand}: no workers at rest. See {@code docs/process-managers.md}.
 *
 * <ul>
 *   <li><b>Spawn</b> (every call): when connections wait that no idle, starting or pending worker will
 *       take, spawn that many at once (at least one when the socket turned readable and nothing is on
 *       its way), capped by max-children; at max-children count MaxChildrenReached once per episode
 *       (PHP-FPM's ondemand wording). An episode ends when the policy spawns again.</li>
 *   <li><b>Tick</b>: bury every idle worker whose last activity is older than
 *       {@code process-idle-timeout}, not one per second, unless connections wait.</li>
 *   <li>{@code pm.max-requests}: retire the worker and spawn no replacement unless connections wait.</li>
 *   <li>accounting = none: idleness is unknown; once no connection has waited for
 *       process-idle-timeout, one worker per tick is buried (the least recently spawned, if older
 *       than the timeout). A wrong guess shows up as a waiting connection, which spawns a worker
 *       and restarts the quiet period.</li>
 * </ul>
 */
public final class OndemandPolicy implements Policy {

    private static final OndemandPolicy INITIAL = new OndemandPolicy(Memory.INITIAL, false);

    private final Memory memory;
    private final boolean warnedMaxChildren;

    private OndemandPolicy(Memory memory, boolean warnedMaxChildren) {
        this.memory = memory;
        this.warnedMaxChildren = warnedMaxChildren;
    }

    public static OndemandPolicy initial() {
        return INITIAL;
    }

    /** A policy that has already seen a view at {@code nowNanos} (for tests). */
    static OndemandPolicy startedWith(long nowNanos, boolean warnedMaxChildren) {
        return new OndemandPolicy(Memory.begunAt(nowNanos), warnedMaxChildren);
    }

    /** Whether the current max-children episode has been counted and logged. */
    public boolean warnedMaxChildren() {
        return warnedMaxChildren;
    }

    @Override
    public Decision decide(PoolView view, boolean tick) {
        Plan plan = new Plan(view, memory);
        boolean warned = warnedMaxChildren;
        plan.retireWornOut();
        int need = plan.uncoveredDemand();
        if (need > 0) {
            if (plan.room() == 0) {
                if (!warned) {
                    warned = true;
                    plan.maxChildrenReached(LogLines.ondemandMaxChildren(view.pool(), view.pm().maxChildren()));
                }
            } else {
                plan.spawn(Math.min(need, plan.room()), "connections waiting");
            }
        }
        if (tick && plan.demand() == 0) {
            reapIdle(plan);
        }
        if (plan.spawned() > 0) {
            warned = false;
        }
        return new Decision(plan.actions(), new OndemandPolicy(plan.memory(), warned));
    }

    private static void reapIdle(Plan plan) {
        Duration timeout = plan.idleTimeout();
        long timeoutNanos = timeout.toNanos();
        if (plan.view().accountingKnown()) {
            for (WorkerView w : plan.live()) {
                if (plan.isIdle(w) && plan.now() - plan.lastActivity(w) > timeoutNanos) {
                    plan.bury(w, "idle longer than pm.process-idle-timeout (" + Plan.seconds(timeout) + ")");
                }
            }
        } else if (plan.quietNanos() > timeoutNanos) {
            String reason = "no connection waited for " + Plan.seconds(timeout) + " (accounting = none)";
            plan.longestInactive()
                    .filter(w -> plan.now() - plan.lastActivity(w) > timeoutNanos)
                    .ifPresent(w -> plan.bury(w, reason));
        }
    }

    @Override
    public String toString() {
        return "OndemandPolicy[warned=" + warnedMaxChildren + "]";
    }
}
