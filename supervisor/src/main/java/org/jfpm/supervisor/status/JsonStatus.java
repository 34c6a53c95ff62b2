package org.jfpm.supervisor.status;

import java.util.List;

/**
 * PHP-FPM's JSON status: one line, no trailing newline, keys with spaces, {@code start time} as
 * an epoch number, {@code last request cpu} as a number with two decimals, strings escaped as
 * PHP's {@code json_encode} does ({@code /} as {@code \/}). With {@code full}, the processes
 * follow as {@code , "processes":[...]} (PHP-FPM's spacing).
 *
 * <p>{@code jfpmExtras} (CLI only) appends {@code "max children"}, {@code "terminated requests"}
 * to the pool and {@code "rss"} (bytes or null) to each process.
 */
final class JsonStatus {

    private JsonStatus() {
    }

    static String render(PoolFields p, List<ProcessFields> processes, boolean full, boolean jfpmExtras) {
        StringBuilder b = new StringBuilder(1024);
        b.append('{');
        pool(b, p);
        if (jfpmExtras) {
            b.append(",\"max children\":").append(p.maxChildren());
            b.append(",\"terminated requests\":").append(p.terminatedRequests());
            b.append(",\"accounting\":\"").append(p.accounting()).append('"');
        }
        if (full) {
            b.append(", \"processes\":[");
            for (int i = 0; i < processes.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                b.append('{');
                process(b, processes.get(i));
                if (jfpmExtras) {
                    ProcessFields w = processes.get(i);
                    b.append(",\"rss\":").append(w.rssBytes() < 0 ? "null" : Long.toString(w.rssBytes()));
                }
                b.append('}');
            }
            b.append(']');
        }
        return b.append('}').toString();
    }

    /** The pool keys, without braces ({@code "pool":...,"slow requests":N}). */
    static void pool(StringBuilder b, PoolFields p) {
        b.append("\"pool\":\"").append(Escape.json(p.pool())).append('"');
        b.append(",\"process manager\":\"").append(p.processManager()).append('"');
        b.append(",\"start time\":").append(p.startTime());
        b.append(",\"start since\":").append(p.startSince());
        b.append(",\"accepted conn\":").append(p.acceptedConn());
        b.append(",\"listen queue\":").append(p.listenQueue());
        b.append(",\"max listen queue\":").append(p.maxListenQueue());
        b.append(",\"listen queue len\":").append(p.listenQueueLen());
        b.append(",\"idle processes\":").append(p.idleProcesses());
        b.append(",\"active processes\":").append(p.activeProcesses());
        b.append(",\"total processes\":").append(p.totalProcesses());
        b.append(",\"max active processes\":").append(p.maxActiveProcesses());
        b.append(",\"max children reached\":").append(p.maxChildrenReached());
        b.append(",\"slow requests\":").append(p.slowRequests());
    }

    /** One process's keys, without braces. */
    static void process(StringBuilder b, ProcessFields w) {
        b.append("\"pid\":").append(w.pid());
        b.append(",\"state\":\"").append(Escape.json(w.state())).append('"');
        b.append(",\"start time\":").append(w.startTime());
        b.append(",\"start since\":").append(w.startSince());
        b.append(",\"requests\":").append(w.requests());
        b.append(",\"request duration\":").append(w.requestDuration());
        b.append(",\"request method\":\"").append(Escape.json(w.requestMethod())).append('"');
        b.append(",\"request uri\":\"").append(Escape.json(w.requestUri())).append('"');
        b.append(",\"content length\":").append(w.contentLength());
        b.append(",\"user\":\"").append(Escape.json(w.user())).append('"');
        b.append(",\"script\":\"").append(Escape.json(w.script())).append('"');
        b.append(",\"last request cpu\":").append(w.lastRequestCpuText());
        b.append(",\"last request memory\":").append(w.lastRequestMemory());
    }
}
