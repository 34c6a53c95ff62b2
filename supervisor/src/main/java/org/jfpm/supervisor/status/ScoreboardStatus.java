package org.jfpm.supervisor.status;

import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jfpm.pool.PoolIdentity;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * A {@link PoolStatus} read straight from a scoreboard file, without the master: the pids are the
 * ones workers wrote in their slots (fit for display, never for signalling), so
 * {@code fromMaster} is false. Used by the {@code status} CLI.
 */
public final class ScoreboardStatus {

    private ScoreboardStatus() {
    }

    /**
     * @param rssOfPid RSS in bytes for a pid, -1 when unknown (e.g. {@link org.jfpm.os.ProcFs#rssBytes})
     */
    public static PoolStatus read(ScoreboardReader reader, long nowUs, LongUnaryOperator rssOfPid) {
        return read(reader, null, nowUs, rssOfPid);
    }

    /** As {@link #read(ScoreboardReader, long, LongUnaryOperator)}, named {@code pool} (the name the file was opened by) rather than by its header. */
    public static PoolStatus read(ScoreboardReader reader, String pool, long nowUs, LongUnaryOperator rssOfPid) {
        List<SlotSnapshot> slots = reader.slots();
        List<WorkerStatus> workers = slots.stream().map(s -> new WorkerStatus(s.pid(), s, rssOfPid.applyAsLong(s.pid()))).toList();
        PoolHeaderSnapshot h = reader.header();
        return new PoolStatus(PoolIdentity.fromFile(h, pool), h, workers, nowUs, false);
    }
}
