package org.jfpm.pool.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfpm.pool.PmConfig;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;

/** Builders for views and workers, and a compact rendering of actions for table-driven tests. */
final class Fixtures {

    /** The "now" of every table row. */
    static final long T0 = 1_000_000_000_000L;

    static final String POOL = "www";

    private Fixtures() {
    }

    static long seconds(double s) {
        return (long) (s * 1_000_000_000L);
    }

    static PmConfig staticPm(int maxChildren, long maxRequests) {
        return new PmConfig(PmMode.STATIC, maxChildren, 0, 0, 0, 32, Duration.ofSeconds(10), maxRequests);
    }

    static PmConfig dynamicPm(int max, int start, int minSpare, int maxSpare, int maxSpawnRate, long maxRequests) {
        return new PmConfig(PmMode.DYNAMIC, max, start, minSpare, maxSpare, maxSpawnRate, Duration.ofSeconds(10),
                maxRequests);
    }

    static PmConfig ondemandPm(int max, Duration idleTimeout, long maxRequests) {
        return new PmConfig(PmMode.ONDEMAND, max, 0, 0, 0, 32, idleTimeout, maxRequests);
    }

    /** Idle (ACCEPTING) for {@code idleSeconds}, spawned a minute ago. */
    static WorkerView idle(long pid, double idleSeconds) {
        return new WorkerView(pid, (int) pid % 100, 1, RequestStage.ACCEPTING, T0 - seconds(60),
                T0 - seconds(idleSeconds), 3, false);
    }

    /** Idle for {@code idleSeconds}, spawned {@code ageSeconds} ago. */
    static WorkerView idle(long pid, double idleSeconds, double ageSeconds) {
        return new WorkerView(pid, (int) pid % 100, 1, RequestStage.ACCEPTING, T0 - seconds(ageSeconds),
                T0 - seconds(idleSeconds), 3, false);
    }

    /** Running a request that started 1 s ago. */
    static WorkerView busy(long pid) {
        return new WorkerView(pid, (int) pid % 100, 1, RequestStage.EXECUTING, T0 - seconds(60), T0 - seconds(1), 3,
                false);
    }

    /** Spawned 100 ms ago, not yet at its first accept. */
    static WorkerView starting(long pid) {
        return new WorkerView(pid, (int) pid % 100, 1, RequestStage.STARTING, T0 - seconds(0.1), T0 - seconds(0.1),
                0, false);
    }

    /** accounting = none: spawned {@code ageSeconds} ago, stage unknown, last activity = spawn time. */
    static WorkerView unaccounted(long pid, double ageSeconds) {
        long at = T0 - seconds(ageSeconds);
        return new WorkerView(pid, (int) pid % 100, 1, RequestStage.STARTING, at, at, 0, false);
    }

    static WorkerView retiring(WorkerView w) {
        return new WorkerView(w.pid(), w.slot(), w.generation(), w.stage(), w.spawnedAtNanos(), w.lastActivityNanos(),
                w.requests(), true);
    }

    static WorkerView requests(WorkerView w, long requests) {
        return new WorkerView(w.pid(), w.slot(), w.generation(), w.stage(), w.spawnedAtNanos(), w.lastActivityNanos(),
                requests, w.retiring());
    }

    /** A worker that has just reached its jittered max-requests limit. */
    static WorkerView wornOut(WorkerView w, long maxRequests) {
        return requests(w, MaxRequestsJitter.limitFor(w.pid(), maxRequests));
    }

    static ViewBuilder view(PmConfig pm, WorkerView... workers) {
        return new ViewBuilder(pm, Arrays.asList(workers));
    }

    /** Spawn → "spawn N", Bury → "bury PID MODE", MaxChildrenReached → "max-children N", Log → "LEVEL text". */
    static List<String> render(List<Action> actions) {
        List<String> out = new ArrayList<>();
        for (Action a : actions) {
            if (a instanceof Action.Spawn s) {
                out.add("spawn " + s.count());
            } else if (a instanceof Action.Bury b) {
                out.add("bury " + b.pid() + " " + b.mode());
            } else if (a instanceof Action.MaxChildrenReached m) {
                out.add("max-children " + m.maxChildren());
            } else if (a instanceof Action.Log l) {
                out.add(l.level() + " " + l.message());
            }
        }
        return out;
    }

    static int spawned(List<Action> actions) {
        int n = 0;
        for (Action a : actions) {
            if (a instanceof Action.Spawn s) {
                n += s.count();
            }
        }
        return n;
    }

    static final class ViewBuilder {
        private final PmConfig pm;
        private final List<WorkerView> workers;
        private int pending;
        private int waiting;
        private boolean readable;
        private boolean accounting = true;
        private long now = T0;

        ViewBuilder(PmConfig pm, List<WorkerView> workers) {
            this.pm = pm;
            this.workers = workers;
        }

        ViewBuilder pending(int n) {
            pending = n;
            return this;
        }

        ViewBuilder waiting(int n) {
            waiting = n;
            return this;
        }

        ViewBuilder readable() {
            readable = true;
            return this;
        }

        ViewBuilder noAccounting() {
            accounting = false;
            return this;
        }

        ViewBuilder at(long nowNanos) {
            now = nowNanos;
            return this;
        }

        PoolView build() {
            return new PoolView(POOL, pm, workers, pending, waiting, readable, accounting, now);
        }
    }
}
