package org.jfpm.os;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The pids {@link Spawner} has spawned and the {@link Reaper} has not reaped yet, process-wide (pids
 * are). {@link AdoptedReaper} must never reap one of these: their exit status belongs to the Reaper.
 *
 * <p>The gap between {@code posix_spawnp} returning a pid and the pid being recorded is closed with a
 * read-write lock: {@link Spawner} holds the read lock across the spawn and the {@link #add}; the
 * adopted-zombie reaper holds the write lock while it peeks and reaps, so it never sees a child of ours
 * that is not recorded yet.
 */
final class OwnChildren {
    private static final Set<Long> PIDS = ConcurrentHashMap.newKeySet();
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();

    private OwnChildren() {
    }

    static Lock spawnLock() {
        return LOCK.readLock();
    }

    static Lock reapLock() {
        return LOCK.writeLock();
    }

    static void add(long pid) {
        PIDS.add(pid);
    }

    static void remove(long pid) {
        PIDS.remove(pid);
    }

    static boolean contains(long pid) {
        return PIDS.contains(pid);
    }
}
