package org.jfpm.supervisor.status;

import java.util.List;

/**
 * PHP-FPM's XML status: {@code <status>} with one element per field (dashed names), epoch
 * {@code start-time}, no trailing newline; with {@code full}, {@code <processes>} holds one
 * single-line {@code <process>} per worker. Every string is escaped (PHP-FPM 8.2 leaves some
 * unescaped, which can make its XML malformed).
 */
final class XmlStatus {

    private XmlStatus() {
    }

    static String render(PoolFields p, List<ProcessFields> processes, boolean full) {
        StringBuilder b = new StringBuilder(1024);
        b.append("<?xml version=\"1.0\" ?>\n<status>\n");
        el(b, "pool", Escape.markup(p.pool())).append('\n');
        el(b, "process-manager", p.processManager()).append('\n');
        el(b, "start-time", p.startTime()).append('\n');
        el(b, "start-since", p.startSince()).append('\n');
        el(b, "accepted-conn", p.acceptedConn()).append('\n');
        el(b, "listen-queue", p.listenQueue()).append('\n');
        el(b, "max-listen-queue", p.maxListenQueue()).append('\n');
        el(b, "listen-queue-len", p.listenQueueLen()).append('\n');
        el(b, "idle-processes", p.idleProcesses()).append('\n');
        el(b, "active-processes", p.activeProcesses()).append('\n');
        el(b, "total-processes", p.totalProcesses()).append('\n');
        el(b, "max-active-processes", p.maxActiveProcesses()).append('\n');
        el(b, "max-children-reached", p.maxChildrenReached()).append('\n');
        el(b, "slow-requests", p.slowRequests()).append('\n');
        if (!full) {
            return b.append("</status>").toString();
        }
        b.append("<processes>\n");
        for (ProcessFields w : processes) {
            b.append("<process>");
            el(b, "pid", w.pid());
            el(b, "state", Escape.markup(w.state()));
            el(b, "start-time", w.startTime());
            el(b, "start-since", w.startSince());
            el(b, "requests", w.requests());
            el(b, "request-duration", w.requestDuration());
            el(b, "request-method", Escape.markup(w.requestMethod()));
            el(b, "request-uri", Escape.markup(w.requestUri()));
            el(b, "content-length", w.contentLength());
            el(b, "user", Escape.markup(w.user()));
            el(b, "script", Escape.markup(w.script()));
            el(b, "last-request-cpu", w.lastRequestCpuText());
            el(b, "last-request-memory", w.lastRequestMemory());
            b.append("</process>\n");
        }
        return b.append("</processes>\n</status>").toString();
    }

    private static StringBuilder el(StringBuilder b, String name, Object value) {
        return b.append('<').append(name).append('>').append(value).append("</").append(name).append('>');
    }
}
