package org.jfpm.pool.policy;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The thin actor around a pure {@link Policy}: it owns the 1 s maintenance timer and the latest
 * {@link PoolView}, calls {@link Policy#decide} on every view, readiness event and tick, keeps the
 * returned policy for next time, and sends each {@link Action} to its target (the PoolActor) through
 * an adapter, in order.
 *
 * <p>A tick decides on the latest view re-stamped with the current {@link System#nanoTime()} (so
 * idle timeouts advance in a quiet pool whose view does not change) and with {@code readable}
 * cleared (a tick is not a readiness event; the queue length still counts). Ticks before the first
 * view do nothing.
 */
public final class PolicyActor extends AbstractBehavior<PolicyActor.Command> {

    /** PHP-FPM's maintenance heartbeat ({@code FPM_IDLE_SERVER_MAINTENANCE_HEARTBEAT}). */
    public static final Duration TICK_INTERVAL = Duration.ofSeconds(1);

    public sealed interface Command {
    }

    /** The PoolActor's snapshot after a change (spawn, exit, stage change, ...). */
    public record ViewChanged(PoolView view) implements Command {
    }

    /** The listening socket turned readable; decided as readable whatever {@code view.readable()} says. */
    public record Readable(PoolView view) implements Command {
    }

    /**
     * A tick with a fresh view, for an owner that keeps the 1 s heartbeat itself
     * ({@link #createDriven}): decided as a tick, with {@code readable} cleared.
     */
    public record Heartbeat(PoolView view) implements Command {
    }

    private enum Tick implements Command {
        INSTANCE
    }

    private final Consumer<Action> target;
    private final LongSupplier clock;
    private Policy policy;
    private PoolView latest;

    private PolicyActor(ActorContext<Command> context, Policy policy, Consumer<Action> target, LongSupplier clock) {
        super(context);
        this.policy = policy;
        this.target = target;
        this.clock = clock;
    }

    /** Ticks every {@link #TICK_INTERVAL}; sends {@code adapter.apply(action)} to {@code target}. */
    public static <T> Behavior<Command> create(Policy policy, ActorRef<T> target, Function<Action, T> adapter) {
        return create(policy, target, adapter, TICK_INTERVAL);
    }

    /**
     * Without a timer of its own: the owner sends a {@link Heartbeat} every {@link #TICK_INTERVAL}
     * (the PoolActor does on its own tick, so an idle pool wakes once a second, not twice).
     */
    public static <T> Behavior<Command> createDriven(Policy policy, ActorRef<T> target, Function<Action, T> adapter) {
        return Behaviors.setup(context -> new PolicyActor(context, policy, action -> target.tell(adapter.apply(action)),
                System::nanoTime));
    }

    /** As {@link #create(Policy, ActorRef, Function)} with another tick interval. */
    public static <T> Behavior<Command> create(
            Policy policy, ActorRef<T> target, Function<Action, T> adapter, Duration tickInterval) {
        return create(policy, target, adapter, tickInterval, System::nanoTime);
    }

    /** As above with the clock that stamps tick views (same epoch as the views' {@code nowNanos}). */
    static <T> Behavior<Command> create(
            Policy policy, ActorRef<T> target, Function<Action, T> adapter, Duration tickInterval, LongSupplier clock) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, tickInterval);
            return new PolicyActor(context, policy, action -> target.tell(adapter.apply(action)), clock);
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ViewChanged.class, this::onViewChanged)
                .onMessage(Readable.class, this::onReadable)
                .onMessage(Heartbeat.class, this::onHeartbeat)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Behavior<Command> onViewChanged(ViewChanged message) {
        return decide(message.view(), false);
    }

    private Behavior<Command> onReadable(Readable message) {
        PoolView v = message.view();
        return decide(v.readable() ? v : copy(v, true, v.nowNanos()), false);
    }

    private Behavior<Command> onHeartbeat(Heartbeat message) {
        PoolView v = message.view();
        return decide(v.readable() ? copy(v, false, v.nowNanos()) : v, true);
    }

    private Behavior<Command> onTick() {
        if (latest == null) {
            return this;
        }
        return decide(copy(latest, false, clock.getAsLong()), true);
    }

    private Behavior<Command> decide(PoolView view, boolean tick) {
        latest = view;
        Policy.Decision decision = policy.decide(view, tick);
        policy = decision.next();
        decision.actions().forEach(target);
        return this;
    }

    private static PoolView copy(PoolView v, boolean readable, long nowNanos) {
        return new PoolView(v.pool(), v.pm(), v.workers(), v.spawnsPending(), v.connectionsWaiting(),
                readable, v.accountingKnown(), nowNanos);
    }
}
