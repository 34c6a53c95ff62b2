package org.jfpm.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.jfpm.os.ChildProcess;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Signals;
import org.jfpm.os.SpawnSpec;
import org.jfpm.os.TemplateControl;
import org.jfpm.pool.policy.Action;
import org.jfpm.pool.policy.Policies;
import org.jfpm.pool.policy.PolicyActor;
import org.jfpm.pool.policy.PoolView;
import org.jfpm.pool.policy.WorkerView;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.ReadBudget;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;
import org.slf4j.Logger;

/**
 * One pool: its generations (the current one and any still draining after a reload), their
 * children, and its policy actor. It carries out the policy's Spawn/Bury decisions for the current
 * generation, drains old generations as the new one becomes ready, and is the only place that
 * spawns and forgets its workers (signals go through {@link Terminator}).
 *
 * <p>Threading: native work happens elsewhere — spawns on the runtime's spawn thread (results come
 * back through {@code pipeToSelf}), exits on the reaper thread, readiness on the readiness thread —
 * and state changes only in message handlers.
 *
 * <p>Trust: pids are known only from our own spawns. The scoreboard (written by workers) feeds the
 * policy's view and the status page, never the choice of which pid to signal: a slot whose pid does
 * not match the child we spawned into it reads as {@link RequestStage#STARTING}.
 *
 * <p>Listening sockets are leased from the owner: a generation hands its socket back with
 * {@link ListenerReleased} once it has no spawn in flight and will start none (the owner closes a
 * socket when its last lease is back).
 */
public final class PoolActor extends AbstractBehavior<PoolActor.Command> {

    /** The pool's protocol. */
    public sealed interface Command permits GetStatus, Stop, Reload, PolicyDecided, Spawned, SpawnFailed,
            ChildExited, Readable, Rearm, Tick, TimeoutCheck, DrainCheck, TemplateStarted, TemplateFailed,
            TemplateReadable, TemplateRetry, TemplateWait, TemplateReadyTimeout {
    }

    /** Reply with a live {@link PoolStatus} (every generation's workers, the newest first). */
    public record GetStatus(ActorRef<PoolStatus> replyTo) implements Command {
    }

    /**
     * Stop every worker: the stop-signal now (graceful: a worker in a request gets it when the
     * request is done, as far as the scoreboard tells), SIGKILL after process-control-timeout
     * (graceful) or 1 s (fast). A fast stop during a graceful one shortens the deadline. The owner hears
     * {@link ListenerReleased} per generation, then {@link Stopped}.
     */
    public record Stop(boolean graceful) implements Command {
    }

    /**
     * Start {@code next} as the current generation and drain the others: their idle workers get the
     * stop-signal as new workers become ready, busy ones after their request, SIGKILL after
     * process-control-timeout. {@code next.number()} must be greater than the current one's.
     */
    public record Reload(Generation next) implements Command {
    }

    /** What the pool tells its owner. */
    public sealed interface Event permits ListenerReleased, Stopped, RestartWanted {
        String pool();
    }

    /**
     * A generation will not use {@code listener} again (no spawn in flight, none to come): its lease
     * is back. Workers still hold their own fd 0 until they exit.
     */
    public record ListenerReleased(String pool, long generation, ListenSocket listener) implements Event {
    }

    /** The last worker is gone, every scoreboard file is removed, and the actor stops. */
    public record Stopped(String pool) implements Event {
    }

    /** The emergency-restart threshold was reached: the owner should reload the pool as a new generation. */
    public record RestartWanted(String pool, long generation, String reason) implements Event {
    }

    /** An action from the policy actor of generation {@code generation}; stale ones are ignored. */
    public record PolicyDecided(long generation, Action action) implements Command {
    }

    private record Spawned(SpawnTicket ticket, Generation generation, ChildProcess process, boolean forked,
                           String forkError) implements Command {
    }

    private record TemplateStarted(Template template) implements Command {
    }

    private record TemplateFailed(Generation generation, String error) implements Command {
    }

    private record TemplateReadable(long pid) implements Command {
    }

    private record TemplateRetry(long generation) implements Command {
    }

    private record TemplateWait(long generation) implements Command {
    }

    private record TemplateReadyTimeout(long pid) implements Command {
    }

    private record SpawnFailed(SpawnTicket ticket, Generation generation, String error) implements Command {
    }

    private record ChildExited(long pid, ExitStatus status) implements Command {
    }

    private enum Readable implements Command { INSTANCE }

    private enum Rearm implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    private enum TimeoutCheck implements Command { INSTANCE }

    private enum DrainCheck implements Command { INSTANCE }

    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration REARM_DELAY = Duration.ofMillis(10);
    static final Duration MAX_REARM_DELAY = Duration.ofMillis(80);
    static final Duration FAST_STOP_KILL_AFTER = Duration.ofSeconds(1);
    /** While draining or stopping: how often idle old workers are looked for and deadlines checked. */
    static final Duration DRAIN_CHECK = Duration.ofMillis(50);

