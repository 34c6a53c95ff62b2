package org.jfpm.pool.policy;

/**
 * {@code pm = static}: keep exactly {@code max-children} workers. On every call it spawns the
 * difference between max-children and the workers that count (live, not retiring, plus pending
 * spawns), so a worker that exits is replaced at once. With {@code pm.max-requests} it retires a
 * worker that has reached its jittered limit ({@link MaxRequestsJitter}); the same rule then spawns
 * its replacement, which starts while the old worker finishes its last request.
 */
public final class StaticPolicy implements Policy {

    private static final StaticPolicy INITIAL = new StaticPolicy(Memory.INITIAL);

    private final Memory memory;

    private StaticPolicy(Memory memory) {
        this.memory = memory;
    }

    public static StaticPolicy initial() {
        return INITIAL;
    }

    @Override
    public Decision decide(PoolView view, boolean tick) {
        Plan plan = new Plan(view, memory);
        plan.retireWornOut();
        plan.spawn(plan.room(), "pm.max-children");
        return new Decision(plan.actions(), new StaticPolicy(plan.memory()));
    }

    @Override
    public String toString() {
        return "StaticPolicy";
    }
}
