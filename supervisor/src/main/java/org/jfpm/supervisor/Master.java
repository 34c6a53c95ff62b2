package org.jfpm.supervisor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.jfpm.os.AppendFile;
import org.jfpm.os.ListenSocket;
import org.jfpm.pool.EmergencyRestart;
import org.jfpm.pool.Generation;
import org.jfpm.pool.LiveStatus;
import org.jfpm.pool.PoolActor;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.supervisor.config.ConfigError;
import org.jfpm.supervisor.config.ConfigException;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.slf4j.Logger;

/**
 * The guardian: one {@link PoolActor} per configured pool (plus removed pools still draining), the
 * leases on the listening sockets, the supervisor's reaction to signals, and the directory of pools
 * for the status server. Stops itself (and so the actor system) when every pool has stopped.
 *
 * <p>Pool actors are identified by their ref, never by name alone: a removed pool may still drain
 * while a new pool of the same name starts.
 *
 * <p>Signals (see docs/signals.md): TERM = graceful stop, INT = fast stop, a second TERM/INT during
 * a graceful stop = fast stop; HUP = graceful reload; USR1 = re-open the log file and the access logs
 * (a pool whose access log was rotated starts a new generation, whose workers inherit the new file).
 */
public final class Master extends AbstractBehavior<Master.Command> {

    public sealed interface Command permits Start, SignalReceived, Abort, GetPools, PoolEvent, PoolTerminated {
    }

    /**
     * Start each pool's first generation (sockets open, scoreboards created, no worker yet); the
     * master owns them from here. Sent once, before any signal.
     */
    record Start(List<Generation> first) implements Command {
        Start {
            first = List.copyOf(first);
        }
    }

    /** A signal the JVM delivered to the supervisor, by name without "SIG" ("TERM", "INT", "HUP", "USR1"). */
    public record SignalReceived(String name) implements Command {
    }

    /** Start-up failed after the pools started (the status server cannot listen): a fast stop, logged with the reason. */
    record Abort(String reason) implements Command {
    }

    /** Reply with every live pool actor: the configured pools in configuration order, then draining ones. */
    public record GetPools(ActorRef<Pools> replyTo) implements Command {
    }

    public record Pools(List<ActorRef<PoolActor.Command>> refs) {
        public Pools {
            refs = List.copyOf(refs);
        }
    }

    private record PoolEvent(PoolActor.Event event) implements Command {
    }

    private record PoolTerminated(ActorRef<PoolActor.Command> ref, String pool) implements Command {
    }

    /** Reads the configuration again for a reload (the file the supervisor was started with). */
    @FunctionalInterface
    public interface ConfigSource {
        SupervisorConfig load() throws ConfigException;
    }

    /** A configured pool: its actor, its config and its newest generation number. */
    private static final class Entry {
        final ActorRef<PoolActor.Command> ref;
        PoolConfig config;
        long generation;
        final RestartLimit restarts;

        Entry(ActorRef<PoolActor.Command> ref, PoolConfig config, long generation, RestartLimit restarts) {
            this.ref = ref;
            this.config = config;
            this.generation = generation;
            this.restarts = restarts;
        }
    }

    /** One lease on a listener, by the pool generation that holds it. */
    private record Hold(String pool, long generation) {
    }

    /**
     * A master with no pool yet: they start with {@link Start}.
     *
     * @param exitStatus set to 1 when jfpm must exit with an error; the supervisor exits with it once the master has stopped
     */
    static Behavior<Command> create(SupervisorConfig config, GenerationFactory factory, Listeners listeners,
                                    ConfigSource source, PoolRuntime runtime, AtomicInteger exitStatus) {
        return create(config, factory, listeners, source, runtime, exitStatus, new PoolDirectory(), ServiceNotifier.none());
    }

    /**
     * As above, publishing the live pools to {@code directory} for the status server (see
     * {@link MasterStatusSource}) and telling the service manager about reloads and the stop through
     * {@code notifier}.
     */
    static Behavior<Command> create(SupervisorConfig config, GenerationFactory factory, Listeners listeners,
                                    ConfigSource source, PoolRuntime runtime, AtomicInteger exitStatus,
                                    PoolDirectory directory, ServiceNotifier notifier) {
        return create(config, factory, listeners, source, runtime, exitStatus, directory, notifier, next -> { });
    }

