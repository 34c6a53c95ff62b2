package org.jfpm.scoreboard;

import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_DATA_END;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SEQ_OFFSET;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * The per-slot seqlock. Writers (one at a time per slot: the master while no worker is attached,
 * then the worker) bracket their stores with {@link #beginWrite} / {@link #endWrite}; readers copy the
 * slot and keep the copy only if the sequence was even and unchanged around it.
 *
 * <p>Ordering: the odd store is followed by a release fence, so no data store of the write can become
 * visible before it; the even store is a release store, so every data store is visible before it. The
 * reader's acquire load of the first sequence, the load-load fence after the copy and the second load
 * are the mirror image. A sequence left odd by a writer that died mid-write is skipped over by the next
 * writer (odd + 2), and readers report the slot as unstable rather than spin on it.
 */
final class SlotSeqlock {

    /** How many times a reader retries a slot before reporting it unstable (a hostile or dead writer). */
    static final int MAX_READ_ATTEMPTS = 1000;

    private SlotSeqlock() {
    }

    /** Makes the sequence odd; returns the odd value to pass to {@link #endWrite}. */
    static long beginWrite(ByteBuffer buf, int slotOffset) {
        long seq = (long) Words.LONG.getOpaque(buf, slotOffset + SLOT_SEQ_OFFSET);
        long odd = (seq & 1) == 0 ? seq + 1 : seq + 2;
        Words.LONG.setOpaque(buf, slotOffset + SLOT_SEQ_OFFSET, odd);
        VarHandle.releaseFence();
        return odd;
    }

    /** Publishes the write: the sequence becomes even, with release semantics. */
    static void endWrite(ByteBuffer buf, int slotOffset, long odd) {
        Words.LONG.setRelease(buf, slotOffset + SLOT_SEQ_OFFSET, odd + 1);
    }

    /**
     * Copies {@code [0, SLOT_DATA_END)} of the slot into {@code dst} as one consistent snapshot.
     *
     * @return false when no stable copy was obtained within {@link #MAX_READ_ATTEMPTS}
     */
    static boolean read(ByteBuffer buf, int slotOffset, byte[] dst) {
        return read(buf, slotOffset, dst, ReadBudget.perView());
    }

    /**
     * As {@link #read(ByteBuffer, int, byte[])}, drawing attempts from {@code budget}, which several
     * slot reads share: the first attempt is always made, retries only while the budget lasts.
     */
    static boolean read(ByteBuffer buf, int slotOffset, byte[] dst, ReadBudget budget) {
        for (boolean first = true; first || budget.retry(); first = false) {
            budget.attempted();
            long before = (long) Words.LONG.getAcquire(buf, slotOffset + SLOT_SEQ_OFFSET);
            if ((before & 1) == 0) {
                buf.get(slotOffset, dst, 0, SLOT_DATA_END);
                VarHandle.loadLoadFence();
                long after = (long) Words.LONG.getOpaque(buf, slotOffset + SLOT_SEQ_OFFSET);
                if (before == after) {
                    return true;
                }
            }
            Thread.onSpinWait();
        }
        return false;
    }
}
