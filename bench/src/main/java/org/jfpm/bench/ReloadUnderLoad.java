package org.jfpm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Graceful reload under load, and graceful stop with requests in flight and in the backlog: jfpm
 * (php-cgi, {@code accounting = preload}) vs PHP-FPM 8.2, both behind the same nginx, same pool
 * settings, same {@code process-control-timeout}.
 *
 * <p><b>Reload.</b> {@code --clients} threads each send {@code GET /work.php?ms=W} through nginx, one
 * connection per request, for {@code --duration-s} seconds (and at most {@code --max-requests} in
 * all). {@code --reloads} times during it, at even spacing, the pool's {@code env[BENCH_GEN]} is
 * changed in the configuration file and the reload signal is sent (jfpm: HUP, PHP-FPM: USR2).
 * Counted: failed requests (non-200, resets, timeouts), the longest gap between two successful
 * answers from 0.5 s before to {@code --window-ms} after each signal (the stall), the time from the
 * signal to the first answer by the new generation (work.php echoes BENCH_GEN), and latency
 * percentiles of the requests started inside those windows vs outside.
 *
 * <p><b>Graceful stop</b> ({@code --stop-runs N}). A static pool of {@code --workers} workers: as many
 * long requests ({@code --stop-work-ms}) as workers, then {@code --stop-queued} more that wait in the
 * listen backlog; 300 ms later the graceful stop signal (jfpm: TERM, PHP-FPM: QUIT). Counted: how many
 * of each group got a 200, a 502 or another answer, and when the master exited.
 */
public final class ReloadUnderLoad {
    private static final String USAGE = """
            usage: java -cp "$(cat bench/target/classpath.txt)" org.jfpm.bench.ReloadUnderLoad [options]
              --rounds N            interleaved rounds (jfpm, php-fpm, jfpm, php-fpm, ...) per pm mode (default 2)
              --modes LIST          static,dynamic (default both)
              --workers N           static: max-children; dynamic: max-children (default 4)
              --clients N           concurrent client threads, one connection per request (default 8)
              --work-ms MS          how long work.php runs (a loop of 1 ms sleeps; default 10)
              --duration-s S        load per run (default 20)
              --reloads N           reloads per run, evenly spaced (default 4)
              --window-ms MS        a reload window: from the signal to MS after it (default 2000)
              --max-requests N      bound on requests per run (default 200000)
              --pct DURATION        process-control-timeout for both, in seconds (default 10; 0 = PHP-FPM's default)
              --stop-runs N         graceful-stop runs per server after the reload runs (default 2; 0 = none)
              --stop-work-ms MS     graceful stop: length of the in-flight requests (default 1500)
              --stop-queued N       graceful stop: requests queued behind them (default 8)
              --servers LIST        jfpm,php-fpm (default both, alternating)
              --jar PATH            jfpm jar (default supervisor/target/jfpm.jar)
              --java-opts OPTS      JVM options for jfpm
              --log-level LEVEL     jfpm's log-level (default info)
              --php-fpm PATH        (default /usr/sbin/php-fpm8.2)
              --nginx PATH          (default /usr/sbin/nginx)
              --out DIR             per-run CSV of requests and the servers' logs (default bench/target/results)
              --keep                keep the temp directory even on success
            """;

    /** Loops in 1 ms sleeps (php-cgi's TERM handler cuts a single usleep short) and echoes BENCH_GEN. */
    static final String WORK_PHP = """
            <?php
            $start = microtime(true);
            $ms = (int) ($_GET['ms'] ?? 10);
            while ((microtime(true) - $start) * 1000 < $ms) {
                usleep(1000);
            }
            header('Content-Type: text/plain');
            printf("pid=%d gen=%s\\n", getmypid(), getenv('BENCH_GEN'));
            """;
    private static final Pattern BODY = Pattern.compile("pid=(\\d+) gen=(\\S*)");

    /** One request: start and end in ms since the load started; status 200, 502, ... or 0 for an I/O failure. */
    record Req(double startMs, double endMs, int status, String error, long pid, String gen) {
        boolean ok() {
            return status == 200;
        }
    }

    record ReloadRun(String server, String mode, int round, List<Req> reqs, List<Double> reloadMs, String load) {
    }