    /**
     * As above; {@code reloaded} is told every configuration a reload accepted, after the pools were
     * told (the FastCGI status sockets follow it). It runs on the master's thread.
     */
    static Behavior<Command> create(SupervisorConfig config, GenerationFactory factory, Listeners listeners,
                                    ConfigSource source, PoolRuntime runtime, AtomicInteger exitStatus,
                                    PoolDirectory directory, ServiceNotifier notifier,
                                    Consumer<SupervisorConfig> reloaded) {
        return Behaviors.setup(ctx -> new Master(ctx, config, factory, listeners, source, runtime, exitStatus,
                directory, notifier, reloaded));
    }

    private final Logger log;
    private final GenerationFactory factory;
    private final Listeners listeners;
    private final ConfigSource source;
    private final PoolRuntime runtime;
    private final AtomicInteger exitStatus;
    private final ServiceNotifier notifier;
    private final ActorRef<PoolActor.Event> events;
    private final EmergencyRestart emergency;
    private final SupervisorConfig startConfig;
    private final Map<String, Entry> pools = new LinkedHashMap<>();
    /** The status of every live pool actor, configured or draining. */
    private final Map<ActorRef<PoolActor.Command>, LiveStatus> statuses = new HashMap<>();
    private final PoolDirectory directory;
    private final Consumer<SupervisorConfig> reloaded;
    /** Pools removed by a reload, still draining. */
    private final Map<ActorRef<PoolActor.Command>, String> draining = new LinkedHashMap<>();
    /** Leases held, by generation; an actor that fails gives all of its back. */
    private final Map<Hold, ListenSocket> holds = new HashMap<>();
    /** Access log leases, by generation: given back with the listener's (no spawn of it can come any more). */
    private final Map<Hold, AppendFile> accessHolds = new HashMap<>();
    private final Map<String, Long> lastGeneration = new HashMap<>();
    /** The master log's target and limit in use (a reload may change them). */
    private org.jfpm.supervisor.config.MasterLog logSettings;
    private int incarnations;
    private boolean stopping;
    private boolean fastStopSent;

    private Master(ActorContext<Command> ctx, SupervisorConfig config, GenerationFactory factory, Listeners listeners,
                   ConfigSource source, PoolRuntime runtime, AtomicInteger exitStatus, PoolDirectory directory,
                   ServiceNotifier notifier, Consumer<SupervisorConfig> reloaded) {
        super(ctx);
        this.directory = directory;
        this.notifier = notifier;
        this.reloaded = reloaded;
        this.log = ctx.getLog();
        this.factory = factory;
        this.listeners = listeners;
        this.source = source;
        this.runtime = runtime;
        this.exitStatus = exitStatus;
        this.startConfig = config;
        this.logSettings = config.log();
        this.emergency = new EmergencyRestart(config.emergencyRestartThreshold(), config.emergencyRestartInterval());
        this.events = ctx.messageAdapter(PoolActor.Event.class, PoolEvent::new);
    }

    private Behavior<Command> onStart(Start m) {
        for (Generation g : m.first()) {
            start(g, new RestartLimit());
        }
        log.debug("started {} pool(s): {}", pools.size(), String.join(", ", pools.keySet()));
        return this;
    }

    private void start(Generation g, RestartLimit restarts) {
        String name = g.pool();
        LiveStatus live = new LiveStatus(g);
        ActorRef<PoolActor.Command> ref = getContext().spawn(PoolActor.create(g, runtime, emergency, events, live),
                "pool-" + name + "-" + (++incarnations));
        statuses.put(ref, live);
        getContext().watchWith(ref, new PoolTerminated(ref, name));
        pools.put(name, new Entry(ref, g.config(), g.number(), restarts));
        held(g);
    }

