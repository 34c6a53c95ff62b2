package org.jfpm.supervisor.status;

/**
 * PHP-FPM's per-pool OpenMetrics ({@code ?openmetrics}), byte for byte: no labels (pool and pm
 * only in {@code phpfpm_up}'s HELP), counters without {@code _total}, TYPE before HELP for
 * {@code phpfpm_listen_queue_length}, {@code # EOF}. {@code full} adds nothing, as in PHP-FPM.
 * The strictly valid, labelled, all-pool exposition is {@link MetricsExposition} ({@code /metrics}).
 */
final class OpenMetricsStatus {

    private OpenMetricsStatus() {
    }

    static String render(PoolFields p) {
        StringBuilder b = new StringBuilder(2048);
        b.append("# HELP phpfpm_up Could pool ").append(Escape.textLine(p.pool())).append(" using a ")
                .append(p.processManager()).append(" PM on PHP-FPM be reached?\n")
                .append("# TYPE phpfpm_up gauge\n")
                .append("phpfpm_up 1\n");
        metric(b, "phpfpm_start_since", "counter", "The number of seconds since FPM has started.", p.startSince());
        metric(b, "phpfpm_accepted_connections", "counter", "The number of requests accepted by the pool.", p.acceptedConn());
        metric(b, "phpfpm_listen_queue", "gauge", "The number of requests in the queue of pending connections.", p.listenQueue());
        metric(b, "phpfpm_max_listen_queue", "counter",
                "The maximum number of requests in the queue of pending connections since FPM has started.", p.maxListenQueue());
        b.append("# TYPE phpfpm_listen_queue_length gauge\n")
                .append("# HELP phpfpm_listen_queue_length The size of the socket queue of pending connections.\n")
                .append("phpfpm_listen_queue_length ").append(p.listenQueueLen()).append('\n');
        metric(b, "phpfpm_idle_processes", "gauge", "The number of idle processes.", p.idleProcesses());
        metric(b, "phpfpm_active_processes", "gauge", "The number of active processes.", p.activeProcesses());
        metric(b, "phpfpm_total_processes", "gauge", "The number of idle + active processes.", p.totalProcesses());
        metric(b, "phpfpm_max_active_processes", "counter",
                "The maximum number of active processes since FPM has started.", p.maxActiveProcesses());
        metric(b, "phpfpm_max_children_reached", "counter",
                "The number of times, the process limit has been reached, when pm tries to start more children (works only for pm 'dynamic' and 'ondemand').",
                p.maxChildrenReached());
        metric(b, "phpfpm_slow_requests", "counter",
                "The number of requests that exceeded your 'request_slowlog_timeout' value.", p.slowRequests());
        return b.append("# EOF\n").toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
