package org.jfpm.supervisor.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jfpm.pool.PoolStatus;

/**
 * {@code /metrics}: every pool in one exposition, labelled by {@code pool}, with PHP-FPM's metric
 * family names and types plus jfpm's additions (configured max children, terminated requests,
 * per-process series labelled by {@code pool} and {@code pid}).
 *
 * <p>Two dialects of the same series:
 * <ul>
 *   <li>{@link Dialect#OPENMETRICS}: OpenMetrics 1.0 — a counter family {@code x} has the sample
 *       {@code x_total}; the exposition ends with {@code # EOF};</li>
 *   <li>{@link Dialect#PROMETHEUS}: Prometheus text 0.0.4 — the counter family itself is named
 *       {@code x_total}, so both dialects give Prometheus the same series names.</li>
 * </ul>
 * Samples of a family are contiguous across pools, as both formats require.
 */
public final class MetricsExposition {

    /** An exposition format, with its Content-Type. */
    public enum Dialect {
        OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        PROMETHEUS("text/plain; version=0.0.4; charset=utf-8");

        private final String contentType;

        Dialect(String contentType) {
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }

        /**
         * The dialect for an HTTP {@code Accept} header: Prometheus text only when the client
         * asks for {@code text/plain} and not for {@code application/openmetrics-text};
         * OpenMetrics otherwise (also for no header and for curl's {@code * / *}).
         */
        public static Dialect forAccept(String accept) {
            if (accept == null) {
                return OPENMETRICS;
            }
            String a = accept.toLowerCase(java.util.Locale.ROOT);
            return a.contains("text/plain") && !a.contains("application/openmetrics-text") ? PROMETHEUS : OPENMETRICS;
        }
    }

    /**
     * One pool, prepared once for every family: its fields, and its processes with a pid seen twice (a
     * garbled or racing slot) left out so that series stay unique, each with its pid as a label value.
     */
    private record Pool(PoolFields fields, List<ProcessFields> processes, List<String> pids) {

        static Pool of(PoolStatus s) {
            List<ProcessFields> all = ProcessFields.of(s);
            List<ProcessFields> unique = new ArrayList<>(all.size());
            List<String> pids = new ArrayList<>(all.size());
            Set<Long> seen = new HashSet<>(all.size() * 2);
            for (ProcessFields w : all) {
                if (seen.add(w.pid())) {
                    unique.add(w);
                    pids.add(Long.toString(w.pid()));
                }
            }
            return new Pool(PoolFields.of(s), unique, pids);
        }
    }

    private record Family(String name, String type, String help, BiConsumer<Pool, Samples> samples) {
    }

    /** Collects the samples of one family for one pool. */
    private static final class Samples {
        private final StringBuilder out;
        private final String sampleName;

        Samples(StringBuilder out, String sampleName) {
            this.out = out;
            this.sampleName = sampleName;
        }

