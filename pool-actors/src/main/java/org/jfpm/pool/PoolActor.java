package org.jfpm.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.jfpm.os.ChildProcess;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.Pipe;
import org.jfpm.os.ProcFs;
import org.jfpm.os.Signals;
import org.jfpm.os.SpawnSpec;
import org.jfpm.pool.policy.Action;
import org.jfpm.pool.policy.Policies;
import org.jfpm.pool.policy.PolicyActor;
import org.jfpm.pool.policy.PoolView;
import org.jfpm.pool.policy.WorkerView;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;
import org.slf4j.Logger;

/**
 * One pool: owns its scoreboard and its children {pid → Child}, carries out its policy actor's
 * Spawn/Bury decisions, and is the only place that spawns, signals and forgets its workers.
 *
 * <p>Threading: native work happens elsewhere — spawns on the runtime's spawn thread, exits on the
 * reaper thread, readiness on the readiness thread — and comes back as private messages; state
 * changes only in message handlers.
 *
 * <p>Trust: pids are known only from our own spawns. The scoreboard (written by workers) feeds the
 * policy's view and the status page, never the choice of which pid to signal: a slot whose pid does
 * not match the child we spawned into it reads as {@link RequestStage#STARTING}.
 *
 * <p>The listening socket is the supervisor's: the pool polls it and passes it to workers, but never
 * closes it, so that a later generation of the pool can take it over.
 */
public final class PoolActor extends AbstractBehavior<PoolActor.Command> {

    /** The pool's protocol. */
    public sealed interface Command permits GetStatus, Stop, PolicyDecided, Spawned, SpawnFailed, ChildExited,
            Readable, Rearm, Tick, TimeoutCheck, StopTimeout {
    }

    /** Reply with a live {@link PoolStatus}. */
    public record GetStatus(ActorRef<PoolStatus> replyTo) implements Command {
    }

    /**
     * Stop every worker (graceful: stop-signal, SIGKILL after process-control-timeout; fast: SIGKILL
     * after 1 s). The replyTo hears {@link ListenerReleased} at once, then {@link Stopped}.
     */
    public record Stop(boolean graceful, ActorRef<StopProgress> replyTo) implements Command {
    }

    /** What a stopping pool tells the one who stopped it. */
    public sealed interface StopProgress permits ListenerReleased, Stopped {
        String pool();
    }

    /**
     * The pool no longer polls its listening socket and will spawn no worker on it: its owner may
     * close it now (workers still hold their own fd 0 until they exit).
     */
    public record ListenerReleased(String pool) implements StopProgress {
    }

    /** The last worker is gone and the scoreboard file is removed. */
    public record Stopped(String pool) implements StopProgress {
    }

    /** An action from the policy actor. */
    public record PolicyDecided(Action action) implements Command {
    }

    private record Spawned(int slot, long generation, ChildProcess process) implements Command {
    }

    private record SpawnFailed(int slot, String error) implements Command {
    }

    private record ChildExited(long pid, ExitStatus status) implements Command {
    }

    private enum Readable implements Command { INSTANCE }

    private enum Rearm implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    private enum TimeoutCheck implements Command { INSTANCE }

    private enum StopTimeout implements Command { INSTANCE }

    /** A live worker, as only the master knows it. */
    private static final class Child {
        final ChildProcess process;
        final int slot;
        final long generation;
        long buriedAtNanos = -1;
        boolean killSent;
        boolean killedByPm;
        long slowLoggedFor = -1;
        long terminatedFor = -1;

        Child(ChildProcess process, int slot, long generation) {
            this.process = process;
            this.slot = slot;
            this.generation = generation;
        }

        long pid() {
            return process.pid();
        }

        boolean retiring() {
            return buriedAtNanos >= 0;
        }
    }

    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration REARM_DELAY = Duration.ofMillis(10);
    static final Duration MAX_REARM_DELAY = Duration.ofMillis(80);
    static final Duration FAST_STOP_KILL_AFTER = Duration.ofSeconds(1);
    static final Duration MIN_TIMEOUT_CHECK = Duration.ofMillis(130);

