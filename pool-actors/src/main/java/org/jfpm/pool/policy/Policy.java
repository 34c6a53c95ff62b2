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
 *
 * <p>Every policy obeys (checked for all three by {@code PolicyContractTest}):
 * <ul>
 *   <li>never more than max-children running, counting pending spawns and starting workers
 *       ({@link PoolView#running()}), after its own spawns and buries;</li>
 *   <li>never a pid that is not in the view, nor a retiring one, nor one pid twice; Bury is always
 *       {@link Action.BuryMode#GRACEFUL} (escalation after process-control-timeout is the PoolActor's);</li>
 *   <li>never a Spawn of zero or fewer;</li>
 *   <li>nothing new when nothing changed: decided again on the same view (the PoolActor has not acted
 *       yet), or on the view that merely shows its last spawns as pending and its buries as retiring,
 *       outside a tick it neither spawns nor buries.</li>
 * </ul>
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
