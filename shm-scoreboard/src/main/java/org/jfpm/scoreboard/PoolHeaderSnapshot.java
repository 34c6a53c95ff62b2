package org.jfpm.scoreboard;

/**
 * A copy of a scoreboard's pool header. Counters that workers increment ({@code acceptedConn})
 * are untrusted like everything else in the file; the reader clamps them to be non-negative.
 *
 * @param poolName           the pool name (at most {@code ScoreboardLayout.POOL_NAME_MAX} bytes)
 * @param pmMode             the process manager style
 * @param accounting         who writes the per-slot accounting
 * @param masterPid          the supervisor's pid
 * @param startTimeUs        when the pool started (µs since the epoch)
 * @param heartbeatUs        the master's last heartbeat (µs since the epoch); a stale value means a hung master
 * @param slotCount          number of slots in the file
 * @param maxChildren        the configured pm.max-children
 * @param acceptedConn       requests accepted by all workers since the pool started
 * @param maxChildrenReached episodes in which the policy wanted to spawn but hit max-children
 * @param slowRequests       requests that exceeded request-slowlog-timeout
 * @param terminatedRequests requests killed by request-terminate-timeout
 * @param maxActiveProcesses high-water mark of active processes
 * @param listenQueue        current accept queue length (master-written)
 * @param maxListenQueue     high-water mark of the accept queue
 * @param listenQueueLen     the accept queue's capacity (backlog)
 */
public record PoolHeaderSnapshot(
        String poolName,
        PmMode pmMode,
        Accounting accounting,
        long masterPid,
        long startTimeUs,
        long heartbeatUs,
        int slotCount,
        int maxChildren,
        long acceptedConn,
        long maxChildrenReached,
        long slowRequests,
        long terminatedRequests,
        long maxActiveProcesses,
        long listenQueue,
        long maxListenQueue,
        long listenQueueLen) {
}
