package org.jfpm.scoreboard;

/**
 * A consistent copy of one scoreboard slot, taken under the slot's seqlock and bounds-checked.
 * Every value here was written by a worker and is untrusted: it is fit for display and for
 * counting, never for choosing a process to signal (the master knows its pids from its own spawns).
 *
 * <p>Times are microseconds since the Unix epoch ({@code 0} = never); durations are microseconds.
 * Strings are decoded as UTF-8 (malformed bytes replaced) and cut at the first NUL.
 *
 * @param index              slot index
 * @param inUse              the master has allocated this slot to a child
 * @param pid                the pid the worker reported when it attached (0 = not yet attached)
 * @param generation         the worker generation the master spawned into this slot
 * @param stage              the request stage
 * @param startTimeUs        when the master spawned the worker
 * @param acceptedTimeUs     when the current (or last) request was accepted
 * @param lastActivityUs     the last stage change
 * @param requests           requests this worker has accepted
 * @param requestDurationUs  the last finished request's duration; for a request in progress, 0
 *                           (readers compute now − accepted)
 * @param contentLength      CONTENT_LENGTH of the current or last request
 * @param lastRequestCpuUs   CPU time (user + system) of the last finished request
 * @param lastRequestMemory  peak RSS in bytes seen at the end of the last request
 * @param method             REQUEST_METHOD
 * @param uri                REQUEST_URI (without the query string)
 * @param queryString        QUERY_STRING
 * @param script             SCRIPT_FILENAME
 * @param user               REMOTE_USER / auth user
 */
public record SlotSnapshot(
        int index,
        boolean inUse,
        long pid,
        long generation,
        RequestStage stage,
        long startTimeUs,
        long acceptedTimeUs,
        long lastActivityUs,
        long requests,
        long requestDurationUs,
        long contentLength,
        long lastRequestCpuUs,
        long lastRequestMemory,
        String method,
        String uri,
        String queryString,
        String script,
        String user) {

    public boolean isIdle() {
        return stage == RequestStage.ACCEPTING;
    }
}
