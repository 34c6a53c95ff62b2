package org.jfpm.scoreboard;

/**
 * How many seqlock read attempts a set of slot reads (one view of a pool) may make in all, so that
 * workers leaving their seqlocks odd cost a bounded amount of work per view, not 1000 retries per
 * slot: every slot read gets its first attempt, and retries draw from one shared pool of
 * {@link SlotSeqlock#MAX_READ_ATTEMPTS}. A view of {@code n} slots thus makes at most
 * {@code n + 1000} attempts, whatever the workers do; slots that found the budget spent and were
 * not stable at their first attempt read as unstable.
 *
 * <p>A budget also carries the view's copy buffer: every slot read of the view copies into the same
 * {@code SLOT_DATA_END} bytes (decoded before the next read), so a view of {@code n} slots allocates
 * one buffer, not {@code n}.
 *
 * <p>Not thread-safe: one budget per view, used by the thread that takes the view.
 */
public final class ReadBudget {

    private long retriesLeft;
    private long attempts;
    private byte[] scratch;

    private ReadBudget(long retries) {
        this.retriesLeft = retries;
    }

    /** A budget for one view (any number of slot reads, of one or several scoreboards). */
    public static ReadBudget perView() {
        return new ReadBudget(SlotSeqlock.MAX_READ_ATTEMPTS - 1L);
    }

    /** Attempts made so far (the first ones included). */
    public long attempts() {
        return attempts;
    }

    /** The view's slot copy buffer, allocated at the first read. */
    byte[] scratch() {
        if (scratch == null) {
            scratch = new byte[ScoreboardLayout.SLOT_DATA_END];
        }
        return scratch;
    }

    void attempted() {
        attempts++;
    }

    boolean retry() {
        if (retriesLeft <= 0) {
            return false;
        }
        retriesLeft--;
        return true;
    }
}
