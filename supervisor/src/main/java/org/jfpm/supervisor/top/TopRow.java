package org.jfpm.supervisor.top;

import org.jfpm.scoreboard.RequestStage;
import org.jfpm.supervisor.status.ProcessFields;

/**
 * One worker row of {@code jfpm top}, from one slot copy. Every field comes from what the worker wrote
 * (plus its RSS from /proc for the pid it wrote): display only. Strings are {@link Cells#clean clean}.
 *
 * @param slot       the slot index
 * @param pid        the pid the worker wrote (0 before it attached)
 * @param state      the status page's state name ("Idle", "Running", "Reading headers", ...)
 * @param rank       0 in a request, 1 starting or unknown, 2 idle: the default sort's first key
 * @param requests   requests this worker has accepted
 * @param durationUs the current request's duration so far, or the last request's when idle
 * @param cpuPercent the last request's CPU % (idle workers only; NaN while busy)
 * @param rssBytes   resident set size from /proc, -1 when unknown
 * @param request    method, URI (with query) and script, e.g. {@code GET /index.php?a=1 (/srv/index.php)}; "-" when none
 */
record TopRow(int slot, long pid, String state, int rank, long requests, long durationUs, double cpuPercent,
              long rssBytes, String request) {

    static TopRow of(int slot, ProcessFields p) {
        RequestStage stage = p.stage();
        int rank = stage == RequestStage.ACCEPTING ? 2 : stage == null || stage == RequestStage.STARTING ? 1 : 0;
        return new TopRow(slot, p.pid(), Cells.clean(p.state()), rank, p.requests(), p.requestDuration(),
                rank == 2 && p.requests() > 0 ? p.lastRequestCpu() : Double.NaN, p.rssBytes(),
                request(p.requestMethod(), p.requestUri(), p.script()));
    }

    /** "METHOD URI (SCRIPT)", leaving out the parts that are "-"; "-" when all are. */
    static String request(String method, String uri, String script) {
        StringBuilder b = new StringBuilder();
        if (!"-".equals(method)) {
            b.append(Cells.clean(method));
        }
        if (!"-".equals(uri)) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(Cells.clean(uri));
        }
        if (!"-".equals(script)) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append('(').append(Cells.clean(script)).append(')');
        }
        return b.length() == 0 ? "-" : b.toString();
    }

    boolean inRequest() {
        return rank == 0;
    }
}
