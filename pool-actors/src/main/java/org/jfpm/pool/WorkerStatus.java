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
}
