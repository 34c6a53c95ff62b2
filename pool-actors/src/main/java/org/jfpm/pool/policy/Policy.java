package org.jfpm.pool.policy;

import java.util.List;

/**
 * A process-manager policy: a pure decision function from a pool snapshot to actions. A policy is
 * an immutable value; its small state (spawn-rate doubling, warned-once flags) travels in the
 * {@link Decision#next()} policy. No clock of its own (time comes in the view), no I/O; the thin
 * policy actor owns the timers.
 *
 * <p>Called on every view change ({@code tick = false}), on every 1 s maintenance tick
 * ({@code tick = true}) and when the listening socket turns readable ({@code view.readable()}).
 * It must never name a pid that is not in the view.
 */
public interface Policy {

    Decision decide(PoolView view, boolean tick);

    /** The actions to carry out and the policy to use next time. */
    record Decision(List<Action> actions, Policy next) {
        public Decision {
            actions = List.copyOf(actions);
        }
    }
}