        void add(String value, String... labelPairs) {
            out.append(sampleName).append('{');
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labelPairs[i]).append("=\"").append(Escape.label(labelPairs[i + 1])).append('"');
            }
            out.append("} ").append(value).append('\n');
        }
    }

    private static final List<Family> FAMILIES = List.of(
            pool("phpfpm_up", "gauge", "Could the pool's status be read (always 1 in a served exposition).", f -> 1),
            new Family("phpfpm_pool_info", "gauge", "The pool, its process manager (static, dynamic, ondemand) and its accounting (preload, sdk, none); value 1.",
                    (p, s) -> s.add("1", "pool", p.fields.pool(), "process_manager", p.fields.processManager(),
                            "accounting", p.fields.accounting())),
            pool("phpfpm_start_since", "counter", "The number of seconds since FPM has started.", PoolFields::startSince),
            pool("phpfpm_accepted_connections", "counter", "The number of requests accepted by the pool.", PoolFields::acceptedConn),
            pool("phpfpm_listen_queue", "gauge", "The number of requests in the queue of pending connections.", PoolFields::listenQueue),
            pool("phpfpm_max_listen_queue", "counter",
                    "The maximum number of requests in the queue of pending connections since FPM has started.", PoolFields::maxListenQueue),
            pool("phpfpm_listen_queue_length", "gauge", "The size of the socket queue of pending connections.", PoolFields::listenQueueLen),
            pool("phpfpm_idle_processes", "gauge", "The number of idle processes.", PoolFields::idleProcesses),
            pool("phpfpm_active_processes", "gauge", "The number of active processes.", PoolFields::activeProcesses),
            pool("phpfpm_total_processes", "gauge", "The number of idle + active processes.", PoolFields::totalProcesses),
            pool("phpfpm_max_active_processes", "counter",
                    "The maximum number of active processes since FPM has started.", PoolFields::maxActiveProcesses),
            pool("phpfpm_max_children_reached", "counter",
                    "The number of times, the process limit has been reached, when pm tries to start more children (works only for pm 'dynamic' and 'ondemand').",
                    PoolFields::maxChildrenReached),
            pool("phpfpm_slow_requests", "counter",
                    "The number of requests that exceeded your 'request_slowlog_timeout' value.", PoolFields::slowRequests),
            pool("phpfpm_max_children", "gauge", "The configured pm.max-children of the pool.", PoolFields::maxChildren),
            pool("phpfpm_terminated_requests", "counter",
                    "The number of requests killed because they exceeded request-terminate-timeout.", PoolFields::terminatedRequests),
            new Family("phpfpm_process_state", "gauge",
                    "The state of the process (Idle, Running, Reading headers, ..., Starting); value 1.",
                    (p, s) -> eachProcess(p, (w, pid) -> s.add("1", "pool", p.fields.pool(), "pid", pid, "state", w.state()))),
            process("phpfpm_process_requests", "counter", "The number of requests the process has accepted.", ProcessFields::requests),
            process("phpfpm_process_request_duration", "gauge",
                    "The duration in microseconds of the current request (busy) or of the last one (idle).", ProcessFields::requestDuration),
            new Family("phpfpm_process_last_request_cpu", "gauge", "The %cpu the last request consumed (idle processes; 0 while busy).",
                    (p, s) -> eachProcess(p, (w, pid) -> s.add(w.lastRequestCpuText(), "pool", p.fields.pool(), "pid", pid))),
            process("phpfpm_process_last_request_memory", "gauge",
                    "The peak resident memory in bytes of the last request (idle processes; 0 while busy).", ProcessFields::lastRequestMemory),
            new Family("phpfpm_process_rss_bytes", "gauge", "The resident set size of the process in bytes, from /proc.",
                    (p, s) -> eachProcess(p, (w, pid) -> {
                        if (w.rssBytes() >= 0) {
                            s.add(Long.toString(w.rssBytes()), "pool", p.fields.pool(), "pid", pid);
                        }
                    })));

    private MetricsExposition() {
    }

    /** Renders every pool, in the given order. */
    public static String render(List<PoolStatus> pools, Dialect dialect) {
        List<Pool> prepared = new ArrayList<>(pools.size());
        for (PoolStatus s : pools) {
            prepared.add(Pool.of(s));
        }
        StringBuilder b = new StringBuilder(4096 + pools.size() * 4096);
        for (Family f : FAMILIES) {
            boolean counter = f.type.equals("counter");
            String familyName = counter && dialect == Dialect.PROMETHEUS ? f.name + "_total" : f.name;
            String sampleName = counter ? f.name + "_total" : f.name;
            b.append("# HELP ").append(familyName).append(' ').append(f.help).append('\n');
            b.append("# TYPE ").append(familyName).append(' ').append(f.type).append('\n');
            Samples samples = new Samples(b, sampleName);
            for (Pool p : prepared) {
                f.samples.accept(p, samples);
            }
        }
        if (dialect == Dialect.OPENMETRICS) {
            b.append("# EOF\n");
        }
        return b.toString();
    }

    private static Family pool(String name, String type, String help, java.util.function.ToLongFunction<PoolFields> value) {
        return new Family(name, type, help, (p, s) -> s.add(Long.toString(value.applyAsLong(p.fields)), "pool", p.fields.pool()));
    }

    private static Family process(String name, String type, String help, java.util.function.ToLongFunction<ProcessFields> value) {
        return new Family(name, type, help,
                (p, s) -> eachProcess(p, (w, pid) -> s.add(Long.toString(value.applyAsLong(w)), "pool", p.fields.pool(), "pid", pid)));
    }

    /** Each process once (see {@link Pool}), with its pid label. */
    private static void eachProcess(Pool p, BiConsumer<ProcessFields, String> action) {
        for (int i = 0; i < p.processes.size(); i++) {
            action.accept(p.processes.get(i), p.pids.get(i));
        }
    }
}
