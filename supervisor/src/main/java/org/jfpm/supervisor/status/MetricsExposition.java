package org.jfpm.supervisor.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;

/**
 * {@code /metrics}: every pool in one exposition, with the series of hipages/php-fpm_exporter (the
 * exporter most PHP-FPM dashboards are built on), so those dashboards work unchanged, plus jfpm's
 * own figures under names of their own ({@code jfpm_*}).
 *
 * <p>The exporter's series, exactly as its {@code phpfpm/exporter.go} declares them:
 * <ul>
 *   <li>pool series {@code phpfpm_up}, {@code phpfpm_scrape_failures}, {@code phpfpm_start_since},
 *       {@code phpfpm_accepted_connections}, ... {@code phpfpm_slow_requests}, labelled
 *       {@code pool} and {@code scrape_uri};</li>
 *   <li>process series {@code phpfpm_process_requests}, {@code phpfpm_process_last_request_memory},
 *       {@code phpfpm_process_last_request_cpu}, {@code phpfpm_process_request_duration}, labelled
 *       {@code pool}, {@code child} and {@code scrape_uri}, and {@code phpfpm_process_state} with a
 *       {@code state} label: 0 or 1 for each of the exporter's six states, plus a 1 for the worker's
 *       own state when it is none of them ({@code Starting}, {@code Unknown}), as the exporter adds
 *       any state it reads;</li>
 *   <li>{@code child} is the worker's scoreboard slot (the exporter's is the index in the
 *       {@code ?full} list, the same number for a pool whose slots are all in use). A worker of an
 *       older generation still draining after a reload, in a slot number the current generation
 *       also uses, is {@code <slot>@g<generation>}, so every series stays unique;</li>
 *   <li>{@code scrape_uri} is {@value #SCRAPE_URI} (the exporter puts the address it scraped there;
 *       nothing scrapes here).</li>
 * </ul>
 *
 * <p>Two dialects:
 * <ul>
 *   <li>{@link Dialect#PROMETHEUS} (the default): Prometheus text 0.0.4, in which a counter's samples
 *       carry the family's name, so Prometheus stores {@code phpfpm_accepted_connections} as the
 *       exporter's output gives it. Its counters lack {@code _total}, so {@code promtool check metrics}
 *       reports them (as it does for the exporter); {@code jfpm_*} counters end in {@code _total};</li>
 *   <li>{@link Dialect#OPENMETRICS}: OpenMetrics 1.0, in which a counter family {@code x} has the sample
 *       {@code x_total} (Prometheus then stores {@code x_total}); ends with {@code # EOF}.</li>
 * </ul>
 * Samples of a family are contiguous across pools, as both formats require.
 */
public final class MetricsExposition {

    /** The {@code scrape_uri} label of every exporter series. */
    public static final String SCRAPE_URI = "jfpm";

    /** The exporter's {@code phpfpm_process_state} states, every one emitted for every worker. */
    static final List<String> EXPORTER_STATES = List.of(
            "Idle", "Running", "Finishing", "Reading headers", "Getting request informations", "Ending");

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
         * The dialect for an HTTP {@code Accept} header: OpenMetrics only for a client that accepts
         * nothing else (it names {@code application/openmetrics-text} and neither {@code text/plain}
         * nor a wildcard); Prometheus text otherwise. Prometheus itself always offers
         * {@code text/plain} too, so a default scrape gets the text format and the exporter's names.
         */
        public static Dialect forAccept(String accept) {
            if (accept == null) {
                return PROMETHEUS;
            }
            String a = accept.toLowerCase(Locale.ROOT);
            boolean openMetrics = a.contains("application/openmetrics-text");
            boolean other = a.contains("text/plain") || a.contains("*/*") || a.contains("text/*");
            return openMetrics && !other ? OPENMETRICS : PROMETHEUS;
        }

