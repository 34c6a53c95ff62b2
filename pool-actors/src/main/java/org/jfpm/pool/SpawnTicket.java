package org.jfpm.pool;

import org.jfpm.os.ChildProcess;
import org.jfpm.os.Signals;

/**
 * One spawn in flight, shared by the pool's actor and the spawn thread. Exactly one side ends up
 * owning the child: if the pool cancels (stop, failure) before the spawn completes, the spawn thread
 * kills what it spawned; if the spawn completed first, {@link #cancel()} returns the child and the
 * canceller kills it. So no worker outlives a pool that stopped or failed while spawning it, even
 * when the pool's "spawned" message is lost because the actor is gone.
 *
 * <p>Thread-safe.
 */
final class SpawnTicket {

    private enum State { PENDING, DONE, CANCELLED }

    final int slot;
    final long generation;
    private State state = State.PENDING;
    private ChildProcess child;

    SpawnTicket(int slot, long generation) {
        this.slot = slot;
        this.generation = generation;
    }

    /**
     * Called by the spawn thread with the child it spawned.
     *
     * @return false if the ticket was cancelled: the child has then been sent SIGKILL (the reaper still reaps it)
     */
    boolean complete(ChildProcess spawned) {
        synchronized (this) {
            if (state == State.PENDING) {
                state = State.DONE;
                child = spawned;
                return true;
            }
        }
        spawned.signal(Signals.SIGKILL);
        return false;
    }

    /** Called by the spawn thread when the spawn failed. */
    synchronized void fail() {
        if (state == State.PENDING) {
            state = State.DONE;
        }
    }

    /** Cancels the spawn; a child that was already spawned is sent SIGKILL. Idempotent. */
    void cancel() {
        ChildProcess spawned;
        synchronized (this) {
            spawned = state == State.DONE ? child : null;
            state = State.CANCELLED;
            child = null;
        }
        if (spawned != null) {
            spawned.signal(Signals.SIGKILL);
        }
    }

    synchronized boolean cancelled() {
        return state == State.CANCELLED;
    }
}
