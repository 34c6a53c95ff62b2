package org.jfpm.supervisor.status;

import java.util.ArrayList;
import java.util.List;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;

/** Builds {@link PoolStatus} values for formatter and server tests. */
final class Fixtures {

    String pool = "www";
    PmMode pm = PmMode.STATIC;
    long startUs = 1_795_797_334_000_000L;
    long nowUs = startUs + 3_500_000L;
    long heartbeatUs = -1;
    long workerStartUs = -1;
    int maxChildren = 4;
    long accepted;
    long listenQueue;
    long maxListenQueue;
    long listenQueueLen = 4096;
    long maxActive;
    long maxChildrenReached;
    long slowRequests;
    long terminated;
    final List<WorkerStatus> workers = new ArrayList<>();

    static Fixtures pool(String name) {
        Fixtures f = new Fixtures();
        f.pool = name;
        return f;
    }

    /** A worker; {@code durationUs} is the last request's duration for an idle worker, now − accepted for a busy one. */
    Fixtures worker(long pid, RequestStage stage, long requests, long durationUs, String method, String uri, String query,
                    String script, String user, long contentLength, long cpuUs, long memory, long rss) {
        boolean idle = stage == RequestStage.ACCEPTING;
        long acceptedUs = stage == RequestStage.STARTING ? 0 : idle ? nowUs - durationUs - 1_000 : nowUs - durationUs;
        SlotSnapshot slot = new SlotSnapshot(workers.size(), true, pid, 1, stage, workerStartUs < 0 ? startUs : workerStartUs, acceptedUs, nowUs - 10,
                requests, idle ? durationUs : 0, contentLength, cpuUs, memory, method, uri, query, script, user);
        workers.add(new WorkerStatus(pid, slot, rss));
        return this;
    }

    Fixtures idle(long pid) {
        return worker(pid, RequestStage.ACCEPTING, 3, 200_000, "GET", "/sleep.php", "inflight", "/var/www/html/sleep.php", "", 0, 0, 2_097_152, 30_000_000);
    }

    Fixtures running(long pid) {
        return worker(pid, RequestStage.EXECUTING, 5, 35_000, "GET", "/sleep.php", "inflight", "/var/www/html/sleep.php", "", 0, 0, 0, 31_000_000);
    }

    /** Moves the last worker added to {@code slot} of generation {@code generation} (a reload's draining workers). */
    Fixtures inSlot(int slot, long generation) {
        WorkerStatus w = workers.remove(workers.size() - 1);
        SlotSnapshot s = w.slot();
        workers.add(new WorkerStatus(w.pid(), new SlotSnapshot(slot, s.inUse(), s.pid(), generation, s.stage(), s.startTimeUs(),
                s.acceptedTimeUs(), s.lastActivityUs(), s.requests(), s.requestDurationUs(), s.contentLength(), s.lastRequestCpuUs(),
                s.lastRequestMemory(), s.method(), s.uri(), s.queryString(), s.script(), s.user()), w.rssBytes()));
        return this;
    }

    PoolStatus build() {
        PoolHeaderSnapshot h = new PoolHeaderSnapshot(pool, pm, Accounting.PRELOAD, 4242, startUs,
                heartbeatUs < 0 ? nowUs : heartbeatUs, maxChildren * 2, maxChildren, accepted, maxChildrenReached, slowRequests,
                terminated, maxActive, listenQueue, maxListenQueue, listenQueueLen);
        return new PoolStatus(h, workers, nowUs, true);
    }
}
