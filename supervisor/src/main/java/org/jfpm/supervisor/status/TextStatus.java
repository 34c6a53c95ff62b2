package org.jfpm.supervisor.status;

import java.time.ZoneId;
import java.util.List;

/**
 * PHP-FPM's plain-text status: {@code label:} left-justified in 22 columns, one field a line;
 * with {@code full}, each process follows a blank line and a row of 24 asterisks. Worker strings
 * have their control characters replaced so that a worker cannot forge lines.
 *
 * <p>{@code jfpmExtras} (used by the {@code status} CLI, never by the HTTP page) adds
 * {@code max children} and {@code terminated requests} to the pool and {@code rss} to each process.
 */
final class TextStatus {

    private TextStatus() {
    }

    static String render(PoolFields p, List<ProcessFields> processes, boolean full, ZoneId zone, boolean jfpmExtras) {
        StringBuilder b = new StringBuilder(1024);
        line(b, "pool:", Escape.textLine(p.pool()));
        line(b, "process manager:", p.processManager());
        line(b, "start time:", StartTime.format(p.startTime(), zone));
        line(b, "start since:", p.startSince());
        line(b, "accepted conn:", p.acceptedConn());
        line(b, "listen queue:", p.listenQueue());
        line(b, "max listen queue:", p.maxListenQueue());
        line(b, "listen queue len:", p.listenQueueLen());
        line(b, "idle processes:", p.idleProcesses());
        line(b, "active processes:", p.activeProcesses());
        line(b, "total processes:", p.totalProcesses());
        line(b, "max active processes:", p.maxActiveProcesses());
        line(b, "max children reached:", p.maxChildrenReached());
        line(b, "slow requests:", p.slowRequests());
        if (jfpmExtras) {
            line(b, "max children:", p.maxChildren());
            line(b, "terminated requests:", p.terminatedRequests());
            line(b, "accounting:", p.accounting());
        }
        if (!full) {
            return b.toString();
        }
        for (ProcessFields w : processes) {
            b.append("\n************************\n");
            line(b, "pid:", w.pid());
            line(b, "state:", w.state());
            line(b, "start time:", StartTime.format(w.startTime(), zone));
            line(b, "start since:", w.startSince());
            line(b, "requests:", w.requests());
            line(b, "request duration:", w.requestDuration());
            line(b, "request method:", Escape.textLine(w.requestMethod()));
            line(b, "request URI:", Escape.textLine(w.requestUri()));
            line(b, "content length:", w.contentLength());
            line(b, "user:", Escape.textLine(w.user()));
            line(b, "script:", Escape.textLine(w.script()));
            line(b, "last request cpu:", w.lastRequestCpuText());
            line(b, "last request memory:", w.lastRequestMemory());
            if (jfpmExtras) {
                line(b, "rss:", w.rssBytes() < 0 ? "-" : Long.toString(w.rssBytes()));
            }
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String label, Object value) {
        b.append(label);
        for (int i = label.length(); i < 22; i++) {
            b.append(' ');
        }
        b.append(value).append('\n');
    }
}
