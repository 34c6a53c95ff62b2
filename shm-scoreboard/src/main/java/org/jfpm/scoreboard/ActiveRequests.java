package org.jfpm.scoreboard;

import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_ACTIVE_REQUESTS_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAX_ACTIVE_PROCESSES_OFFSET;

import java.nio.ByteBuffer;

/**
 * The header's {@code active_requests} and {@code max_active_processes}, shared by every worker of a
 * pool (mirrors {@code jfpm_sb__active_inc/dec} in the C header): a worker adds 1 when a request
 * opens and subtracts 1 when it closes, and raises the high-water mark to the new count, so that
 * bursts shorter than the master's sampling still count. The count never goes below 0; the master
 * re-counts it from the slots every second, since a worker killed in a request never subtracts.
 * Plain atomics (no ordering needed beyond the words themselves).
 */
final class ActiveRequests {

    private ActiveRequests() {
    }

    static void increment(ByteBuffer header) {
        long now = (long) Words.LONG.getAndAdd(header, HEADER_ACTIVE_REQUESTS_OFFSET, 1L) + 1;
        raiseMax(header, now);
    }

    static void decrement(ByteBuffer header) {
        long cur = (long) Words.LONG.getOpaque(header, HEADER_ACTIVE_REQUESTS_OFFSET);
        while (cur > 0 && !Words.LONG.weakCompareAndSetPlain(header, HEADER_ACTIVE_REQUESTS_OFFSET, cur, cur - 1)) {
            cur = (long) Words.LONG.getOpaque(header, HEADER_ACTIVE_REQUESTS_OFFSET);
        }
    }

    /** Raises max_active_processes to {@code value} if it is lower (CAS loop; any writer may race). */
    static void raiseMax(ByteBuffer header, long value) {
        long max = (long) Words.LONG.getOpaque(header, HEADER_MAX_ACTIVE_PROCESSES_OFFSET);
        while (value > max && !Words.LONG.weakCompareAndSetPlain(header, HEADER_MAX_ACTIVE_PROCESSES_OFFSET, max, value)) {
            max = (long) Words.LONG.getOpaque(header, HEADER_MAX_ACTIVE_PROCESSES_OFFSET);
        }
    }
}