    private ReloadUnderLoad() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("rounds", "modes", "workers", "clients", "work-ms", "duration-s", "reloads",
                "window-ms", "max-requests", "pct", "stop-runs", "stop-work-ms", "stop-queued", "servers", "jar",
                "java-opts", "log-level", "php-fpm", "nginx", "out"), Set.of("keep"), USAGE);
        int rounds = a.integer("rounds", 2);
        List<String> modes = a.list("modes", "static,dynamic");
        int workers = a.integer("workers", 4);
        int clients = a.integer("clients", 8);
        int workMs = a.integer("work-ms", 10);
        int durationS = a.integer("duration-s", 20);
        int reloads = a.integer("reloads", 4);
        int windowMs = a.integer("window-ms", 2000);
        int maxRequests = a.integer("max-requests", 200_000);
        int pct = a.integer("pct", 10);
        int stopRuns = a.integer("stop-runs", 2);
        List<String> serverNames = a.list("servers", "jfpm,php-fpm");
        Path jar = a.path("jar", "supervisor/target/jfpm.jar").toAbsolutePath();
        Path out = a.path("out", "bench/target/results").toAbsolutePath();
        if (serverNames.contains("jfpm") && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file; build it with mvn -B package -DskipTests");
        }
        Files.createDirectories(out);
        System.out.printf(Locale.ROOT, "# ReloadUnderLoad: %d clients, work.php %d ms, %d s per run, %d reloads, window %d ms,"
                        + " process-control-timeout %ds, %d round(s) per mode %s; graceful stop: %d run(s)%n",
                clients, workMs, durationS, reloads, windowMs, pct, rounds, modes, stopRuns);
        System.out.println("# machine: " + Machine.describe());
        System.out.println("# " + Machine.versionOf(List.of(a.string("nginx", "/usr/sbin/nginx"), "-v")) + "; "
                + Machine.versionOf(List.of("/usr/bin/php-cgi", "-v")) + "; "
                + Machine.versionOf(List.of(a.string("php-fpm", "/usr/sbin/php-fpm8.2"), "-v")));

        List<ReloadRun> results = new ArrayList<>();
        try (Processes procs = new Processes()) {
            Workspace ws = Workspace.create("jfpm-bench-reload");
            procs.afterStop(ws::deleteScoreboards);
            Files.writeString(ws.www().resolve("work.php"), WORK_PHP);
            boolean ok = false;
            Nginx nginx = new Nginx(procs, ws, a.path("nginx", "/usr/sbin/nginx"));
            Map<String, Endpoint> endpoints = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            List<FpmServer> live = new ArrayList<>();
            try {
                for (String s : serverNames) {
                    if (!s.equals("jfpm") && !s.equals("php-fpm")) {
                        throw new IllegalArgumentException("--servers: unknown server '" + s + "', expected jfpm or php-fpm");
                    }
                    Endpoint ep = new Endpoint.Unix(ws.file(s + ".sock"));
                    endpoints.put(s, ep);
                    ports.put(s, nginx.addServer(ep));
                }
                nginx.start();
                for (String mode : modes) {
                    PoolSpec pm = mode.equals("static") ? PoolSpec.fixed(workers)
                            : PoolSpec.dynamic(workers, Math.max(1, workers / 2), 1, Math.max(1, workers / 2));
                    for (int r = 1; r <= rounds; r++) {
                        for (String s : serverNames) {
                            FpmServer server = server(s, procs, ws, a, jar, endpoints.get(s), pm, pct);
                            live.add(server);
                            String label = mode + "-r" + r;
                            ReloadRun run = reloadRun(server, label, ports.get(s), mode, r, clients, workMs, durationS,
                                    reloads, maxRequests);
                            live.remove(server);
                            results.add(run);
                            print(run, windowMs, workers);
                            writeCsv(out.resolve("reload-" + s + "-" + label + ".csv"), run);
                            copyLog(server, out.resolve("reload-" + s + "-" + label + ".log"));
                            if (run.reqs().stream().anyMatch(q -> !q.ok()) && server instanceof JfpmServer j) {
                                printFailureContext(run, j);
                            }
                        }
                    }
                }
                summary(results, serverNames, modes, windowMs);
                for (int r = 1; r <= stopRuns; r++) {
                    for (String s : serverNames) {
                        FpmServer server = server(s, procs, ws, a, jar, endpoints.get(s), PoolSpec.fixed(workers), pct);
                        live.add(server);
                        stopRun(server, "stop-r" + r, ports.get(s), workers, a.integer("stop-queued", 8),
                                a.integer("stop-work-ms", 1500), pct);
                        live.remove(server);
                        copyLog(server, out.resolve("stop-" + s + "-r" + r + ".log"));
                    }
                }
                ok = true;
            } finally {
                live.forEach(FpmServer::stop);
                nginx.stop();
                if (ok && !a.flag("keep")) {
                    ws.delete();
                } else {
                    ws.deleteScoreboards();
                    System.out.println("# configs and logs kept in " + ws.dir());
                }
            }
        }
        System.out.println("# per-request CSV and server logs: " + out + "/reload-*, " + out + "/stop-*");
    }

    private static FpmServer server(String s, Processes procs, Workspace ws, Args a, Path jar, Endpoint ep, PoolSpec pm,
                                    int pct) {
        Map<String, String> env = Map.of("BENCH_GEN", "g0");
        return switch (s) {
            case "jfpm" -> new JfpmServer(procs, ws, jar, a.list("java-opts", ""), ep, pm, a.string("log-level", "info"))
                    .processControlTimeout(pct + "s").env(env);
            default -> new PhpFpmServer(procs, ws, a.path("php-fpm", "/usr/sbin/php-fpm8.2"), ep, pm)
                    .processControlTimeout(pct == 0 ? "0" : pct + "s").env(env);
        };
    }

    private static void copyLog(FpmServer server, Path to) {
        try {
            Path from = server instanceof JfpmServer j ? j.log() : ((PhpFpmServer) server).log();
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            System.err.println("[bench] could not copy the log of " + server.name() + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- reload under load

    private static ReloadRun reloadRun(FpmServer server, String label, int port, String mode, int round, int clients,
                                       int workMs, int durationS, int reloads, int maxRequests) throws Exception {
        server.start(label);
        try {
            warmUp(port, workMs);
            String load = Machine.loadAverage();
            ConcurrentLinkedQueue<Req> reqs = new ConcurrentLinkedQueue<>();
            long t0 = System.nanoTime();
            long end = t0 + durationS * 1_000_000_000L;
            java.util.concurrent.atomic.AtomicInteger budget = new java.util.concurrent.atomic.AtomicInteger(maxRequests);
            byte[] request = ("GET /work.php?ms=" + workMs + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            CountDownLatch done = new CountDownLatch(clients);
            for (int i = 0; i < clients; i++) {
                Thread t = new Thread(() -> {
                    try {
                        while (System.nanoTime() < end && budget.getAndDecrement() > 0) {
                            reqs.add(oneRequest(port, request, t0, 30_000));
                        }
                    } finally {
                        done.countDown();
                    }
                }, "reload-client-" + i);
                t.setDaemon(true);
                t.start();
            }
            List<Double> reloadMs = new ArrayList<>();
            for (int k = 1; k <= reloads; k++) {
                long at = t0 + (long) (durationS * 1e9 * k / (reloads + 1));
                sleepUntil(at);
                reloadMs.add((System.nanoTime() - t0) / 1e6);
                server.reload(Map.of("BENCH_GEN", "g" + k));
                if (!server.alive()) {
                    throw new IllegalStateException(server.name() + " died at reload " + k + "; log:\n" + server.logTail(30));
                }
            }
            if (!done.await(durationS + 60L, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the clients did not finish within " + (durationS + 60) + " s");
            }
            if (!server.alive()) {
                throw new IllegalStateException(server.name() + " exited during the load; log:\n" + server.logTail(30));
            }
            List<Req> sorted = new ArrayList<>(reqs);
            sorted.sort((x, y) -> Double.compare(x.endMs(), y.endMs()));
            return new ReloadRun(server.name(), mode, round, sorted, reloadMs, load);
        } finally {
            server.stop();
        }
    }

    /** A few requests until one is answered 200 (every worker of a fresh pool loads the script once). */
    private static void warmUp(int port, int workMs) throws InterruptedException {
        byte[] request = ("GET /work.php?ms=" + workMs + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + 20_000_000_000L;
        int ok = 0;
        while (ok < 20 && System.nanoTime() < deadline) {
            if (oneRequest(port, request, System.nanoTime(), 10_000).ok()) {
                ok++;
            } else {
                Thread.sleep(50);
            }
        }
        if (ok < 20) {
            throw new IllegalStateException("warm-up: fewer than 20 answers in 20 s");
        }
    }

    private static Req oneRequest(int port, byte[] request, long t0, int timeoutMs) {
        long s = System.nanoTime();
        try (Socket sock = new Socket()) {
            sock.setSoTimeout(timeoutMs);
            sock.setTcpNoDelay(true);
            sock.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMs);
            OutputStream o = sock.getOutputStream();
            o.write(request);
            o.flush();
            InputStream in = sock.getInputStream();
            String r = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            double startMs = (s - t0) / 1e6;
            double endMs = (System.nanoTime() - t0) / 1e6;
            int status = r.startsWith("HTTP/1.") && r.length() >= 12 ? Integer.parseInt(r.substring(9, 12)) : -1;
            Matcher m = BODY.matcher(r);
            if (status == 200 && !m.find()) {
                return new Req(startMs, endMs, -2, "200 with unexpected body", 0, "");
            }
            return status == 200 ? new Req(startMs, endMs, 200, null, Long.parseLong(m.group(1)), m.group(2))
                    : new Req(startMs, endMs, status, r.lines().findFirst().orElse("(empty answer)"), 0, "");
        } catch (IOException e) {
            return new Req((s - t0) / 1e6, (System.nanoTime() - t0) / 1e6, 0, e.toString(), 0, "");
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long ms = (nanos - System.nanoTime()) / 1_000_000;
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** Per-reload figures. */
    record Window(double signalMs, double stallMs, double firstNewGenMs, int failed, int answered) {
    }

    static List<Window> windows(ReloadRun run, int windowMs) {
        List<Window> w = new ArrayList<>();
        List<Req> ok = run.reqs().stream().filter(Req::ok).toList();
        for (int k = 0; k < run.reloadMs().size(); k++) {
            double t = run.reloadMs().get(k);
            String gen = "g" + (k + 1);
            double stall = maxGap(ok, t - 500, t + windowMs);
            double first = ok.stream().filter(q -> q.gen().equals(gen) && q.endMs() >= t).mapToDouble(Req::endMs).min()
                    .orElse(Double.NaN) - t;
            int failed = (int) run.reqs().stream().filter(q -> !q.ok() && q.endMs() >= t - 500 && q.endMs() <= t + windowMs).count();
            int answered = (int) ok.stream().filter(q -> q.endMs() >= t && q.endMs() <= t + windowMs).count();
            w.add(new Window(t, stall, first, failed, answered));
        }
        return w;
    }

    /** The longest time between consecutive successful answers (by end time) within [from, to]. */
    static double maxGap(List<Req> okSortedByEnd, double from, double to) {
        double prev = from;
        double max = 0;
        for (Req q : okSortedByEnd) {
            if (q.endMs() < from) {
                continue;
            }
            if (q.endMs() > to) {
                break;
            }
            max = Math.max(max, q.endMs() - prev);
            prev = q.endMs();
        }
        return Math.max(max, to - prev);
    }

    static boolean inWindow(ReloadRun run, Req q, int windowMs) {
        for (double t : run.reloadMs()) {
            if (q.startMs() >= t && q.startMs() <= t + windowMs) {
                return true;
            }
        }
        return false;
    }

    /** The steady-state gap: the longest gap between answers in the second before each reload. */
    static double baselineGap(ReloadRun run) {
        List<Req> ok = run.reqs().stream().filter(Req::ok).toList();
        double max = 0;
        for (double t : run.reloadMs()) {
            max = Math.max(max, maxGap(ok, t - 1500, t - 500));
        }
        return max;
    }

    static double pct(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        return sorted.get(Math.max(0, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static List<Double> latencies(ReloadRun run, int windowMs, boolean inside) {
        List<Double> l = new ArrayList<>();
        for (Req q : run.reqs()) {
            if (q.ok() && inWindow(run, q, windowMs) == inside) {
                l.add(q.endMs() - q.startMs());
            }
        }
        Collections.sort(l);
        return l;
    }

    private static void print(ReloadRun run, int windowMs, int workers) {
        long ok = run.reqs().stream().filter(Req::ok).count();
        Map<String, Integer> failures = new TreeMap<>();
        for (Req q : run.reqs()) {
            if (!q.ok()) {
                failures.merge(q.status() == 0 ? shortError(q.error()) : "HTTP " + q.status(), 1, Integer::sum);
            }
        }
        List<Double> in = latencies(run, windowMs, true);
        List<Double> outside = latencies(run, windowMs, false);
        System.out.printf(Locale.ROOT, "%-7s %-7s round %d: %d requests, %d ok, %d failed %s | latency outside p50 %.1f p99 %.1f"
                        + " max %.1f ms (n=%d), in reload windows p50 %.1f p99 %.1f max %.1f ms (n=%d) | steady gap %.0f ms | load %s%n",
                run.server(), run.mode(), run.round(), run.reqs().size(), ok, run.reqs().size() - ok, failures,
                pct(outside, .5), pct(outside, .99), pct(outside, 1), outside.size(), pct(in, .5), pct(in, .99), pct(in, 1),
                in.size(), baselineGap(run), run.load());
        StringBuilder sb = new StringBuilder("  reloads:");
        for (Window w : windows(run, windowMs)) {
            sb.append(String.format(Locale.ROOT, " [at %.1f s: stall %.0f ms, new gen answers after %.0f ms, %d failed]",
                    w.signalMs() / 1000, w.stallMs(), w.firstNewGenMs(), w.failed()));
        }
        System.out.println(sb);
        Set<Long> pids = new java.util.TreeSet<>();
        run.reqs().stream().filter(Req::ok).forEach(q -> pids.add(q.pid()));
        System.out.println("  distinct worker pids that answered: " + pids.size());
    }

    private static String shortError(String e) {
        if (e == null) {
            return "error";
        }
        int colon = e.indexOf(": ");
        String cls = e.substring(0, colon < 0 ? e.length() : colon);
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        return colon < 0 ? cls : cls + " (" + e.substring(colon + 2) + ")";
    }

    /** For jfpm runs with failures: each failure, and the jfpm log lines from the reload before it. */
    private static void printFailureContext(ReloadRun run, JfpmServer j) throws IOException {
        System.out.println("  failures (ms since load start, then the failure):");
        run.reqs().stream().filter(q -> !q.ok()).limit(20).forEach(q -> System.out.printf(Locale.ROOT,
                "    start %.1f end %.1f: %s%n", q.startMs(), q.endMs(), q.status() == 0 ? q.error() : "HTTP " + q.status()));
        System.out.println("  jfpm log lines mentioning reload/generation/drain/kill/exit/error/warn:");
        Files.readAllLines(j.log()).stream()
                .filter(l -> l.matches("(?i).*(reload|generation|drain|kill|exit|error|warn|signal).*"))
                .limit(80).forEach(l -> System.out.println("    " + l));
    }

    private static void summary(List<ReloadRun> results, List<String> servers, List<String> modes, int windowMs) {
        System.out.println();
        System.out.println("# summary per server and mode, over all rounds (stall = longest gap between two answers from 0.5 s"
                + " before to " + windowMs + " ms after a reload signal)");
        for (String mode : modes) {
            for (String s : servers) {
                List<ReloadRun> rs = results.stream().filter(r -> r.server().equals(s) && r.mode().equals(mode)).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                int total = rs.stream().mapToInt(r -> r.reqs().size()).sum();
                long failed = rs.stream().flatMap(r -> r.reqs().stream()).filter(q -> !q.ok()).count();
                List<Double> stalls = new ArrayList<>();
                List<Double> firsts = new ArrayList<>();
                List<Double> in = new ArrayList<>();
                List<Double> out = new ArrayList<>();
                List<Double> steady = new ArrayList<>();
                for (ReloadRun r : rs) {
                    windows(r, windowMs).forEach(w -> {
                        stalls.add(w.stallMs());
                        firsts.add(w.firstNewGenMs());
                    });
                    in.addAll(latencies(r, windowMs, true));
                    out.addAll(latencies(r, windowMs, false));
                    steady.add(baselineGap(r));
                }
                Collections.sort(in);
                Collections.sort(out);
                System.out.printf(Locale.ROOT, "%-7s %-7s: %d requests, %d failed; stall %s; new generation answers %s;"
                                + " steady-state gap max %.0f ms; latency outside p50 %.1f / p99 %.1f ms, in windows p50 %.1f / p99 %.1f ms;"
                                + " throughput %.0f req/s%n",
                        s, mode, total, failed, Stats.of(stalls).describe(0),
                        firsts.stream().anyMatch(d -> d.isNaN()) ? "(not seen in some) " + firsts
                                : Stats.of(firsts).describe(0),
                        steady.stream().mapToDouble(d -> d).max().orElse(0),
                        pct(out, .5), pct(out, .99), pct(in, .5), pct(in, .99),
                        total / rs.stream().mapToDouble(r -> r.reqs().get(r.reqs().size() - 1).endMs() / 1000).sum());
            }
        }
    }

    private static void writeCsv(Path file, ReloadRun run) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("# reloads at ms: " + run.reloadMs());
            w.println("start_ms,end_ms,status,pid,gen,error");
            for (Req q : run.reqs()) {
                w.printf(Locale.ROOT, "%.2f,%.2f,%d,%d,%s,%s%n", q.startMs(), q.endMs(), q.status(), q.pid(), q.gen(),
                        q.error() == null ? "" : "\"" + q.error().replace("\"", "'") + "\"");
            }
        }
    }

    // ---------------------------------------------------------------- graceful stop

    private static void stopRun(FpmServer server, String label, int port, int workers, int queued, int workMs, int pct)
            throws Exception {
        server.start(label);
        try {
            warmUp(port, 10);
            byte[] slow = ("GET /work.php?ms=" + workMs + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            int n = workers + queued;
            Req[] res = new Req[n];
            CountDownLatch done = new CountDownLatch(n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int k = i;
                Thread t = new Thread(() -> {
                    try {
                        res[k] = oneRequest(port, slow, t0, workMs + pct * 1000 + 30_000);
                    } finally {
                        done.countDown();
                    }
                }, "stop-client-" + i);
                t.setDaemon(true);
                t.start();
                if (i == workers - 1) {
                    Thread.sleep(100); // the first `workers` requests are in the workers before the others queue
                }
            }
            Thread.sleep(300);
            double signalMs = (System.nanoTime() - t0) / 1e6;
            server.gracefulStop();
            long deadline = System.nanoTime() + (pct + 30L) * 1_000_000_000L;
            while (server.alive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            double exitMs = (System.nanoTime() - t0) / 1e6 - signalMs;
            done.await(workMs + pct * 1000L + 40_000, java.util.concurrent.TimeUnit.MILLISECONDS);
            // PHP-FPM's and jfpm's first `workers` requests are those that started first
            List<Req> all = new ArrayList<>();
            for (Req r : res) {
                if (r != null) {
                    all.add(r);
                }
            }
            all.sort((x, y) -> Double.compare(x.startMs(), y.startMs()));
            Map<String, Integer> first = outcome(all.subList(0, Math.min(workers, all.size())));
            Map<String, Integer> rest = outcome(all.subList(Math.min(workers, all.size()), all.size()));
            StringBuilder ends = new StringBuilder();
            for (Req r : all.subList(Math.min(workers, all.size()), all.size())) {
                ends.append(String.format(Locale.ROOT, " %s@%.0f", r.ok() ? "200" : r.status() == 0 ? "reset" : r.status(),
                        r.endMs() - signalMs));
            }
            System.out.printf(Locale.ROOT, "stop %-7s %s: in flight (%d, %d ms) %s | queued (%d) %s | master %s %.0f ms after the"
                            + " signal, exit %d | queued ended (ms after the signal):%s%n",
                    server.name(), label, workers, workMs, first, queued, rest,
                    server.alive() ? "still alive" : "exited", exitMs, server.exitCode(), ends);
        } finally {
            server.stop();
        }
    }

    private static Map<String, Integer> outcome(List<Req> reqs) {
        Map<String, Integer> m = new TreeMap<>();
        for (Req r : reqs) {
            m.merge(r.ok() ? "200" : r.status() == 0 ? shortError(r.error()) : "HTTP " + r.status(), 1, Integer::sum);
        }
        return m;
    }
}