    public static Behavior<Command> create(Generation first, PoolRuntime runtime, EmergencyRestart emergency,
                                           ActorRef<Event> owner) {
        return create(first, runtime, emergency, owner, new LiveStatus(first));
    }

    /** As {@link #create(Generation, PoolRuntime, EmergencyRestart, ActorRef)}, publishing the pool's status to {@code live} for readers on other threads. */
    public static Behavior<Command> create(Generation first, PoolRuntime runtime, EmergencyRestart emergency,
                                           ActorRef<Event> owner, LiveStatus live) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new PoolActor(ctx, timers, first, runtime, emergency, owner, live)));
    }

    private final TimerScheduler<Command> timers;
    private final PoolRuntime runtime;
    private final ActorRef<Event> owner;
    private final Logger log;
    private final String tag;
    private final Children children = new Children();
    private final Terminator terminator;
    private final CrashBrake brake;
    private final EmergencyRestart emergency;
    /** Generations whose listener lease was handed back. */
    private final Map<Long, Boolean> released = new HashMap<>();
    /** Every live generation, oldest first; the last is the current one. */
    private final List<Generation> generations = new ArrayList<>();
    private final Map<Long, RequestTimeouts> timeouts = new HashMap<>();
    private final Drainer drainer;
    /** The workers' RSS, sampled once per tick off this thread (a status answer reads no /proc file). */
    private final RssSamples<Child> rss;
    /** What status readers see without asking: republished whenever the children or the current generation change. */
    private final LiveStatus live;
    /** Exits reported before their Spawned message (a worker that dies at once); a few at most. */
    private final List<ChildExited> earlyExits = new ArrayList<>();
    private Generation current;
    private ActorRef<PolicyActor.Command> policy;
    private ReadinessWatcher.Arming armed;
    /** Readable events in a row that led to no spawn: the re-arm delay doubles with each (see onReadable). */
    private int quietReadables;
    private boolean stopping;
    private boolean stoppedCleanly;
    /** The current generation's template (spawn-mode fork/auto), or null. */
    private Template template;
    /** The generation whose template spawn is in flight, or null: its listener and scoreboard stay open. */
    private Generation templateSpawning;
    /** Templates in a row that died before they were ready, or were ready for less than a minute. */
    private int templateFailures;
    private static final Duration TEMPLATE_BACKOFF_MAX = Duration.ofSeconds(30);
    /** How long spawns wait for a starting template before they are exec'd after all. */
    static final Duration TEMPLATE_WAIT = Duration.ofSeconds(3);
    /** A template that has not reached its first accept() by then never will, as far as the pool cares. */
    static final Duration TEMPLATE_READY_TIMEOUT = Duration.ofSeconds(10);
    /** Spawns asked for while the template starts: done when it is ready, refuses, fails or times out. */
    private int deferredSpawns;
    private String deferredReason = "";

    private PoolActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, Generation first,
                      PoolRuntime runtime, EmergencyRestart emergency, ActorRef<Event> owner, LiveStatus live) {
        super(ctx);
        this.timers = timers;
        this.runtime = runtime;
        this.owner = owner;
        this.log = ctx.getLog();
        this.tag = "[pool " + first.pool() + "]";
        this.terminator = new Terminator(log, tag);
        this.drainer = new Drainer(terminator, runtime.processControlTimeout());
        this.brake = new CrashBrake(emergency.threshold(), emergency.interval());
        this.emergency = emergency;
        this.rss = new RssSamples<>(ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking()), Child::pid,
                RssSamples.fromProc(tag));
        this.live = live;
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
        begin(first);
    }

    /** Makes {@code g} current: its own policy actor, timeouts and readiness watch. */
    private void begin(Generation g) {
        current = g;
        generations.add(g);
        publishStatus();
        RequestTimeouts t = new RequestTimeouts(g.config().requestTerminateTimeout(), g.config().requestSlowlogTimeout());
        timeouts.put(g.number(), t);
        timers.cancel(TimeoutCheck.INSTANCE);
        t.checkInterval().ifPresent(d -> timers.startTimerWithFixedDelay(TimeoutCheck.INSTANCE, d));
        long number = g.number();
        policy = getContext().spawn(PolicyActor.createDriven(Policies.forMode(g.config().pm()), getContext().getSelf(),
                a -> new PolicyDecided(number, a)), "policy-" + number);
        quietReadables = 0;
        arm();
        policy.tell(new PolicyActor.ViewChanged(view(false)));
        deferredSpawns = 0;
        firstTemplatePending = g.config().wantsTemplate();
        if (g.config().wantsTemplate()) {
            startTemplate(g);
        } else if (g.config().spawnMode() == SpawnMode.AUTO) {
            log.info("{} spawn-mode auto: workers are exec'd ({})", tag,
                    g.config().spawnMode().whyExec(g.config().accounting()).orElse("?"));
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(PolicyDecided.class, this::onPolicyDecided)
                .onMessage(Spawned.class, this::onSpawned)
                .onMessage(SpawnFailed.class, this::onSpawnFailed)
                .onMessage(ChildExited.class, this::onChildExited)
                .onMessageEquals(Readable.INSTANCE, this::onReadable)
                .onMessageEquals(Rearm.INSTANCE, this::onRearm)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessageEquals(TimeoutCheck.INSTANCE, this::onTimeoutCheck)
                .onMessageEquals(DrainCheck.INSTANCE, this::onDrainCheck)
                .onMessage(TemplateStarted.class, this::onTemplateStarted)
                .onMessage(TemplateFailed.class, this::onTemplateFailed)
                .onMessage(TemplateReadable.class, this::onTemplateReadable)
                .onMessage(TemplateRetry.class, this::onTemplateRetry)
                .onMessage(TemplateReadyTimeout.class, this::onTemplateReadyTimeout)
                .onMessage(TemplateWait.class, m -> {
                    if (m.generation() == current.number()) {
                        flushDeferredSpawns("template not ready after " + TEMPLATE_WAIT.toMillis() + " ms");
                    }
                    return this;
                })
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(Stop.class, this::onStop)
                .onMessage(Reload.class, this::onReload)
                .onSignal(PostStop.class, s -> onPostStop())
                .build();
    }

    // ---- policy decisions ------------------------------------------------------------------

    private Behavior<Command> onPolicyDecided(PolicyDecided m) {
        if (stopping || m.generation() != current.number()) {
            return this;
        }
        Action action = m.action();
        if (action instanceof Action.Spawn s) {
            quietReadables = 0;
            spawn(s.count(), s.reason());
        } else if (action instanceof Action.Bury b) {
            bury(b.pid(), b.mode(), b.reason());
        } else if (action instanceof Action.MaxChildrenReached) {
            current.scoreboard().incrementMaxChildrenReached();
        } else if (action instanceof Action.Log l) {
            logAt(l.level(), l.message());
        }
        return this;
    }

    private void spawn(int requested, String reason) {
        long now = System.nanoTime();
        if (!brake.allowsSpawnAt(now)) {
            log.debug("{} spawn of {} deferred by crash-loop backoff ({} ms left)", tag, requested,
                    brake.backoff().delayNanos(now) / 1_000_000);
            return;
        }
        if (templatePending()) {
            if (deferredSpawns == 0) {
                timers.startSingleTimer(new TemplateWait(current.number()), TEMPLATE_WAIT);
            }
            deferredSpawns = Math.max(deferredSpawns, requested); // the policy asks again for the same deficit
            deferredReason = reason;
            return;
        }
        int room = current.config().pm().maxChildren() - children.running(current.number());
        int count = Math.min(requested, room);
        for (int i = 0; i < count; i++) {
            int slot = current.scoreboard().allocate(current.number());
            if (slot < 0) {
                log.warn("{} no free scoreboard slot; not spawning", tag);
                break;
            }
            startSpawn(current, slot);
        }
        if (count > 0) {
            log.debug("{} spawning {} child(ren): {}", tag, count, reason);
        }
    }

    private void startSpawn(Generation g, int slot) {
        SpawnTicket ticket = children.startSpawn(slot, g.number());
        SpawnSpec spec = new SpawnSpec(g.config().command(), WorkerLaunch.forSlot(g.launchEnv(), slot),
                g.listener().fd(), -1, -1, g.config().chdir(), g.launchPrefix(), g.workerFds());
        ActorRef<Command> self = getContext().getSelf();
        CompletableFuture<WorkerSpawn.Result> result;
        TemplateControl from = template != null && template.generation == g && template.ready() ? template.control : null;
        try {
            result = WorkerSpawn.start(ticket, spec, from, g.number(), g.config(), runtime,
                    pid -> status -> self.tell(new ChildExited(pid, status)));
        } catch (RuntimeException | Error e) { // the spawn thread refused the task: nothing was spawned
            result = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(result, (r, error) -> r != null
                ? new Spawned(ticket, g, r.process(), r.forked(), r.forkError())
                : new SpawnFailed(ticket, g, WorkerSpawn.describe(error)));
    }

    private void bury(long pid, Action.BuryMode mode, String reason) {
        Child child = children.get(pid);
        if (child == null || child.generation != current) {
            log.warn("{} policy asked to stop pid {} which is not a worker of this generation; ignored", tag, pid);
            return;
        }
        if (child.leaving()) {
            return;
        }
        int sig = switch (mode) {
            case GRACEFUL -> current.config().stopSignal();
            case TERMINATE -> Signals.SIGTERM;
            case KILL -> Signals.SIGKILL;
        };
        log.debug("{} stopping child {} with {}: {}", tag, pid, Signals.name(sig), reason);
        child.markBuriedByPm();
        if (sig == Signals.SIGKILL) {
            terminator.kill(child);
        } else {
            terminator.retire(child, sig, runtime.processControlTimeout(), System.nanoTime());
        }
        sendView(false);
    }

    // ---- OS events -------------------------------------------------------------------------

    private Behavior<Command> onSpawned(Spawned m) {
        children.endSpawn(m.ticket());
        Child child = new Child(m.process(), m.ticket().slot, m.generation());
        children.add(child);
        live.countSpawn();
        publishStatus();
        log.info("{} child {} started{}", tag, child.pid(), m.forked() ? " (forked)" : "");
        if (m.forkError() != null && template != null && template.generation == m.generation()) {
            log.warn("{} template {} failed a fork ({}); spawned with exec, replacing the template", tag,
                    template.pid(), m.forkError());
            retireTemplate();
        }
        if (m.ticket().cancelled()) {
            child.moveTo(Child.State.KILLED, 0); // the ticket's canceller sent SIGKILL
        } else if (stopping) {
            terminator.retire(child, m.generation().config().stopSignal(), FAST_STOP_KILL_AFTER, System.nanoTime());
        } else if (m.generation() != current) {
            drainer.drain(child, System.nanoTime());
        }
        afterSpawnEnded(m.generation());
        ChildExited early = takeEarlyExit(child.pid());
        if (early != null) {
            return onChildExited(early);
        }
        return stopping ? maybeStopped() : this;
    }

    /** The exit the reaper reported for {@code pid} before its Spawned arrived, if any; forgets stale ones. */
    private ChildExited takeEarlyExit(long pid) {
        ChildExited found = null;
        for (java.util.Iterator<ChildExited> it = earlyExits.iterator(); it.hasNext(); ) {
            ChildExited e = it.next();
            if (e.pid() == pid) {
                found = e;
                it.remove();
            }
        }
        if (children.spawnsInFlight() == 0) {
            earlyExits.clear();
        }
        return found;
    }

    private Behavior<Command> onSpawnFailed(SpawnFailed m) {
        children.endSpawn(m.ticket());
        m.generation().scoreboard().free(m.ticket().slot);
        if (!m.ticket().cancelled()) {
            log.error("{} unable to spawn a child: {}", tag, m.error());
            brake.spawnFailed(System.nanoTime());
        }
        takeEarlyExit(-1); // a killed child of a cancelled spawn has nothing to join
        afterSpawnEnded(m.generation());
        if (stopping) {
            return maybeStopped();
        }
        sendView(false);
        return this;
    }

    /** A generation that stopped spawning hands its listener back once its last spawn has ended. */
    private void afterSpawnEnded(Generation g) {
        if ((stopping || g != current) && children.spawnsInFlight(g.number()) == 0 && templateSpawning != g) {
            releaseListener(g);
        }
        if (g != current && children.isEmpty(g.number())) {
            retire(g);
        }
        if (!stopping) {
            sendView(false);
        }
    }

    private Behavior<Command> onChildExited(ChildExited m) {
        if (template != null && m.pid() == template.pid()) {
            return onTemplateExited(m);
        }
        Child child = children.remove(m.pid());
        if (child != null) {
            live.countExit();
            publishStatus();
        }
        if (child == null) {
            if (children.spawnsInFlight() > 0) {
                earlyExits.add(m); // the reaper can report a quick exit before the spawn's result arrives
            } else {
                log.debug("{} exit of unknown pid {} ignored", tag, m.pid());
            }
            return this;
        }
        if (child.accounted() && child.isInRequest()) {
            // it died in a request: its +1 on active_requests will never be undone by itself
            child.generation.scoreboard().requestAbandoned();
        }
        child.generation.scoreboard().free(child.slot);
        long now = System.nanoTime();
        long lifetime = now - child.process.spawnedAtNanos();
        String after = String.format("after %d.%06d seconds from start", lifetime / 1_000_000_000L,
                (lifetime / 1000) % 1_000_000);
        ExitStatus status = m.status();
        if (child.buriedByPm()) {
            log.info("{} child {} has been killed by the process management {} ({})", tag, child.pid(), after,
                    status.describe());
        } else if (stopping || child.leaving()) {
            log.info("{} child {} {} {}", tag, child.pid(), status.describe(), after);
        } else if (status instanceof ExitStatus.Exited e && e.code() == 0) {
            log.info("{} child {} {} {}", tag, child.pid(), status.describe(), after);
        } else {
            log.warn("{} child {} {} {}", tag, child.pid(), status.describe(), after);
        }
        if (stopping) {
            return maybeStopped();
        }
        if (child.generation != current) {
            if (children.isEmpty(child.generation.number())) {
                retire(child.generation);
            }
        } else if (!child.leaving()) {
            SpawnBackoff before = brake.backoff();
            boolean abnormal = status instanceof ExitStatus.Signaled;
            if (brake.workerDied(lifetime, abnormal, now)) {
                String text = String.format("failed processes threshold (%d in %d sec) is reached, initiating reload",
                        emergency.threshold(), emergency.interval().toSeconds());
                log.warn("{} {}", tag, text);
                owner.tell(new RestartWanted(current.pool(), current.number(), text));
            }
            SpawnBackoff after2 = brake.backoff();
            if (after2.crashes() > SpawnBackoff.FREE_CRASHES && after2 != before) {
                log.warn("{} {} children in a row exited within 1 s of their start; delaying respawns by {} ms",
                        tag, after2.crashes(), after2.delayNanos(now) / 1_000_000);
            }
        }
        sendView(false);
        return this;
    }

    private Behavior<Command> onReadable() {
        armed = null;
        if (stopping) {
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
        boolean watch = current.config().pm().mode() != org.jfpm.scoreboard.PmMode.STATIC;
        if (watch && armed == null && !stopping) {
            ActorRef<Command> self = getContext().getSelf();
            armed = runtime.readiness().arm(current.listener().fd(), () -> self.tell(Readable.INSTANCE));
        }
    }

    private void disarm() {
        timers.cancel(Rearm.INSTANCE);
        if (armed != null) {
            runtime.readiness().disarm(armed);
            armed = null;
        }
    }

    // ---- reload and drain ------------------------------------------------------------------

    private Behavior<Command> onReload(Reload m) {
        Generation next = m.next();
        if (stopping || next.number() <= current.number()) {
            log.warn("{} reload to generation {} ignored ({})", tag, next.number(),
                    stopping ? "the pool is stopping" : "not newer than " + current.number());
            return this;
        }
        Generation old = current;
        getContext().stop(policy);
        disarm();
        retireTemplate();
        drainer.reloadBegins(children.all());
        log.info("{} reloading: generation {} starts, generation {} drains ({} worker(s))", tag, next.number(),
                old.number(), children.of(old.number()).size());
        if (children.spawnsInFlight(old.number()) == 0 && templateSpawning != old) {
            releaseListener(old);
        }
        begin(next);
        if (children.isEmpty(old.number())) {
            retire(old);
        }
        timers.startTimerWithFixedDelay(DrainCheck.INSTANCE, DRAIN_CHECK);
        return this;
    }

    private Behavior<Command> onDrainCheck() {
        long now = System.nanoTime();
        terminator.killOverdue(children.all(), now);
        if (stopping) {
            drainer.stopStep(children.all(), now);
        } else if (!drainer.reloadStep(children, current, now) && generations.size() == 1) {
            timers.cancel(DrainCheck.INSTANCE);
        }
        return this;
    }

    /** A non-current generation with no worker and no spawn left is gone: its scoreboard goes with it. */
    private void retire(Generation g) {
        if (templateSpawning == g || !generations.remove(g)) {
            return;
        }
        releaseListener(g);
        timeouts.remove(g.number());
        g.scoreboard().delete();
        log.info("{} generation {} drained", tag, g.number());
        if (generations.size() == 1 && !stopping) {
            timers.cancel(DrainCheck.INSTANCE);
        }
    }

    private void releaseListener(Generation g) {
        if (released.putIfAbsent(g.number(), Boolean.TRUE) == null) {
            owner.tell(new ListenerReleased(g.pool(), g.number(), g.listener()));
        }
    }

    // ---- maintenance -----------------------------------------------------------------------

    private Behavior<Command> onTick() {
        long now = System.nanoTime();
        for (Generation g : generations) {
            g.scoreboard().heartbeat();
        }
        terminator.killOverdue(children.all(), now);
        if (!stopping) {
            rss.refresh(children.all());
            checkRequestTimeouts();
            policy.tell(new PolicyActor.Heartbeat(view(false))); // the policy's tick: it has no timer of its own
        }
        return this;
    }

    private Behavior<Command> onTimeoutCheck() {
        if (!stopping) {
            checkRequestTimeouts();
        }
        return this;
    }

    private void checkRequestTimeouts() {
        long nowNanos = System.nanoTime();
        long nowUs = epochMicros();
        for (Generation g : generations) {
            RequestTimeouts t = timeouts.get(g.number());
            if (t == null || !t.enabled()) {
                continue;
            }
            Map<Long, SlotSnapshot> slots = new LinkedHashMap<>();
            ReadBudget budget = ReadBudget.perView();
            for (Child c : children.of(g.number())) {
                SlotSnapshot s = c.state() == Child.State.SERVING || c.state() == Child.State.DRAINING ? c.ownSlot(budget) : null;
                if (s != null) {
                    slots.put(c.pid(), s);
                }
            }
            for (RequestTimeouts.Verdict v : t.check(slots, nowNanos, nowUs)) {
                SlotSnapshot s = v.slot();
                String request = "\"" + s.method() + " " + s.uri() + (s.queryString().isEmpty() ? "" : "?")
                        + s.queryString() + "\"";
                if (v.kind() == RequestTimeouts.Kind.SLOW) {
                    g.scoreboard().incrementSlowRequests();
                    log.warn("{} child {}, script '{}' (request: {}) executing too slow ({} sec), logging",
                            tag, v.pid(), s.script(), request, seconds(v.elapsedUs()));
                    writeSlowlog(g, v);
                } else {
                    g.scoreboard().incrementTerminatedRequests();
                    log.warn("{} child {}, script '{}' (request: {}) execution timed out ({} sec), terminating",
                            tag, v.pid(), s.script(), request, seconds(v.elapsedUs()));
                    Child victim = children.get(v.pid());
                    victim.markBuriedByPm();
                    terminator.kill(victim);
                }
            }
        }
    }

    /** The slowlog entry of a slow request, when the pool has a {@code slowlog} file. */
    private void writeSlowlog(Generation g, RequestTimeouts.Verdict v) {
        java.nio.file.Path file = g.config().logs().slowlog();
        if (file == null) {
            return;
        }
        try {
            SlowLog.append(file, SlowLog.entry(java.time.ZonedDateTime.now(), g.pool(), v.pid(), v.slot(), v.elapsedUs()));
        } catch (java.io.IOException | RuntimeException e) {
            log.error("{} unable to write the slowlog ({}): {}", tag, file, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static String seconds(long micros) {
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    // ---- stop ------------------------------------------------------------------------------

    private Behavior<Command> onStop(Stop m) {
        long now = System.nanoTime();
        Duration grace = m.graceful() ? runtime.processControlTimeout() : FAST_STOP_KILL_AFTER;
        if (stopping) {
            if (!m.graceful()) {
                for (Child c : children.all()) {
                    if (c.state() == Child.State.RETIRING) {
                        c.moveTo(Child.State.RETIRING, now + grace.toNanos());
                    } else {
                        terminator.retire(c, c.generation.config().stopSignal(), grace, now);
                    }
                }
            }
            return this;
        }
        stopping = true;
        getContext().stop(policy);
        disarm();
        retireTemplate();
        timers.cancel(TimeoutCheck.INSTANCE);
        children.cancelSpawns();
        for (Generation g : generations) {
            if (children.spawnsInFlight(g.number()) == 0 && templateSpawning != g) {
                releaseListener(g);
            }
        }
        for (Child c : children.all()) {
            if (m.graceful() && c.accounted() && c.isInRequest()) {
                drainer.drain(c, now); // the stop-signal once its request is done
            } else {
                terminator.retire(c, c.generation.config().stopSignal(), grace, now);
            }
        }
        log.info("{} stopping {} child(ren) ({}; SIGKILL after {} ms)", tag, children.size(),
                m.graceful() ? "graceful" : "fast", grace.toMillis());
        timers.startTimerWithFixedDelay(DrainCheck.INSTANCE, DRAIN_CHECK);
        return maybeStopped();
    }

    private Behavior<Command> maybeStopped() {
        if (!children.isEmpty() || templateSpawning != null) {
            return this;
        }
        for (Generation g : generations) {
            releaseListener(g);
            g.scoreboard().delete();
        }
        log.info("{} stopped", tag);
        stoppedCleanly = true;
        owner.tell(new Stopped(current.pool()));
        return Behaviors.stopped();
    }

    /**
     * A pool that stops without finishing a Stop failed (a bug: an exception in a handler). It must
     * not leave orphans behind: its spawns in flight are cancelled and every child it knows gets
     * SIGKILL (the reaper still reaps them); its scoreboard files go. The owner watches it and
     * decides what happens next (its leases are the owner's to take back).
     */
    private Behavior<Command> onPostStop() {
        if (!stoppedCleanly) {
            log.error("{} pool actor failed; killing its {} child(ren)", tag, children.size());
            retireTemplate();
            children.cancelSpawns();
            for (Child c : children.all()) {
                terminator.kill(c);
            }
            disarm();
            for (Generation g : generations) {
                g.scoreboard().delete();
            }
        }
        return this;
    }

    // ---- the template (spawn-mode fork / auto) -----------------------------------------------

    /**
     * The current generation's first template is starting: spawns wait for it (up to
     * {@link #TEMPLATE_WAIT}), so that every worker shares its caches. A replacement template is not
     * waited for: spawns are exec'd meanwhile.
     */
    private boolean templatePending() {
        return firstTemplatePending;
    }

    /** True from a forking generation's start until its first template is ready, refuses, fails or times out. */
    private boolean firstTemplatePending;

    private void flushDeferredSpawns(String why) {
        firstTemplatePending = false;
        timers.cancel(new TemplateWait(current.number()));
        if (deferredSpawns > 0 && !stopping) {
            int n = deferredSpawns;
            deferredSpawns = 0;
            if (why != null) {
                log.warn("{} {}; spawning {} with exec", tag, why, n);
            }
            spawn(n, deferredReason);
        }
    }

    private void startTemplate(Generation g) {
        if (templateSpawning != null || stopping) {
            return;
        }
        templateSpawning = g;
        ActorRef<Command> self = getContext().getSelf();
        CompletableFuture<Template> started;
        try {
            started = Template.start(g, runtime, pid -> status -> self.tell(new ChildExited(pid, status)));
        } catch (RuntimeException | Error e) {
            started = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(started, (t, error) -> t != null ? new TemplateStarted(t)
                : new TemplateFailed(g, WorkerSpawn.describe(error)));
    }

    private Behavior<Command> onTemplateStarted(TemplateStarted m) {
        Template t = m.template();
        templateSpawning = null;
        if (stopping || t.generation != current) {
            t.retire(runtime.readiness());
            afterTemplateSpawnEnded(t.generation);
            return stopping ? maybeStopped() : this;
        }
        template = t;
        publishStatus();
        log.info("{} template {} started", tag, t.pid());
        armTemplate(t);
        timers.startSingleTimer(new TemplateReadyTimeout(t.pid()), TEMPLATE_READY_TIMEOUT);
        return this;
    }

    private Behavior<Command> onTemplateReadyTimeout(TemplateReadyTimeout m) {
        Template t = template;
        if (t != null && t.pid() == m.pid() && t.state == Template.State.STARTING && !t.retired) {
            t.state = Template.State.REFUSED;
            log.warn("{} template {} did not reach accept() on the listening socket within {} s; workers of generation {}"
                    + " are exec'd", tag, t.pid(), TEMPLATE_READY_TIMEOUT.toSeconds(), t.generation.number());
            t.retire(runtime.readiness());
            flushDeferredSpawns(null);
        }
        return this;
    }

    private Behavior<Command> onTemplateFailed(TemplateFailed m) {
        templateSpawning = null;
        log.error("{} unable to spawn a template: {}; spawning with exec", tag, m.error());
        afterTemplateSpawnEnded(m.generation());
        if (m.generation() == current) {
            flushDeferredSpawns(null);
        }
        if (!stopping && m.generation() == current) {
            scheduleTemplateRetry();
        }
        return stopping ? maybeStopped() : this;
    }

    private void afterTemplateSpawnEnded(Generation g) {
        if (!stopping && g != current && current.config().wantsTemplate()
                && (template == null || template.generation != current)) {
            startTemplate(current); // a reload came while the old generation's template was spawning
        }
        if (g != current || stopping) {
            if (children.spawnsInFlight(g.number()) == 0) {
                releaseListener(g);
            }
            if (g != current && children.isEmpty(g.number())) {
                retire(g);
            }
        }
    }

    private void armTemplate(Template t) {
        ActorRef<Command> self = getContext().getSelf();
        long pid = t.pid();
        t.armed = runtime.readiness().arm(t.control.masterEnd(), () -> self.tell(new TemplateReadable(pid)));
    }

    private Behavior<Command> onTemplateReadable(TemplateReadable m) {
        Template t = template;
        if (t == null || t.pid() != m.pid() || t.retired) {
            return this;
        }
        t.armed = null;
        java.util.Optional<TemplateControl.Ready> ready = t.control.pollReady();
        if (ready.isEmpty()) {
            armTemplate(t);
            return this;
        }
        TemplateControl.Ready r = ready.get();
        if (r.status() == TemplateControl.Status.OK) {
            t.state = Template.State.READY;
            log.info("{} template {} ready: workers are forked from it ({} ms after its spawn)", tag, t.pid(),
                    (System.nanoTime() - t.startedNanos) / 1_000_000);
            templateFailures = 0;
            publishStatus();
            flushDeferredSpawns(null);
            return this;
        }
        t.state = Template.State.REFUSED;
        String why = switch (r.status()) {
            case MULTI_THREADED -> "it has " + r.threads() + " threads at its first accept() (forking needs one)";
            case NO_TID -> "glibc's thread id could not be located in it";
            default -> "it broke the control protocol";
        };
        log.warn("{} template {} cannot fork: {}; workers of generation {} are exec'd", tag, t.pid(), why,
                t.generation.number());
        t.retire(runtime.readiness());
        publishStatus();
        flushDeferredSpawns(null);
        return this;
    }

    private Behavior<Command> onTemplateExited(ChildExited m) {
        Template t = template;
        boolean wasRetired = t.retired;
        t.retire(runtime.readiness());
        template = null;
        publishStatus();
        if (stopping || (wasRetired && t.generation != current)) {
            log.info("{} template {} {} (it left with generation {})", tag, t.pid(), m.status().describe(),
                    t.generation.number());
            return stopping ? maybeStopped() : this;
        }
        if (t.state == Template.State.REFUSED) {
            log.debug("{} template {} {}", tag, t.pid(), m.status().describe());
            template = t; // remembered, so that this generation does not try again
            return this;
        }
        if (t.retired && t.generation != current) { // a reload retired it: no failure
            log.info("{} template {} of generation {} {}", tag, t.pid(), t.generation.number(), m.status().describe());
            return this;
        }
        boolean longLived = System.nanoTime() - t.startedNanos > Duration.ofMinutes(1).toNanos();
        templateFailures = longLived ? 1 : templateFailures + 1;
        log.warn("{} template {} {}; spawning with exec until a new one is ready", tag, t.pid(), m.status().describe());
        if (t.generation == current) {
            flushDeferredSpawns(null);
            scheduleTemplateRetry();
        }
        return this;
    }

    private void scheduleTemplateRetry() {
        long ms = Math.min(TEMPLATE_BACKOFF_MAX.toMillis(), 500L << Math.min(Math.max(templateFailures, 1) - 1, 10));
        timers.startSingleTimer(new TemplateRetry(current.number()), Duration.ofMillis(ms));
    }

    private Behavior<Command> onTemplateRetry(TemplateRetry m) {
        if (!stopping && m.generation() == current.number() && template == null) {
            startTemplate(current);
        }
        return this;
    }

    /** The current template leaves (reload, stop, a failed fork); its exit is still reported. */
    private void retireTemplate() {
        if (template != null) {
            template.retire(runtime.readiness());
            if (template.state == Template.State.REFUSED) {
                template = null;
            }
        }
    }

    // ---- views and status --------------------------------------------------------------------

    /** The same status {@link LiveStatus#read()} gives other threads (its roster is this actor's state, published at every change). */
    private Behavior<Command> onGetStatus(GetStatus m) {
        m.replyTo().tell(live.read());
        return this;
    }

    private void publishStatus() {
        Template t = template;
        TemplateInfo info = t == null || t.retired || t.generation != current ? null
                : new TemplateInfo(t.pid(), t.state.name().toLowerCase(java.util.Locale.ROOT), t.generation.number());
        live.publish(current, children.inSlotOrder(), rss, info);
    }

    private void sendView(boolean readable) {
        if (!stopping) {
            policy.tell(new PolicyActor.ViewChanged(view(readable)));
        }
    }

    /** The current generation as its policy sees it; older generations are draining and count for nothing. */
    private PoolView view(boolean readable) {
        long nowNanos = System.nanoTime();
        long nowUs = epochMicros();
        boolean accounted = current.config().accounting() != Accounting.NONE;
        List<Child> mine = children.of(current.number());
        List<WorkerView> workers = new ArrayList<>(mine.size());
        ReadBudget budget = ReadBudget.perView(); // workers leaving seqlocks odd cost ≤ 1000 + n reads per view
        for (Child c : mine) {
            long spawned = c.process.spawnedAtNanos();
            RequestStage stage = RequestStage.STARTING;
            long lastActivity = spawned;
            long requests = 0;
            SlotSnapshot s = accounted ? c.ownSlot(budget) : null;
            if (s != null) {
                stage = s.stage();
                requests = s.requests();
                if (s.lastActivityUs() > 0) {
                    long ago = Math.max(0, nowUs - s.lastActivityUs()) * 1000;
                    lastActivity = Math.max(spawned, nowNanos - ago);
                }
            }
            workers.add(new WorkerView(c.pid(), c.slot, current.number(), stage, spawned, lastActivity, requests,
                    c.leaving()));
        }
        int waiting = 0;
        try {
            var q = current.listener().queueLength();
            waiting = q.waiting();
            current.scoreboard().setListenQueue(q.waiting(), q.capacity());
        } catch (RuntimeException e) {
            log.debug("{} listen queue length unavailable: {}", tag, e.getMessage());
        }
        PoolView v = new PoolView(current.pool(), current.config().pm(), workers,
                children.spawnsInFlight(current.number()), waiting, readable, accounted, nowNanos);
        // max active processes: workers in a request only (never starting ones or spawns in flight)
        current.scoreboard().updateMaxActive(workers.stream().filter(w -> RequestTimeouts.isInRequest(w.stage())).count());
        return v;
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
