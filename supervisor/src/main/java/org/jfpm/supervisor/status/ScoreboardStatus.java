package org.jfpm.supervisor.status;

import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jfpm.pool.PoolStatus;
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
        List<SlotSnapshot> slots = reader.slots();
        List<WorkerStatus> workers = slots.stream().map(s -> new WorkerStatus(s.pid(), s, rssOfPid.applyAsLong(s.pid()))).toList();
        return new PoolStatus(reader.header(), workers, nowUs, false);
    }
}
