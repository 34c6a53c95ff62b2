package org.jfpm.pool.policy;

import org.jfpm.scoreboard.RequestStage;

/**
 * What a policy knows of one live worker. {@code pid} comes from the master's own spawn, never
 * from the scoreboard; {@code stage}, {@code requests} and {@code lastActivityNanos} come from the
 * scoreboard slot and are only hints (a worker may lie about itself, never about another).
 *
 * @param pid               the pid the master spawned
 * @param slot              the worker's scoreboard slot
 * @param generation        the generation it was spawned in
 * @param stage             its request stage; {@link RequestStage#STARTING} until its first accept
 * @param spawnedAtNanos    when it was spawned ({@link System#nanoTime()} clock)
 * @param lastActivityNanos its last stage change on the same clock (= spawnedAtNanos before any)
 * @param requests          requests it has accepted
 * @param retiring          a Bury was already sent: it is on its way out and counts for nothing
 */
public record WorkerView(
        long pid,
        int slot,
        long generation,
        RequestStage stage,
        long spawnedAtNanos,
        long lastActivityNanos,
        long requests,
        boolean retiring) {

    public boolean isIdle() {
        return !retiring && stage == RequestStage.ACCEPTING;
    }
}
