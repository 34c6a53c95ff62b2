package org.jfpm.pool;

import org.jfpm.scoreboard.SlotSnapshot;

/**
 * One worker as the status page shows it.
 *
 * @param pid      the pid the master spawned (from the master), or the slot's pid (CLI without master)
 * @param slot     the slot copy (untrusted worker-written fields)
 * @param rssBytes the worker's resident set size from /proc, or -1 when unknown
 */
public record WorkerStatus(long pid, SlotSnapshot slot, long rssBytes) {

    /**
     * A worker of the master's whose slot could not be believed: unstable (its seqlock stayed odd) or
     * claiming another pid. It is listed, so it cannot hide, with stage {@code null} (state
     * {@code Unknown}) and nothing else from the slot.
     */
    public static WorkerStatus unreadable(long pid, int slot, long generation, long rssBytes) {
        return new WorkerStatus(pid, new SlotSnapshot(slot, true, pid, generation, null, 0, 0, 0, 0, 0, 0, 0, 0,
                "", "", "", "", ""), rssBytes);
    }
}
