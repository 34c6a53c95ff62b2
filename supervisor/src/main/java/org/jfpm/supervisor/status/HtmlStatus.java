package org.jfpm.supervisor.status;

import java.time.ZoneId;
import java.util.List;

/**
 * PHP-FPM's HTML status: an XHTML 1.0 Strict page titled {@code PHP-FPM Status Page} with a
 * {@code <th>label</th><td>value</td>} table; with {@code full}, a second {@code <table border="1">}
 * with a header row and one row per process. Every string is escaped.
 */
final class HtmlStatus {

    private static final String[] PROCESS_COLUMNS = {
        "pid", "state", "start time", "start since", "requests", "request duration", "request method",
        "request uri", "content length", "user", "script", "last request cpu", "last request memory"};

    private HtmlStatus() {
    }

    static String render(PoolFields p, List<ProcessFields> processes, boolean full, ZoneId zone) {
        StringBuilder b = new StringBuilder(2048);
        b.append("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n")
                .append("<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n")
                .append("<head><title>PHP-FPM Status Page</title></head>\n")
                .append("<body>\n")
                .append("<table>\n");
        row(b, "pool", Escape.markup(p.pool()));
        row(b, "process manager", p.processManager());
        row(b, "start time", StartTime.format(p.startTime(), zone));
        row(b, "start since", p.startSince());
        row(b, "accepted conn", p.acceptedConn());
        row(b, "listen queue", p.listenQueue());
        row(b, "max listen queue", p.maxListenQueue());
        row(b, "listen queue len", p.listenQueueLen());
        row(b, "idle processes", p.idleProcesses());
        row(b, "active processes", p.activeProcesses());
        row(b, "total processes", p.totalProcesses());
        row(b, "max active processes", p.maxActiveProcesses());
        row(b, "max children reached", p.maxChildrenReached());
        row(b, "slow requests", p.slowRequests());
        b.append("</table>\n");
        if (!full) {
            return b.append("</body></html>").toString();
        }
        b.append("<table border=\"1\">\n<tr>");
        for (String column : PROCESS_COLUMNS) {
            b.append("<th>").append(column).append("</th>");
        }
        b.append("</tr>\n");
        for (ProcessFields w : processes) {
            b.append("<tr>");
            td(b, w.pid());
            td(b, Escape.markup(w.state()));
            td(b, StartTime.format(w.startTime(), zone));
            td(b, w.startSince());
            td(b, w.requests());
            td(b, w.requestDuration());
            td(b, Escape.markup(w.requestMethod()));
            td(b, Escape.markup(w.requestUri()));
            td(b, w.contentLength());
            td(b, Escape.markup(w.user()));
            td(b, Escape.markup(w.script()));
            td(b, w.lastRequestCpuText());
            td(b, w.lastRequestMemory());
            b.append("</tr>\n");
        }
        return b.append("</table></body></html>").toString();
    }

    private static void row(StringBuilder b, String label, Object value) {
        b.append("<tr><th>").append(label).append("</th><td>").append(value).append("</td></tr>\n");
    }

    private static void td(StringBuilder b, Object value) {
        b.append("<td>").append(value).append("</td>");
    }
}
