package org.jfpm.pool;

import org.jfpm.os.ChildProcess;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.ReadBudget;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;

/** A live worker as only the master knows it: its process, slot, generation and where it is in its life. */
final class Child {

    /** Where a worker is in its life, as the master decided it. */
    enum State {
        /** Serving; counts for its generation's policy. */
        SERVING,
        /** Its generation drains: it gets its stop-signal as soon as it is idle (SIGKILL at the deadline). */
        DRAINING,
        /** The stop-signal was sent; SIGKILL at the deadline. */
        RETIRING,
        /** SIGKILL was sent. */
        KILLED
    }

    final ChildProcess process;
    final int slot;
    final Generation generation;
    private State state = State.SERVING;
    private long deadlineNanos = Long.MAX_VALUE;
    private long requestsWhenDrained;
    private boolean buriedByPm;

    Child(ChildProcess process, int slot, Generation generation) {
        this.process = process;
        this.slot = slot;
        this.generation = generation;
    }

    long pid() {
        return process.pid();
    }

    State state() {
        return state;
    }

    /** Not serving any more: the master asked it to go (its exit is expected, not a crash). */
    boolean leaving() {
        return state != State.SERVING;
    }

    /** When it gets SIGKILL if still alive ({@link Long#MAX_VALUE} while serving). */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** The process manager chose it (idle reaping, max-requests, request-terminate-timeout): PHP-FPM's "killed by the process management". */
    boolean buriedByPm() {
        return buriedByPm;
    }

    void markBuriedByPm() {
        buriedByPm = true;
    }

    /** Requests it had accepted (its own slot's count) when it was asked to drain. */
    long requestsWhenDrained() {
        return requestsWhenDrained;
    }

    void drainAfter(long requests) {
        requestsWhenDrained = requests;
    }

    void moveTo(State next, long deadline) {
        state = next;
        deadlineNanos = Math.min(deadlineNanos, deadline);
    }

    // ---- what the worker wrote about itself (untrusted, read through one place) ----------------

    /** Its slot copy, or null when the slot is unstable or claims another pid (a worker can lie only about itself). */
    SlotSnapshot ownSlot() {
        return ownSlot(ReadBudget.perView());
    }

    /** As {@link #ownSlot()}, drawing seqlock retries from {@code budget}, shared by every slot read of one view. */
    SlotSnapshot ownSlot(ReadBudget budget) {
        SlotSnapshot s = generation.reader().slot(slot, budget).orElse(null);
        return s == null || s.pid() != pid() ? null : s;
    }

    boolean accounted() {
        return generation.config().accounting() != Accounting.NONE;
    }

    boolean isIdle() {
        SlotSnapshot s = ownSlot();
        return s != null && s.stage() == RequestStage.ACCEPTING;
    }

    boolean isInRequest() {
        SlotSnapshot s = ownSlot();
        return s != null && RequestTimeouts.isInRequest(s.stage());
    }

    /** Requests it says it has accepted (0 when unknown). */
    long requestsSoFar() {
        SlotSnapshot s = ownSlot();
        return s == null ? 0 : s.requests();
    }
}
