package org.jfpm.supervisor.status;

import org.jfpm.pool.PoolIdentity;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PoolHeaderSnapshot;

/**
 * The pool section of PHP-FPM's status page, computed once from a {@link PoolStatus}, plus the
 * two figures PHP-FPM does not show ({@code maxChildren}, {@code terminatedRequests}).
 * Times are whole seconds since the epoch, as PHP-FPM's {@code time_t}. Name, process manager, start time,
 * max children and accounting come from {@link PoolStatus#identity()} (the master's memory), not from the file.
 *
 * @param pool               pool name
 * @param processManager     {@code static}, {@code dynamic}, {@code ondemand} ({@code unknown} for a garbled code)
 * @param startTime          pool start (epoch seconds)
 * @param startSince         seconds since the pool started, at the snapshot
 * @param acceptedConn       requests accepted by the pool's workers
 * @param listenQueue        connections waiting in the accept queue
 * @param maxListenQueue     high-water mark of the accept queue
 * @param listenQueueLen     the accept queue's capacity
 * @param idleProcesses      workers blocked in accept
 * @param activeProcesses    every other in-use slot (starting workers included, as in PHP-FPM)
 * @param totalProcesses     idle + active
 * @param maxActiveProcesses high-water mark of workers in a request, never below the current count (starting workers never count)
 * @param maxChildrenReached episodes in which the pool hit max-children
 * @param slowRequests       requests that exceeded request-slowlog-timeout
 * @param maxChildren        configured pm.max-children (jfpm addition)
 * @param terminatedRequests requests killed by request-terminate-timeout (jfpm addition)
 * @param accounting         who writes the slots: {@code preload}, {@code sdk} or {@code none} (jfpm addition;
 *                           with {@code none} no worker is ever known idle and the policies work from the
 *                           listen queue alone)
 */
public record PoolFields(
        String pool,
        String processManager,
        long startTime,
        long startSince,
        long acceptedConn,
        long listenQueue,
        long maxListenQueue,
        long listenQueueLen,
        long idleProcesses,
        long activeProcesses,
        long totalProcesses,
        long maxActiveProcesses,
        long maxChildrenReached,
        long slowRequests,
        long maxChildren,
        long terminatedRequests,
        String accounting) {

    public static PoolFields of(PoolStatus status) {
        PoolHeaderSnapshot h = status.header();
        PoolIdentity id = status.identity();
        long idle = status.idle();
        long active = status.total() - idle;
        long start = epochSeconds(id.startTimeUs());
        return new PoolFields(
                id.name(),
                pmName(id.pmMode()),
                start,
                Math.max(0, epochSeconds(status.nowUs()) - start),
                nonNegative(h.acceptedConn()),
                nonNegative(h.listenQueue()),
                nonNegative(h.maxListenQueue()),
                nonNegative(h.listenQueueLen()),
                idle,
                active,
                idle + active,
                Math.max(nonNegative(h.maxActiveProcesses()), status.inRequest()),
                nonNegative(h.maxChildrenReached()),
                nonNegative(h.slowRequests()),
                Math.max(0, id.maxChildren()),
                nonNegative(h.terminatedRequests()),
                id.accounting() == null ? "unknown" : id.accounting().configName());
    }

    static String pmName(PmMode mode) {
        return mode == null ? "unknown" : mode.configName();
    }

    static long epochSeconds(long epochUs) {
        return Math.floorDiv(epochUs, 1_000_000L);
    }

    static long nonNegative(long v) {
        return Math.max(0, v);
    }
}
