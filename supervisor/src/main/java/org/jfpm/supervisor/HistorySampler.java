package org.jfpm.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.jfpm.pool.PoolStatus;
import org.jfpm.supervisor.status.History;
import org.jfpm.supervisor.status.StatusSource;

/**
 * Feeds the dashboard's {@link History}: one timer for every pool, every {@code interval} (1 s), one
 * sample of each pool read from the same {@link StatusSource} the status page renders (the master's
 * reads the scoreboards on this thread: a few µs for a small idle pool). Runs only while the HTTP
 * status server is on; nothing else wakes it.
 */
final class HistorySampler extends AbstractBehavior<HistorySampler.Command> {

    sealed interface Command permits Tick {
    }

    private enum Tick implements Command { INSTANCE }

    static Behavior<Command> create(StatusSource source, History history, Duration interval) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerAtFixedRate(Tick.INSTANCE, interval);
            return new HistorySampler(ctx, source, history);
        }));
    }

    private final StatusSource source;
    private final History history;

    private HistorySampler(ActorContext<Command> ctx, StatusSource source, History history) {
        super(ctx);
        this.source = source;
        this.history = history;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    /** A sample now, when the source answers at once (the master's always does); else this second is skipped. */
    private Behavior<Command> onTick() {
        CompletableFuture<List<PoolStatus>> pools = source.pools().toCompletableFuture();
        if (!pools.isDone()) {
            return this;
        }
        try {
            history.record(pools.join(), System.currentTimeMillis());
        } catch (CompletionException | CancellationException e) {
            getContext().getLog().debug("history: no sample this second: {}", e.toString());
        }
        return this;
    }
}