    public static Behavior<Command> create(PoolConfig config, ListenSocket listener, Scoreboard scoreboard,
                                           PoolRuntime runtime) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new PoolActor(ctx, timers, config, listener, scoreboard, runtime)));
    }

    private final TimerScheduler<Command> timers;
    private final PoolConfig config;
    private final ListenSocket listener;
    private final Scoreboard scoreboard;
    private final ScoreboardReader reader;
    private final PoolRuntime runtime;
    private final Logger log;
    private final String tag;
    private final ActorRef<PolicyActor.Command> policy;
    private final Map<Long, Child> children = new HashMap<>();
    private final boolean watchReadiness;
    /** Computed once: the spawn path only adds the slot (the prefix may read /etc/passwd). */
    private final Map<String, String> launchEnv;
    private final List<String> launchPrefix;
    private long generation = 1;
    private int spawnsPending;
    private SpawnBackoff backoff = SpawnBackoff.none();
    private boolean armed;
    /** Readable events in a row that led to no spawn: the re-arm delay doubles with each (see onReadable). */
    private int quietReadables;
    private ActorRef<StopProgress> stopReplyTo;
    private boolean stopKillSent;
    private boolean stoppedCleanly;

    private PoolActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, PoolConfig config,
                      ListenSocket listener, Scoreboard scoreboard, PoolRuntime runtime) {
        super(ctx);
        this.timers = timers;
        this.config = config;
        this.listener = listener;
        this.scoreboard = scoreboard;
        this.reader = scoreboard.reader();
        this.runtime = runtime;
        this.log = ctx.getLog();
        this.tag = "[pool " + config.name() + "]";
        this.watchReadiness = config.pm().mode() != org.jfpm.scoreboard.PmMode.STATIC;
        this.launchEnv = WorkerLaunch.environment(config, scoreboard.path(), runtime.preloadLibrary(),
                runtime.supervisorEnv());
        this.launchPrefix = WorkerLaunch.prefix(config, runtime.launcher(), ProcFs.selfPid());
        scoreboard.setGeneration(generation);
        this.policy = ctx.spawn(PolicyActor.create(Policies.forMode(config.pm()), ctx.getSelf(),
                PolicyDecided::new), "policy");
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
        timeoutCheckInterval().ifPresent(d -> timers.startTimerWithFixedDelay(TimeoutCheck.INSTANCE, d));
        arm();
        policy.tell(new PolicyActor.ViewChanged(view(false)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(PolicyDecided.class, m -> onPolicyDecided(m.action()))
                .onMessage(Spawned.class, this::onSpawned)
                .onMessage(SpawnFailed.class, this::onSpawnFailed)
                .onMessage(ChildExited.class, this::onChildExited)
                .onMessageEquals(Readable.INSTANCE, this::onReadable)
                .onMessageEquals(Rearm.INSTANCE, this::onRearm)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessageEquals(TimeoutCheck.INSTANCE, this::onTimeoutCheck)
                .onMessageEquals(StopTimeout.INSTANCE, this::onStopTimeout)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(Stop.class, this::onStop)
                .onSignal(PostStop.class, s -> onPostStop())
                .build();
    }

    // ---- policy decisions ------------------------------------------------------------------

    private Behavior<Command> onPolicyDecided(Action action) {
        if (stopping()) {
            return this;
        }
        if (action instanceof Action.Spawn s) {
            quietReadables = 0;
            spawn(s.count(), s.reason());
        } else if (action instanceof Action.Bury b) {
            bury(b.pid(), b.mode(), b.reason());
        } else if (action instanceof Action.MaxChildrenReached) {
            scoreboard.incrementMaxChildrenReached();
        } else if (action instanceof Action.Log l) {
            logAt(l.level(), l.message());
        }
        return this;
    }

    private void spawn(int requested, String reason) {
        long now = System.nanoTime();
        if (!backoff.allowsSpawnAt(now)) {
            log.debug("{} spawn of {} deferred by crash-loop backoff ({} ms left)", tag, requested,
                    backoff.delayNanos(now) / 1_000_000);
            return;
        }
        int room = config.pm().maxChildren() - running();
        int count = Math.min(requested, room);
        for (int i = 0; i < count; i++) {
            int slot = scoreboard.allocate(generation);
            if (slot < 0) {
                log.warn("{} no free scoreboard slot; not spawning", tag);
                break;
            }
            spawnsPending++;
            startSpawn(slot, generation);
        }
        if (count > 0) {
            log.debug("{} spawning {} child(ren): {}", tag, count, reason);
        }
    }

    private void startSpawn(int slot, long gen) {
        SpawnSpec spec = new SpawnSpec(config.command(), WorkerLaunch.forSlot(launchEnv, slot), listener.fd(), -1, -1,
                config.chdir(), launchPrefix);
        ActorRef<Command> self = getContext().getSelf();
        boolean capture = config.catchWorkersOutput();
        String pool = config.name();
        runtime.spawnExecutor().execute(() -> {
            Pipe out = null;
            Pipe err = null;
            try {
                SpawnSpec s = spec;
                if (capture) {
                    out = Pipe.open();
                    err = Pipe.open();
                    s = spec.withStdout(out.writeFd()).withStderr(err.writeFd());
                }
                ChildProcess p = runtime.spawner().spawn(s);
                if (capture) {
                    out.closeWriteEnd();
                    err.closeWriteEnd();
                    WorkerOutput.start(out, pool, p.pid(), "stdout");
                    WorkerOutput.start(err, pool, p.pid(), "stderr");
                }
                runtime.reaper().watch(p, status -> self.tell(new ChildExited(p.pid(), status)));
                self.tell(new Spawned(slot, gen, p));
            } catch (RuntimeException e) {
                if (out != null) {
                    out.close();
                }
                if (err != null) {
                    err.close();
                }
                self.tell(new SpawnFailed(slot, e.getMessage()));
            }
        });
    }

    private void bury(long pid, Action.BuryMode mode, String reason) {
        Child child = children.get(pid);
        if (child == null) {
            log.warn("{} policy asked to stop pid {} which is not a child of this pool; ignored", tag, pid);
            return;
        }
        if (child.retiring()) {
            return;
        }
        child.buriedAtNanos = System.nanoTime();
        child.killedByPm = true;
        int sig = switch (mode) {
            case GRACEFUL -> config.stopSignal();
            case TERMINATE -> Signals.SIGTERM;
            case KILL -> Signals.SIGKILL;
        };
        log.debug("{} stopping child {} with {}: {}", tag, pid, Signals.name(sig), reason);
        child.process.signal(sig);
        sendView(false);
    }

    // ---- OS events -------------------------------------------------------------------------

    private Behavior<Command> onSpawned(Spawned m) {
        spawnsPending--;
        Child child = new Child(m.process(), m.slot(), m.generation());
        children.put(child.pid(), child);
        log.info("{} child {} started", tag, child.pid());
        if (stopping()) {
            child.process.signal(stopKillSent ? Signals.SIGKILL : config.stopSignal());
            return this;
        }
        sendView(false);
        return this;
    }

    private Behavior<Command> onSpawnFailed(SpawnFailed m) {
        spawnsPending--;
        scoreboard.free(m.slot());
        log.error("{} unable to spawn a child: {}", tag, m.error());
        long now = System.nanoTime();
        backoff = backoff.afterExit(0, now);
        if (stopping()) {
            return maybeStopped();
        }
        sendView(false);
        return this;
    }

    private Behavior<Command> onChildExited(ChildExited m) {
        Child child = children.remove(m.pid());
        if (child == null) {
            log.warn("{} exit of unknown pid {} ignored", tag, m.pid());
            return this;
        }
        scoreboard.free(child.slot);
        long now = System.nanoTime();
        long lifetime = now - child.process.spawnedAtNanos();
        String after = String.format("after %d.%06d seconds from start", lifetime / 1_000_000_000L,
                (lifetime / 1000) % 1_000_000);
        if (stopping()) {
            log.info("{} child {} {} {}", tag, child.pid(), m.status().describe(), after);
        } else if (child.killedByPm) {
            log.info("{} child {} has been killed by the process management {} ({})", tag, child.pid(), after,
                    m.status().describe());
        } else if (m.status() instanceof ExitStatus.Exited e && e.code() == 0) {
            log.info("{} child {} {} {}", tag, child.pid(), m.status().describe(), after);
        } else {
            log.warn("{} child {} {} {}", tag, child.pid(), m.status().describe(), after);
        }
        if (stopping()) {
            return maybeStopped();
        }
        if (!child.killedByPm) {
            SpawnBackoff before = backoff;
            backoff = backoff.afterExit(lifetime, now);
            if (backoff.crashes() > SpawnBackoff.FREE_CRASHES && backoff != before) {
                log.warn("{} {} children in a row exited within 1 s of their start; delaying respawns by {} ms",
                        tag, backoff.crashes(), backoff.delayNanos(now) / 1_000_000);
            }
        }
        sendView(false);
        return this;
    }

    private Behavior<Command> onReadable() {
        armed = false;
        if (stopping()) {
            return this;
        }
        PoolView v = view(true);
        policy.tell(v.connectionsWaiting() > 0 ? new PolicyActor.Readable(v) : new PolicyActor.ViewChanged(v));
        timers.startSingleTimer(Rearm.INSTANCE, rearmDelay(quietReadables++));
        return this;
    }

    /**
     * The socket stays readable while connections wait for workers that are still starting (php-cgi:
     * ~50 ms) or while every worker is busy at max-children; re-arming at once would turn that into a
     * stream of views that decide nothing. So the delay starts at 10 ms and doubles with every
     * readable event that led to no spawn, up to 80 ms; any spawn resets it.
     */
    static Duration rearmDelay(int quietReadables) {
        long ms = REARM_DELAY.toMillis() << Math.min(quietReadables, 8);
        return Duration.ofMillis(Math.min(ms, MAX_REARM_DELAY.toMillis()));
    }

    private Behavior<Command> onRearm() {
        arm();
        return this;
    }

    private void arm() {
        if (watchReadiness && !armed && !stopping()) {
            armed = true;
            ActorRef<Command> self = getContext().getSelf();
            runtime.readiness().arm(listener.fd(), () -> self.tell(Readable.INSTANCE));
        }
    }

    // ---- maintenance -----------------------------------------------------------------------

    private Behavior<Command> onTick() {
        scoreboard.heartbeat();
        long now = System.nanoTime();
        for (Child c : children.values()) {
            if (c.retiring() && !c.killSent && now - c.buriedAtNanos > runtime.processControlTimeout().toNanos()) {
                log.warn("{} child {} still alive {} s after its stop signal; sending SIGKILL", tag, c.pid(),
                        runtime.processControlTimeout().toSeconds());
                c.killSent = true;
                c.process.signal(Signals.SIGKILL);
            }
        }
        if (!stopping()) {
            checkRequestTimeouts();
            PoolView v = view(false);
            scoreboard.setActiveRequests(v.workers().stream().filter(w -> isInRequest(w.stage())).count());
            policy.tell(new PolicyActor.ViewChanged(v));
        }
        return this;
    }

    private Behavior<Command> onTimeoutCheck() {
        if (!stopping()) {
            checkRequestTimeouts();
        }
        return this;
    }

    /** PHP-FPM checks every min(terminate, slowlog)/3, never more often than every 130 ms. */
    private Optional<Duration> timeoutCheckInterval() {
        Duration t = config.requestTerminateTimeout();
        Duration s = config.requestSlowlogTimeout();
        Duration min = null;
        for (Duration d : List.of(t, s)) {
            if (!d.isZero() && (min == null || d.compareTo(min) < 0)) {
                min = d;
            }
        }
        if (min == null) {
            return Optional.empty();
        }
        Duration third = min.dividedBy(3);
        return Optional.of(third.compareTo(MIN_TIMEOUT_CHECK) < 0 ? MIN_TIMEOUT_CHECK : third);
    }

    private void checkRequestTimeouts() {
        long terminateUs = config.requestTerminateTimeout().toNanos() / 1000;
        long slowUs = config.requestSlowlogTimeout().toNanos() / 1000;
        if (terminateUs == 0 && slowUs == 0) {
            return;
        }
        long nowUs = epochMicros();
        for (Child c : children.values()) {
            if (c.retiring()) {
                continue;
            }
            SlotSnapshot s = slotOf(c);
            if (s == null || !isInRequest(s.stage()) || s.acceptedTimeUs() <= 0) {
                continue;
            }
            long elapsed = nowUs - s.acceptedTimeUs();
            if (slowUs > 0 && elapsed > slowUs && c.slowLoggedFor != s.acceptedTimeUs()) {
                c.slowLoggedFor = s.acceptedTimeUs();
                scoreboard.incrementSlowRequests();
                log.warn("{} child {}, script '{}' (request: \"{} {}{}{}\") executing too slow ({} sec), logging",
                        tag, c.pid(), s.script(), s.method(), s.uri(), s.queryString().isEmpty() ? "" : "?",
                        s.queryString(), seconds(elapsed));
            }
            if (terminateUs > 0 && elapsed > terminateUs && c.terminatedFor != s.acceptedTimeUs()) {
                c.terminatedFor = s.acceptedTimeUs();
                scoreboard.incrementTerminatedRequests();
                log.warn("{} child {}, script '{}' (request: \"{} {}{}{}\") execution timed out ({} sec), terminating",
                        tag, c.pid(), s.script(), s.method(), s.uri(), s.queryString().isEmpty() ? "" : "?",
                        s.queryString(), seconds(elapsed));
                c.buriedAtNanos = System.nanoTime();
                c.killedByPm = true;
                c.killSent = true;
                c.process.signal(Signals.SIGKILL);
            }
        }
    }

    private static boolean isInRequest(RequestStage stage) {
        return stage == RequestStage.READING_HEADERS || stage == RequestStage.INFO
                || stage == RequestStage.EXECUTING;
    }

    private static String seconds(long micros) {
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    // ---- stop ------------------------------------------------------------------------------

    private Behavior<Command> onStop(Stop m) {
        if (stopping()) {
            if (!m.graceful() && !stopKillSent) {
                timers.startSingleTimer(StopTimeout.INSTANCE, FAST_STOP_KILL_AFTER);
            }
            return this;
        }
        stopReplyTo = m.replyTo();
        getContext().stop(policy);
        if (armed) {
            runtime.readiness().disarm(listener.fd());
            armed = false;
        }
        timers.cancel(Rearm.INSTANCE);
        timers.cancel(TimeoutCheck.INSTANCE);
        stopReplyTo.tell(new ListenerReleased(config.name()));
        for (Child c : children.values()) {
            if (!c.retiring()) {
                c.buriedAtNanos = System.nanoTime();
            }
            c.process.signal(config.stopSignal());
        }
        Duration killAfter = m.graceful() ? runtime.processControlTimeout() : FAST_STOP_KILL_AFTER;
        log.info("{} stopping {} child(ren) ({}; SIGKILL after {} ms)", tag, children.size(),
                m.graceful() ? "graceful" : "fast", killAfter.toMillis());
        timers.startSingleTimer(StopTimeout.INSTANCE, killAfter);
        return maybeStopped();
    }

    private Behavior<Command> onStopTimeout() {
        stopKillSent = true;
        for (Child c : children.values()) {
            log.warn("{} child {} did not stop in time; sending SIGKILL", tag, c.pid());
            c.killSent = true;
            c.process.signal(Signals.SIGKILL);
        }
        return this;
    }

    private Behavior<Command> maybeStopped() {
        if (!children.isEmpty() || spawnsPending > 0) {
            return this;
        }
        scoreboard.delete();
        log.info("{} stopped", tag);
        stoppedCleanly = true;
        stopReplyTo.tell(new Stopped(config.name()));
        return Behaviors.stopped();
    }

    /**
     * A pool that stops without finishing a Stop failed (a bug: an exception in a handler). It must
     * not leave orphans behind: every child it knows gets SIGKILL (the reaper still reaps them), and
     * its scoreboard file goes. Its owner watches it and decides what happens next.
     */
    private Behavior<Command> onPostStop() {
        if (!stoppedCleanly) {
            log.error("{} pool actor failed; killing its {} child(ren)", tag, children.size());
            for (Child c : children.values()) {
                c.process.signal(Signals.SIGKILL);
            }
            if (armed) {
                runtime.readiness().disarm(listener.fd());
            }
            scoreboard.delete();
        }
        return this;
    }

    private boolean stopping() {
        return stopReplyTo != null;
    }

    // ---- views and status --------------------------------------------------------------------

    private Behavior<Command> onGetStatus(GetStatus m) {
        List<Child> ordered = new ArrayList<>(children.values());
        ordered.sort(Comparator.comparingInt(c -> c.slot));
        List<WorkerStatus> workers = new ArrayList<>(ordered.size());
        for (Child c : ordered) {
            SlotSnapshot s = reader.slot(c.slot).orElse(null);
            if (s == null) {
                continue;
            }
            workers.add(new WorkerStatus(c.pid(), s, ProcFs.rssBytes(c.pid())));
        }
        long busy = workers.stream().filter(w -> !w.slot().isIdle()).count();
        scoreboard.updateMaxActive(busy);
        m.replyTo().tell(new PoolStatus(reader.header(), workers, epochMicros(), true));
        return this;
    }

    private void sendView(boolean readable) {
        if (!stopping()) {
            policy.tell(new PolicyActor.ViewChanged(view(readable)));
        }
    }

    private PoolView view(boolean readable) {
        long nowNanos = System.nanoTime();
        long nowUs = epochMicros();
        boolean accounted = config.accounting() != Accounting.NONE;
        List<WorkerView> workers = new ArrayList<>(children.size());
        for (Child c : children.values()) {
            long spawned = c.process.spawnedAtNanos();
            RequestStage stage = RequestStage.STARTING;
            long lastActivity = spawned;
            long requests = 0;
            SlotSnapshot s = accounted ? slotOf(c) : null;
            if (s != null) {
                stage = s.stage();
                requests = s.requests();
                if (s.lastActivityUs() > 0) {
                    long ago = Math.max(0, nowUs - s.lastActivityUs()) * 1000;
                    lastActivity = Math.max(spawned, nowNanos - ago);
                }
            }
            workers.add(new WorkerView(c.pid(), c.slot, c.generation, stage, spawned, lastActivity, requests,
                    c.retiring()));
        }
        int waiting = 0;
        try {
            var q = listener.queueLength();
            waiting = q.waiting();
            scoreboard.setListenQueue(q.waiting(), q.capacity());
        } catch (RuntimeException e) {
            log.debug("{} listen queue length unavailable: {}", tag, e.getMessage());
        }
        PoolView v = new PoolView(config.name(), config.pm(), workers, spawnsPending, waiting, readable, accounted,
                nowNanos);
        scoreboard.updateMaxActive(v.active());
        return v;
    }

    /** The child's slot copy, or null when it is unstable or claims another pid (untrusted input). */
    private SlotSnapshot slotOf(Child c) {
        SlotSnapshot s = reader.slot(c.slot).orElse(null);
        if (s == null || s.pid() != c.pid()) {
            return null;
        }
        return s;
    }

    private int running() {
        int n = spawnsPending;
        for (Child c : children.values()) {
            if (!c.retiring()) {
                n++;
            }
        }
        return n;
    }

    private void logAt(Action.Level level, String message) {
        switch (level) {
            case DEBUG -> log.debug(message);
            case INFO, NOTICE -> log.info(message);
            case WARNING -> log.warn(message);
        }
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
