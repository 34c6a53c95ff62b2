package org.jfpm.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jfpm.pool.PoolActor;
import org.jfpm.pool.PoolStatus;
import org.jfpm.supervisor.status.StatusSource;

/** Live pool statuses for the status server: asks the master for its pools, then each pool for its status. */
final class MasterStatusSource implements StatusSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final ActorSystem<Master.Command> system;

    MasterStatusSource(ActorSystem<Master.Command> system) {
        this.system = system;
    }

    @Override
    public CompletionStage<List<PoolStatus>> pools() {
        return AskPattern.<Master.Command, Master.Pools>ask(system, Master.GetPools::new, TIMEOUT, system.scheduler())
                .thenCompose(pools -> {
                    List<CompletableFuture<PoolStatus>> asks = new ArrayList<>();
                    for (ActorRef<PoolActor.Command> ref : pools.refs()) {
                        asks.add(AskPattern.<PoolActor.Command, PoolStatus>ask(ref, PoolActor.GetStatus::new, TIMEOUT,
                                system.scheduler()).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(asks.toArray(new CompletableFuture[0]))
                            .thenApply(v -> asks.stream().map(CompletableFuture::join).toList());
                });
    }
}
