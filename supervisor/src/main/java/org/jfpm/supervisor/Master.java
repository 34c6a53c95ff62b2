package org.jfpm.supervisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.jfpm.pool.PoolActor;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.os.ListenSocket;
import org.jfpm.scoreboard.Scoreboard;

/**
 * The guardian: one {@link PoolActor} per pool, the supervisor's reaction to signals, and the
 * directory of pools for the status server. Stops itself (and so the actor system) when every pool
 * has stopped.
 *
 * <p>A stop closes each pool's listening socket as soon as the pool has stopped polling it, then
 * waits for the pool's workers.
 *
 * <p>Signals (see docs/signals.md): TERM = graceful stop, INT = fast stop, a second TERM/INT during
 * a graceful stop = fast stop; HUP = reload (not in this version: logged and ignored); USR1 = reopen
 * logs (jfpm logs to stderr, so there is nothing to reopen: logged).
 */
public final class Master extends AbstractBehavior<Master.Command> {

    public sealed interface Command permits SignalReceived, GetPools, PoolStopping, PoolTerminated {
    }

    /** A signal the JVM delivered to the supervisor, by name without "SIG" ("TERM", "INT", "HUP", "USR1"). */
    public record SignalReceived(String name) implements Command {
    }

    /** Reply with the live pools, by name, in configuration order. */
    public record GetPools(ActorRef<Pools> replyTo) implements Command {
    }

    public record Pools(Map<String, ActorRef<PoolActor.Command>> byName) {
        public Pools {
            byName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        }
    }

    private record PoolStopping(PoolActor.StopProgress progress) implements Command {
    }

    private record PoolTerminated(String pool) implements Command {
    }

    /** What the master starts a pool with: its config, its (supervisor-owned) socket and its scoreboard. */
    public record PoolSetup(PoolConfig config, ListenSocket listener, Scoreboard scoreboard) {
    }

    /**
     * @param exitStatus set to 1 when a pool fails; the supervisor exits with it once the master has stopped
     */
    public static Behavior<Command> create(List<PoolSetup> pools, PoolRuntime runtime, AtomicInteger exitStatus) {
        return Behaviors.setup(ctx -> new Master(ctx, pools, runtime, exitStatus));
    }

    private final Map<String, ActorRef<PoolActor.Command>> pools = new LinkedHashMap<>();
    private final Map<String, ListenSocket> listeners = new LinkedHashMap<>();
    private final ActorRef<PoolActor.StopProgress> stoppedAdapter;
    private final AtomicInteger exitStatus;
    private boolean stopping;
    private boolean fastStopSent;

    private Master(ActorContext<Command> ctx, List<PoolSetup> setups, PoolRuntime runtime, AtomicInteger exitStatus) {
        super(ctx);
        this.exitStatus = exitStatus;
        this.stoppedAdapter = ctx.messageAdapter(PoolActor.StopProgress.class, PoolStopping::new);
        for (PoolSetup s : setups) {
            ActorRef<PoolActor.Command> ref = ctx.spawn(
                    PoolActor.create(s.config(), s.listener(), s.scoreboard(), runtime), "pool-" + s.config().name());
            ctx.watchWith(ref, new PoolTerminated(s.config().name()));
            pools.put(s.config().name(), ref);
            listeners.put(s.config().name(), s.listener());
        }
        ctx.getLog().debug("started {} pool(s): {}", pools.size(), String.join(", ", pools.keySet()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(SignalReceived.class, m -> onSignal(m.name()))
                .onMessage(GetPools.class, this::onGetPools)
                .onMessage(PoolStopping.class, m -> onPoolStopping(m.progress()))
                .onMessage(PoolTerminated.class, m -> onPoolTerminated(m.pool()))
                .build();
    }

    private Behavior<Command> onSignal(String name) {
        switch (name) {
            case "TERM", "INT" -> {
                boolean graceful = name.equals("TERM") && !stopping;
                if (stopping && (fastStopSent || graceful)) {
                    return this;
                }
                if (!graceful) {
                    fastStopSent = true;
                }
                getContext().getLog().info("received SIG{}, {} stop", name, graceful ? "graceful" : "fast");
                stopping = true;
                for (ActorRef<PoolActor.Command> p : pools.values()) {
                    p.tell(new PoolActor.Stop(graceful, stoppedAdapter));
                }
                return pools.isEmpty() ? Behaviors.stopped() : this;
            }
            case "HUP" -> getContext().getLog().warn(
                    "received SIGHUP: graceful reload is not part of this version; configuration unchanged");
            case "USR1" -> getContext().getLog().info(
                    "received SIGUSR1: logs go to stderr, nothing to reopen");
            default -> getContext().getLog().warn("received SIG{}: ignored", name);
        }
        return this;
    }

    private Behavior<Command> onGetPools(GetPools m) {
        m.replyTo().tell(new Pools(pools));
        return this;
    }

    /**
     * A pool that terminates without having reported Stopped has failed (a bug; it killed its own
     * workers on the way out). jfpm then stops the other pools gracefully and exits with status 1, so
     * that systemd or Kubernetes restarts it clean, rather than run on with a pool nobody serves.
     */
    private Behavior<Command> onPoolTerminated(String pool) {
        if (!pools.containsKey(pool)) {
            return this;
        }
        pools.remove(pool);
        ListenSocket l = listeners.remove(pool);
        if (l != null) {
            l.close();
        }
        if (stopping) {
            // stopped (its Stopped may still be on its way) or failed while stopping: gone either way
            return afterPoolGone();
        }
        getContext().getLog().error("[pool {}] failed; stopping jfpm (exit status 1)", pool);
        exitStatus.set(1);
        stopping = true;
        for (ActorRef<PoolActor.Command> p : pools.values()) {
            p.tell(new PoolActor.Stop(true, stoppedAdapter));
        }
        return afterPoolGone();
    }

    /** Listeners close as soon as their pool stops polling them (a unix socket's path goes at once). */
    private Behavior<Command> onPoolStopping(PoolActor.StopProgress m) {
        if (m instanceof PoolActor.ListenerReleased) {
            ListenSocket l = listeners.remove(m.pool());
            if (l != null) {
                l.close();
                getContext().getLog().debug("[pool {}] listener {} closed", m.pool(), l.address());
            }
            return this;
        }
        pools.remove(m.pool());
        return afterPoolGone();
    }

    private Behavior<Command> afterPoolGone() {
        if (pools.isEmpty()) {
            getContext().getLog().info("exiting, bye-bye!");
            return Behaviors.stopped();
        }
        getContext().getLog().debug("waiting for pool(s) {}", new ArrayList<>(pools.keySet()));
        return this;
    }
}