    private void held(Generation g) {
        holds.put(new Hold(g.pool(), g.number()), g.listener());
        if (g.accessLog() != null) {
            accessHolds.put(new Hold(g.pool(), g.number()), g.accessLog());
        }
        lastGeneration.put(g.pool(), g.number());
    }

    private long nextGeneration(String pool) {
        return lastGeneration.getOrDefault(pool, 0L) + 1;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Start.class, m -> published(onStart(m)))
                .onMessage(SignalReceived.class, m -> published(onSignal(m.name())))
                .onMessage(Abort.class, m -> published(onAbort(m.reason())))
                .onMessage(GetPools.class, this::onGetPools)
                .onMessage(PoolEvent.class, m -> published(onPoolEvent(m.event())))
                .onMessage(PoolTerminated.class, m -> published(onPoolTerminated(m)))
                .build();
    }

    /** After a message that may have started, removed or lost pools: the status server's directory follows. */
    private Behavior<Command> published(Behavior<Command> next) {
        publishDirectory();
        return next;
    }

    private void publishDirectory() {
        List<LiveStatus> live = new ArrayList<>(pools.size() + draining.size());
        for (Entry e : pools.values()) {
            live.add(statuses.get(e.ref));
        }
        for (ActorRef<PoolActor.Command> ref : draining.keySet()) {
            live.add(statuses.get(ref));
        }
        directory.publish(live);
    }

    private Behavior<Command> onAbort(String reason) {
        if (stopping && fastStopSent) {
            return this;
        }
        fastStopSent = true;
        log.warn("{}: fast stop", reason);
        return stopAll(false);
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
                log.info("received SIG{}, {} stop", name, graceful ? "graceful" : "fast");
                return stopAll(graceful);
            }
            case "HUP" -> {
                if (stopping) {
                    log.warn("received SIGHUP while stopping: no reload");
                } else {
                    log.info("received SIGHUP, Reloading in progress ...");
                    notifier.reloading();
                    notifier.reloaded(reload());
                }
            }
            case "USR1" -> reopenLogs();
            default -> log.warn("received SIG{}: ignored", name);
        }
        return this;
    }

    /**
     * SIGUSR1, for logrotate: the master's log file is opened again; so is each access log whose path
     * now names another file, onto the same fd number. Workers hold the old descriptor, so each pool
     * writing a rotated access log starts a new generation (as a reload does: the new workers, which
     * inherit the new file, start first; the old ones drain and write their last lines to the old file).
     * PHP-FPM recycles all of its children on USR1 for the same reason.
     */
    private void reopenLogs() {
        log.info("received SIGUSR1, re-opening the log files");
        try {
            Logging.reopen().ifPresentOrElse(what -> log.info("{} re-opened", what),
                    () -> log.debug("the log goes to stderr: nothing to re-open"));
        } catch (java.io.IOException e) {
            log.error("unable to re-open the log file: {}", e.getMessage());
        }
        java.util.List<java.nio.file.Path> reopened = factory.accessLogs().reopenReplaced();
        for (java.nio.file.Path p : reopened) {
            log.info("access log file {} re-opened", p);
        }
        if (stopping || reopened.isEmpty()) {
            return;
        }
        for (Entry e : pools.values()) {
            java.nio.file.Path p = e.config.logs().accessLog();
            if (p != null && reopened.contains(p)) {
                long number = nextGeneration(e.config.name());
                try {
                    Generation g = factory.create(e.config, number);
                    held(g);
                    e.generation = number;
                    e.ref.tell(new PoolActor.Reload(g));
                    log.info("[pool {}] access log re-opened: generation {} starts with the new file", e.config.name(),
                            number);
                } catch (RuntimeException ex) {
                    log.error("[pool {}] cannot start a generation on the new access log: {}; its workers keep "
                            + "writing to the old file", e.config.name(), ex.getMessage());
                }
            }
        }
    }

    private Behavior<Command> stopAll(boolean graceful) {
        stopping = true;
        notifier.stopping(graceful);
        for (Entry e : pools.values()) {
            e.ref.tell(new PoolActor.Stop(graceful));
        }
        for (ActorRef<PoolActor.Command> ref : draining.keySet()) {
            ref.tell(new PoolActor.Stop(graceful));
        }
        return afterPoolGone();
    }

    // ---- reload ------------------------------------------------------------------------------

    /** Reloads the configuration; returns null when it was applied, else why it was rejected (for the service manager's status). */
    private String reload() {
        SupervisorConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            log.error("reload rejected: {} error(s) in the configuration; running pools unchanged", e.errors().size());
            for (ConfigError error : e.errors()) {
                log.error("reload rejected: {}", error);
            }
            return e.errors().size() + " error(s) in the configuration";
        } catch (RuntimeException e) {
            log.error("reload rejected: cannot read the configuration ({}); running pools unchanged", e.toString());
            return "cannot read the configuration";
        }
        warnAboutRestartOnlySettings(next);
        Logging.setLevel(next.logLevel());
        if (!next.log().equals(logSettings)) {
            try {
                Logging.setOutput(next.log());
                log.info("logging to {} (lines of at most {} bytes)", next.log().describe(), next.log().limit());
                logSettings = next.log();
            } catch (java.io.IOException e) {
                log.error("jfpm.log-file = \"{}\": {}; logging to {} as before", next.log().describe(), e.getMessage(),
                        logSettings.describe());
            }
        }
        Map<String, PoolConfig> running = new LinkedHashMap<>();
        pools.forEach((n, e) -> running.put(n, e.config));
        ReloadPlan plan = ReloadPlan.diff(running, next.pools());
        log.info("reloading {}: {}", next.source(), plan.summary());
        for (String name : plan.removed()) {
            Entry e = pools.remove(name);
            log.info("[pool {}] removed from the configuration: draining", name);
            draining.put(e.ref, name);
            e.ref.tell(new PoolActor.Stop(true));
        }
        for (PoolConfig p : plan.changed()) {
            Entry e = pools.get(p.name());
            long number = nextGeneration(p.name());
            Generation g;
            try {
                g = factory.create(p, number);
            } catch (RuntimeException ex) {
                log.error("[pool {}] reload failed: {}; generation {} keeps running", p.name(), ex.getMessage(),
                        e.generation);
                continue;
            }
            held(g);
            e.config = p;
            e.generation = number;
            e.ref.tell(new PoolActor.Reload(g));
        }
        for (PoolConfig p : plan.added()) {
            try {
                Generation g = factory.create(p, nextGeneration(p.name()));
                start(g, new RestartLimit());
                log.info("[pool {}] added: listening on {}", p.name(), p.listen());
            } catch (RuntimeException ex) {
                log.error("[pool {}] cannot be added: {}", p.name(), ex.getMessage());
            }
        }
        for (String name : plan.unchanged()) {
            log.debug("[pool {}] unchanged", name);
        }
        try {
            reloaded.accept(next);
        } catch (RuntimeException e) {
            log.error("reload: {}", e.toString());
        }
        notifier.pools(pools.size());
        return null;
    }

    private void warnAboutRestartOnlySettings(SupervisorConfig next) {
        if (!next.scoreboardDir().equals(startConfig.scoreboardDir())) {
            log.warn("jfpm.scoreboard-dir changed to {}: takes effect when jfpm restarts; keeping {}",
                    next.scoreboardDir(), startConfig.scoreboardDir());
        }
        if (!next.statusListen().equals(startConfig.statusListen())) {
            log.warn("jfpm.status.listen changed: takes effect when jfpm restarts");
        }
        if (!java.util.Objects.equals(next.pidFile(), startConfig.pidFile())) {
            log.warn("jfpm.pid-file changed: takes effect when jfpm restarts");
        }
        if (!next.processControlTimeout().equals(startConfig.processControlTimeout())
                || next.emergencyRestartThreshold() != startConfig.emergencyRestartThreshold()
                || !next.emergencyRestartInterval().equals(startConfig.emergencyRestartInterval())) {
            log.warn("jfpm.process-control-timeout and emergency-restart-* changed: take effect when jfpm restarts");
        }
    }

    // ---- pool events -------------------------------------------------------------------------

    private Behavior<Command> onGetPools(GetPools m) {
        List<ActorRef<PoolActor.Command>> refs = new ArrayList<>();
        pools.values().forEach(e -> refs.add(e.ref));
        refs.addAll(draining.keySet());
        m.replyTo().tell(new Pools(refs));
        return this;
    }

    private Behavior<Command> onPoolEvent(PoolActor.Event event) {
        if (event instanceof PoolActor.ListenerReleased r) {
            ListenSocket s = holds.remove(new Hold(r.pool(), r.generation()));
            if (s != null) {
                listeners.release(s);
            }
            factory.accessLogs().release(accessHolds.remove(new Hold(r.pool(), r.generation())));
        } else if (event instanceof PoolActor.RestartWanted w) {
            Entry e = pools.get(w.pool());
            if (e != null && !stopping && e.generation == w.generation()) {
                restart(e, w.reason());
            }
        } else if (event instanceof PoolActor.Stopped s) {
            log.debug("[pool {}] reported stopped", s.pool());
        }
        return this;
    }

    /** A new generation of the same configuration (emergency restart). */
    private void restart(Entry e, String reason) {
        long number = nextGeneration(e.config.name());
        try {
            Generation g = factory.create(e.config, number);
            held(g);
            e.generation = number;
            e.ref.tell(new PoolActor.Reload(g));
            log.warn("[pool {}] restarting as generation {}: {}", e.config.name(), number, reason);
        } catch (RuntimeException ex) {
            log.error("[pool {}] cannot restart: {}", e.config.name(), ex.getMessage());
        }
    }

    /**
     * A pool actor terminated. Draining or stopping ones are simply gone. A configured pool that
     * terminates without being asked has failed (a bug; it killed its own workers on the way out): it
     * is started again as a new generation, on the same socket, within {@link RestartLimit}; past the
     * limit jfpm stops and exits 1. Any lease the dead actor still held is given back (after the new
     * generation took its own, so the socket stays open).
     */
    private Behavior<Command> onPoolTerminated(PoolTerminated m) {
        Entry e = pools.get(m.pool());
        boolean failedCurrent = e != null && e.ref.equals(m.ref());
        draining.remove(m.ref());
        statuses.remove(m.ref());
        if (failedCurrent) {
            pools.remove(m.pool());
        }
        if (failedCurrent && !stopping) {
            if (e.restarts.allowRestart(System.nanoTime())) {
                log.error("[pool {}] pool actor failed; starting it again", m.pool());
                try {
                    Generation g = factory.create(e.config, nextGeneration(m.pool()));
                    start(g, e.restarts);
                } catch (RuntimeException ex) {
                    log.error("[pool {}] cannot be started again: {}", m.pool(), ex.getMessage());
                }
            } else {
                log.error("[pool {}] failed {} times within {} s; stopping jfpm (exit status 1)", m.pool(),
                        RestartLimit.MAX + 1, RestartLimit.WINDOW.toSeconds());
                exitStatus.set(1);
                stopAll(true);
            }
        }
        releaseHoldsOf(m.pool(), m.ref());
        return afterPoolGone();
    }

    /** Gives back the leases of the terminated actor's generations (those not newer than its last one). */
    private void releaseHoldsOf(String pool, ActorRef<PoolActor.Command> ref) {
        Entry live = pools.get(pool);
        long keepFrom = live == null ? Long.MAX_VALUE : live.generation;
        List<Hold> gone = new ArrayList<>();
        for (Hold h : holds.keySet()) {
            if (h.pool().equals(pool) && h.generation() < keepFrom) {
                gone.add(h);
            }
        }
        for (Hold h : gone) {
            listeners.release(holds.remove(h));
            factory.accessLogs().release(accessHolds.remove(h));
        }
    }

    private Behavior<Command> afterPoolGone() {
        if (stopping && pools.isEmpty() && draining.isEmpty()) {
            log.info("exiting, bye-bye!");
            return Behaviors.stopped();
        }
        return this;
    }
}
