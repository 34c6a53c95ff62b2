package org.jfpm.pool.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.PmConfig;
import org.jfpm.scoreboard.RequestStage;

/**
 * A tiny pure pool simulator standing in for the PoolActor and its workers, in discrete steps:
 * Spawns are accepted (capped at max-children like the PoolActor) and land as processes at the next
 * step; a Bury marks the worker retiring and it exits once it is not serving a request; idle workers
 * take waiting requests in order.
 */
final class SimPool {

    static final class Worker {
        final long pid;
        final long spawnedAt;
        RequestStage stage;
        long lastActivity;
        long requests;
        long busyUntil;
        boolean retiring;

        Worker(long pid, long spawnedAt, RequestStage stage) {
            this.pid = pid;
            this.spawnedAt = spawnedAt;
            this.stage = stage;
            this.lastActivity = spawnedAt;
        }
    }

    private final PmConfig pm;
    private final boolean accounting;
    private final boolean slowStart;
    private final Map<Long, Worker> workers = new LinkedHashMap<>();
    private final Deque<Long> queue = new ArrayDeque<>();
    private final List<Long> buried = new ArrayList<>();
    private long now;
    private long nextPid = 1000;
    private int pending;
    private int refused;

    /**
     * @param slowStart a landed worker stays STARTING for one step before its first accept
     */
    SimPool(PmConfig pm, boolean accounting, boolean slowStart, long startNanos) {
        this.pm = pm;
        this.accounting = accounting;
        this.slowStart = slowStart;
        this.now = startNanos;
    }

    long now() {
        return now;
    }

    /** The view the PoolActor would send; {@code readable} is the readiness watcher's say. */
    PoolView view(boolean readable) {
        List<WorkerView> views = new ArrayList<>();
        for (Worker w : workers.values()) {
            views.add(new WorkerView(w.pid, (int) (w.pid % 1000), 1,
                    accounting ? w.stage : RequestStage.STARTING, w.spawnedAt,
                    accounting ? w.lastActivity : w.spawnedAt, accounting ? w.requests : 0, w.retiring));
        }
        return new PoolView("sim", pm, views, pending, queue.size(), readable, accounting, now);
    }

    /** Carries out a decision as the PoolActor would. A Bury of an unknown pid is a policy bug: it throws. */
    void apply(List<Action> actions) {
        for (Action a : actions) {
            if (a instanceof Action.Spawn s) {
                int accepted = Math.min(s.count(), Math.max(0, pm.maxChildren() - running()));
                refused += s.count() - accepted;
                pending += accepted;
            } else if (a instanceof Action.Bury b) {
                Worker w = workers.get(b.pid());
                if (w == null) {
                    throw new AssertionError("Bury of pid " + b.pid() + " that is not in the pool");
                }
                w.retiring = true;
                buried.add(b.pid());
            }
        }
    }

    /** {@code n} requests of {@code durationNanos} each arrive in the listen queue. */
    void arrive(int n, long durationNanos) {
        for (int i = 0; i < n; i++) {
            queue.add(durationNanos);
        }
    }

    /** Time passes: requests end, retiring workers exit, spawns land, idle workers accept. */
    void advance(long dtNanos) {
        now += dtNanos;
        for (Worker w : workers.values()) {
            if (w.stage == RequestStage.EXECUTING && w.busyUntil <= now) {
                w.stage = RequestStage.ACCEPTING;
                w.lastActivity = w.busyUntil;
            } else if (w.stage == RequestStage.STARTING) {
                w.stage = RequestStage.ACCEPTING;
                w.lastActivity = now;
            }
        }
        workers.values().removeIf(w -> w.retiring && w.stage != RequestStage.EXECUTING);
        for (; pending > 0; pending--) {
            long pid = nextPid++;
            workers.put(pid, new Worker(pid, now, slowStart ? RequestStage.STARTING : RequestStage.ACCEPTING));
        }
        for (Worker w : workers.values()) {
            if (queue.isEmpty()) {
                break;
            }
            if (!w.retiring && w.stage == RequestStage.ACCEPTING) {
                w.stage = RequestStage.EXECUTING;
                w.requests++;
                w.lastActivity = now;
                w.busyUntil = now + queue.poll();
            }
        }
    }

    /** A worker dies on its own (crash). */
    void crash(long pid) {
        workers.remove(pid);
    }

    List<Long> pids() {
        return new ArrayList<>(workers.keySet());
    }

    /** Workers that count (not retiring) plus pending spawns, as the PoolActor counts them. */
    int running() {
        int n = pending;
        for (Worker w : workers.values()) {
            if (!w.retiring) {
                n++;
            }
        }
        return n;
    }

    int busy() {
        return (int) workers.values().stream().filter(w -> w.stage == RequestStage.EXECUTING).count();
    }

    int idle() {
        return (int) workers.values().stream().filter(w -> !w.retiring && w.stage == RequestStage.ACCEPTING).count();
    }

    int alive() {
        return workers.size();
    }

    int waiting() {
        return queue.size();
    }

    Worker worker(long pid) {
        return workers.get(pid);
    }

    /** Pids buried so far, in order. */
    List<Long> buried() {
        return buried;
    }

    /** Spawns the simulated PoolActor refused because max-children was reached (a policy bug). */
    int refused() {
        return refused;
    }
}