        /**
         * The dialect for a {@code format} query value: {@code openmetrics} or {@code prometheus}
         * (also {@code text}); null for anything else (then the Accept header decides).
         */
        public static Dialect forFormat(String format) {
            if (format == null) {
                return null;
            }
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "openmetrics" -> OPENMETRICS;
                case "prometheus", "text" -> PROMETHEUS;
                default -> null;
            };
        }
    }

    /** One worker as the process series show it: its fields, its {@code child} label and its pid. */
    private record Process(ProcessFields fields, String child, String pid) {
    }

    /** One pool, prepared once for every family. */
    private record Pool(PoolFields fields, List<Process> processes) {

        static Pool of(PoolStatus s) {
            List<ProcessFields> all = ProcessFields.of(s);
            List<WorkerStatus> workers = s.workers();
            List<Process> processes = new ArrayList<>(all.size());
            Set<String> children = new HashSet<>(all.size() * 2);
            for (int i = 0; i < all.size(); i++) {
                var slot = workers.get(i).slot();
                String child = Integer.toString(slot.index());
                if (!children.add(child)) {
                    child = slot.index() + "@g" + slot.generation();
                    if (!children.add(child)) {
                        continue; // the same slot of the same generation twice: a racing roster, listed once
                    }
                }
                processes.add(new Process(all.get(i), child, Long.toString(all.get(i).pid())));
            }
            return new Pool(PoolFields.of(s), processes);
        }
    }

    private record Family(String name, String type, String help, BiConsumer<Pool, Samples> samples) {
    }

    /** Collects the samples of one family for one pool; label pairs are given in name order. */
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
            // hipages/php-fpm_exporter: names, types, help and labels as its exporter.go declares them
            pool("phpfpm_up", "gauge", "Could PHP-FPM be reached?", f -> 1),
            pool("phpfpm_scrape_failures", "counter", "The number of failures scraping from PHP-FPM.", f -> 0),
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
            new Family("phpfpm_process_state", "gauge", "The state of the process (Idle, Running, ...).",
                    (p, s) -> eachProcess(p, w -> {
                        String state = w.fields().state();
                        for (String st : EXPORTER_STATES) {
                            s.add(st.equals(state) ? "1" : "0", "child", w.child(), "pool", p.fields.pool(), "scrape_uri", SCRAPE_URI,
                                    "state", st);
                        }
                        if (!EXPORTER_STATES.contains(state)) {
                            s.add("1", "child", w.child(), "pool", p.fields.pool(), "scrape_uri", SCRAPE_URI, "state", state);
                        }
                    })),
            process("phpfpm_process_requests", "counter", "The number of requests the process has served.", ProcessFields::requests),
            process("phpfpm_process_last_request_memory", "gauge", "The max amount of memory the last request consumed.",
                    ProcessFields::lastRequestMemory),
            new Family("phpfpm_process_last_request_cpu", "gauge", "The %cpu the last request consumed.",
                    (p, s) -> eachProcess(p, w -> s.add(w.fields().lastRequestCpuText(), "child", w.child(), "pool", p.fields.pool(),
                            "scrape_uri", SCRAPE_URI))),
            process("phpfpm_process_request_duration", "gauge", "The duration in microseconds of the requests.",
                    ProcessFields::requestDuration),
            // jfpm's own
            new Family("jfpm_pool_info", "gauge",
                    "The pool, its process manager (static, dynamic, ondemand) and its accounting (preload, sdk, none); value 1.",
                    (p, s) -> s.add("1", "accounting", p.fields.accounting(), "pool", p.fields.pool(),
                            "process_manager", p.fields.processManager())),
            new Family("jfpm_max_children", "gauge", "The configured pm.max-children of the pool.",
                    (p, s) -> s.add(Long.toString(p.fields.maxChildren()), "pool", p.fields.pool())),
            new Family("jfpm_terminated_requests", "counter",
                    "The number of requests killed because they exceeded request-terminate-timeout.",
                    (p, s) -> s.add(Long.toString(p.fields.terminatedRequests()), "pool", p.fields.pool())),
            new Family("jfpm_process_info", "gauge", "The pid of the worker in each child (scoreboard slot); value 1.",
                    (p, s) -> eachProcess(p, w -> s.add("1", "child", w.child(), "pid", w.pid(), "pool", p.fields.pool()))),
            new Family("jfpm_process_rss_bytes", "gauge", "The resident set size of the process in bytes, from /proc.",
                    (p, s) -> eachProcess(p, w -> {
                        if (w.fields().rssBytes() >= 0) {
                            s.add(Long.toString(w.fields().rssBytes()), "child", w.child(), "pool", p.fields.pool());
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
            boolean jfpm = f.name.startsWith("jfpm_");
            String familyName = counter && dialect == Dialect.PROMETHEUS && jfpm ? f.name + "_total" : f.name;
            String sampleName = counter && (dialect == Dialect.OPENMETRICS || jfpm) ? f.name + "_total" : f.name;
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

    private static Family pool(String name, String type, String help, ToLongFunction<PoolFields> value) {
        return new Family(name, type, help, (p, s) -> s.add(Long.toString(value.applyAsLong(p.fields)), "pool", p.fields.pool(),
                "scrape_uri", SCRAPE_URI));
    }

    private static Family process(String name, String type, String help, ToLongFunction<ProcessFields> value) {
        return new Family(name, type, help, (p, s) -> eachProcess(p, w -> s.add(Long.toString(value.applyAsLong(w.fields())),
                "child", w.child(), "pool", p.fields.pool(), "scrape_uri", SCRAPE_URI)));
    }

    private static void eachProcess(Pool p, java.util.function.Consumer<Process> action) {
        for (Process w : p.processes) {
            action.accept(w);
        }
    }
}
