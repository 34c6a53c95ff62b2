package org.jfpm.pool.policy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jfpm.pool.PmConfig;
import org.jfpm.scoreboard.RequestStage;

/**
 * One decision in the making: the view's workers sorted into those that count, the counts every rule
 * reads, and the actions chosen so far. Each action updates the counts, so a later rule in the same
 * decision sees the effect of an earlier one. Lives for one {@code decide} call; not thread-safe.
 *
 * <p>A worker <em>counts</em> ({@link #live()}) unless it is retiring or a Bury for it is in flight.
 * Without accounting its stage is unknown: it is never idle, and it is <em>presumed starting</em> for
 * {@link #STARTUP_GRACE_NANOS} after its spawn (it will take one waiting connection).
 */
final class Plan {

    /** accounting = none: how long after its spawn a worker is presumed to be still starting. */
    static final long STARTUP_GRACE_NANOS = 1_000_000_000L;

    /** The idle timeout when {@code pm.process-idle-timeout} is unset (PHP-FPM's default). */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

    private final PoolView view;
    private final Memory memory;
    private final List<WorkerView> live = new ArrayList<>();
    private final Set<Long> pids = new HashSet<>();
    private final Map<Long, Long> buried = new HashMap<>();
    private final List<Action> actions = new ArrayList<>();
    private final int unacknowledged;
    private final long quietSinceNanos;
    private int spawned;

    Plan(PoolView view, Memory memory) {
        this.view = view;
        this.memory = memory;
        long now = view.nowNanos();
        for (WorkerView w : view.workers()) {
            pids.add(w.pid());
            if (w.retiring()) {
                continue;
            }
            if (memory.buryInFlight(w.pid(), now)) {
                buried.put(w.pid(), memory.buriedAtNanos().get(w.pid()));
                continue;
            }
            live.add(w);
        }
        unacknowledged = memory.unacknowledgedSpawns(view, pids);
        quietSinceNanos = !memory.begun() || demand() > 0 ? now : memory.quietSinceNanos();
    }

    PoolView view() {
        return view;
    }

    PmConfig pm() {
        return view.pm();
    }

    long now() {
        return view.nowNanos();
    }

    boolean firstDecision() {
        return !memory.begun();
    }

    /** Workers that count, in view order (a copy: safe to bury while iterating). */
    List<WorkerView> live() {
        return List.copyOf(live);
    }

    /** Spawns in flight: the view's, ours not yet in the view, and this decision's. */
    int pending() {
        return view.spawnsPending() + unacknowledged + spawned;
    }

    int running() {
        return live.size() + pending();
    }

    /** How many more workers max-children allows. */
    int room() {
        return Math.max(0, pm().maxChildren() - running());
    }

    int idle() {
        int n = 0;
        for (WorkerView w : live) {
            if (isIdle(w)) {
                n++;
            }
        }
        return n;
    }

    int starting() {
        int n = 0;
        for (WorkerView w : live) {
            if (isStarting(w)) {
                n++;
            }
        }
        return n;
    }

    boolean isIdle(WorkerView w) {
        return view.accountingKnown() && w.stage() == RequestStage.ACCEPTING;
    }

    boolean isStarting(WorkerView w) {
        return view.accountingKnown()
                ? w.stage() == RequestStage.STARTING
                : now() - w.spawnedAtNanos() < STARTUP_GRACE_NANOS;
    }

    /** Connections that wait: the queue length, or at least one when the socket turned readable. */
    int demand() {
        return Math.max(view.connectionsWaiting(), view.readable() ? 1 : 0);
    }

    /**
     * Waiting connections no worker is on its way to take: each idle worker, each starting worker
     * and each pending spawn takes one.
     */
    int uncoveredDemand() {
        return Math.max(0, demand() - idle() - starting() - pending());
    }

    /** {@code pm.process-idle-timeout}, or {@link #DEFAULT_IDLE_TIMEOUT} when unset. */
    Duration idleTimeout() {
        Duration configured = pm().processIdleTimeout();
        return configured == null || configured.isZero() || configured.isNegative() ? DEFAULT_IDLE_TIMEOUT : configured;
    }

    /** A duration as an operator writes it: {@code 10s}, {@code 1.5s}. */
    static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }

    /** How long no connection has been seen waiting. */
    long quietNanos() {
        return now() - quietSinceNanos;
    }

    int spawned() {
        return spawned;
    }

    void spawn(int count, String reason) {
        if (count > 0) {
            spawned += count;
            actions.add(new Action.Spawn(count, reason));
        }
    }

    void bury(WorkerView w, String reason) {
        if (live.remove(w)) {
            buried.put(w.pid(), now());
            actions.add(new Action.Bury(w.pid(), Action.BuryMode.GRACEFUL, reason));
        }
    }

    void add(Action action) {
        actions.add(action);
    }

    void maxChildrenReached(String logLine) {
        actions.add(new Action.MaxChildrenReached(pm().maxChildren()));
        actions.add(new Action.Log(Action.Level.WARNING, logLine));
    }

    /**
     * pm.max-requests: retire every worker that has reached its (jittered) limit. Without accounting
     * request counts are unknown and nothing is retired.
     */
    void retireWornOut() {
        long max = pm().maxRequests();
        if (max <= 0 || !view.accountingKnown()) {
            return;
        }
        for (WorkerView w : live()) {
            long limit = MaxRequestsJitter.limitFor(w.pid(), max);
            if (w.requests() >= limit) {
                bury(w, "reached pm.max-requests (" + w.requests() + " of " + limit + ")");
            }
        }
    }

    /** The worker's last stage change; without accounting nobody records one, so its spawn time. */
    long lastActivity(WorkerView w) {
        return view.accountingKnown() ? w.lastActivityNanos() : w.spawnedAtNanos();
    }

    /** The idle worker whose last activity is oldest: the one idle longest. */
    Optional<WorkerView> longestIdle() {
        return live.stream().filter(this::isIdle).min(Comparator.comparingLong(this::lastActivity));
    }

    /** The idle workers, the one idle longest (oldest last activity) first; ties keep view order. */
    List<WorkerView> idleLongestFirst() {
        return live.stream().filter(this::isIdle).sorted(Comparator.comparingLong(this::lastActivity)).toList();
    }

    /** The worker whose last activity is oldest, idle or not. */
    Optional<WorkerView> longestInactive() {
        return live.stream().min(Comparator.comparingLong(this::lastActivity));
    }

    List<Action> actions() {
        return actions;
    }

    /** The memory for the next decision. */
    Memory memory() {
        int inFlight = unacknowledged + spawned;
        if (spawned > 0) {
            return new Memory(true, quietSinceNanos, inFlight, view.spawnsPending(), pids, now(), buried);
        }
        if (inFlight > 0) {
            return new Memory(true, quietSinceNanos, inFlight, memory.pendingAtAsk(), memory.pidsAtAsk(),
                    memory.askedAtNanos(), buried);
        }
        return new Memory(true, quietSinceNanos, 0, 0, Set.of(), 0, buried);
    }
}
