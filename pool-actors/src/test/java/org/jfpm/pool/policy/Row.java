package org.jfpm.pool.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** One scenario of a table-driven policy test: given a policy and a view, the rendered actions expected. */
record Row(String name, Policy policy, PoolView view, boolean tick, List<String> expected) {

    static Row row(String name, Policy policy, Fixtures.ViewBuilder view, boolean tick, String... expected) {
        return new Row(name, policy, view.build(), tick, List.of(expected));
    }

    /** Decides and compares; returns the decision for further checks. */
    Policy.Decision check() {
        Policy.Decision decision = policy.decide(view, tick);
        assertEquals(expected, Fixtures.render(decision.actions()), name);
        return decision;
    }

    @Override
    public String toString() {
        return name;
    }
}
