package org.jfpm.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.jfpm.scoreboard.ScoreboardReader;

/**
 * Time to capacity of a dynamic pool under a burst: nginx in front of php-cgi under jfpm, and in
 * front of PHP-FPM 8.2, both with {@code max-children 32, start-servers 1, min-spare 1, max-spare 3}.
 * Each run starts the server fresh, waits until it rests at one idle worker, fires 32 concurrent
 * slow requests ({@code sleep.php}, 3 s by default) and samples the live workers (children of the
 * master, from /proc) every 10 ms. Reports, from the burst start: when 32 workers exist, when all 32
 * requests are running in PHP at once (from the start times PHP itself reports), and when all 32
 * responses are complete. Runs alternate between the servers.
 *
 * <p>{@code --spawn-modes fork,exec} gives one jfpm per spawn-mode (jfpm-fork, jfpm-exec); a
 * jfpm-fork pool's template is not counted as a worker ({@link ChildCounter}).
 */
public final class TimeToCapacity {
    private static final String USAGE = """
            usage: java -cp "$(cat bench/target/classpath.txt)" org.jfpm.bench.TimeToCapacity [options]
              --runs N            runs per server (default 5)
              --requests N        concurrent requests = pm.max-children (default 32)
              --sleep-ms MS       how long each request sleeps in PHP (default 3000)
              --servers LIST      jfpm,php-fpm (default both, alternating)
              --spawn-modes LIST  one jfpm per spawn-mode, e.g. fork,exec (default fork,exec; "" = jfpm's default, one jfpm)
              --jar PATH          jfpm jar (default supervisor/target/jfpm.jar)
              --java-opts OPTS    JVM options for jfpm, space-separated (default none)
              --log-level LEVEL   jfpm's log-level (default info; debug shows the policy's decisions)
              --listen unix|tcp   the pools' sockets (default unix)
              --php-fpm PATH      (default /usr/sbin/php-fpm8.2)
              --nginx PATH        (default /usr/sbin/nginx)
              --out DIR           per-run samples as CSV (default bench/target/results)
              --keep              keep the temp directory (configs, logs) even on success
            """;

    private record Run(String server, int run, Burst.Result result, String loadBefore, String loadAfter, String cpuByThread,
                       double workersCpuMs, int workers) {
    }

    private TimeToCapacity() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("runs", "requests", "sleep-ms", "servers", "spawn-modes", "jar", "java-opts", "log-level",
                "listen", "php-fpm", "nginx", "out"), Set.of("keep"), USAGE);
        int runs = a.integer("runs", 5);
        int n = a.integer("requests", 32);
        int sleepMs = a.integer("sleep-ms", 3000);
        List<String> serverNames = a.list("servers", "jfpm,php-fpm");
        Path jar = a.path("jar", "supervisor/target/jfpm.jar").toAbsolutePath();
        Path out = a.path("out", "bench/target/results").toAbsolutePath();
        boolean tcp = a.string("listen", "unix").equals("tcp");
        PoolSpec pm = PoolSpec.dynamic(n, 1, 1, 3);
        List<String> modes = a.list("spawn-modes", "fork,exec");
        if (serverNames.contains("jfpm") && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file; build it with mvn -B package -DskipTests");
        }
        Files.createDirectories(out);

        System.out.println("# TimeToCapacity: " + n + " concurrent requests of " + sleepMs + " ms, pm dynamic max-children "
                + pm.maxChildren() + " start " + pm.startServers() + " spare " + pm.minSpare() + ".." + pm.maxSpare()
                + ", " + runs + " run(s) per server, " + (tcp ? "TCP" : "unix") + " sockets, jfpm spawn-modes "
                + (modes.isEmpty() ? "(default)" : modes));
        System.out.println("# machine: " + Machine.describe());
        System.out.println("# " + Machine.versionOf(List.of(a.string("nginx", "/usr/sbin/nginx"), "-v")) + "; "
                + Machine.versionOf(List.of("/usr/bin/php-cgi", "-v")) + "; "
                + Machine.versionOf(List.of(a.string("php-fpm", "/usr/sbin/php-fpm8.2"), "-v")));

        List<Run> results = new ArrayList<>();
        try (Processes procs = new Processes()) {
            Workspace ws = Workspace.create("jfpm-bench-ttc");
            procs.afterStop(ws::deleteScoreboards);
            boolean ok = false;
            Map<String, FpmServer> servers = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            Nginx nginx = new Nginx(procs, ws, a.path("nginx", "/usr/sbin/nginx"));
            try {
                for (String s : serverNames) {
                    List<FpmServer> made = new ArrayList<>();
                    switch (s) {
                        case "jfpm" -> {
                            for (String mode : modes.isEmpty() ? java.util.Collections.<String>singletonList(null) : modes) {
                                String label = mode == null ? s : s + "-" + mode;
                                Endpoint ep = tcp ? new Endpoint.Tcp(Endpoint.freePort()) : new Endpoint.Unix(ws.file(label + ".sock"));
                                made.add(new JfpmServer(procs, ws, jar, a.list("java-opts", ""), ep, pm, a.string("log-level", "info"))
                                        .spawnMode(mode));
                            }
                        }
                        case "php-fpm" -> made.add(new PhpFpmServer(procs, ws, a.path("php-fpm", "/usr/sbin/php-fpm8.2"),
                                tcp ? new Endpoint.Tcp(Endpoint.freePort()) : new Endpoint.Unix(ws.file(s + ".sock")), pm));
                        default -> throw new IllegalArgumentException("--servers: unknown server '" + s + "', expected jfpm or php-fpm");
                    }
                    for (FpmServer server : made) {
                        servers.put(server.name(), server);
                        ports.put(server.name(), nginx.addServer(server.endpoint()));
                    }
                }
                nginx.start();
                for (int r = 1; r <= runs; r++) {
                    List<String> order = new ArrayList<>(servers.keySet());
                    java.util.Collections.rotate(order, -(r - 1));
                    for (String s : order) {
                        Run run = measure(procs, servers.get(s), ports.get(s), pm, n, sleepMs, r);
                        results.add(run);
                        print(run, runs, n);
                        writeCsv(out.resolve("ttc-" + s + "-run" + r + ".csv"), run.result());
                    }
                }
                summary(results, new ArrayList<>(servers.keySet()), n);
                ok = true;
            } finally {
                servers.values().forEach(FpmServer::stop);
                nginx.stop();
                if (ok && !a.flag("keep")) {
                    ws.delete();
                } else {
                    ws.deleteScoreboards();
                    System.out.println("# configs and logs kept in " + ws.dir());
                }
            }
        }
        System.out.println("# samples: " + out + "/ttc-*.csv");
    }

    private static Run measure(Processes procs, FpmServer server, int port, PoolSpec pm, int n, int sleepMs, int run)
            throws Exception {
        server.start("run" + run);
        try {
            ChildCounter children = new ChildCounter(server.pid(), procs::adopt);
            IntSupplier busy = () -> -1;
            ScoreboardReader board = null;
            if (server instanceof JfpmServer j) {
                board = Scoreboards.open(j.scoreboard(), server);
                ScoreboardReader b = board;
                busy = () -> Scoreboards.busy(b);
            }
            awaitRest(server, children, board, pm.atRest());
            if (server instanceof JfpmServer j) {
                System.out.println("  " + j.startup());
            }
            String loadBefore = Machine.loadAverage();
            long master = server.pid();
            Map<String, Long> threadsBefore = Cpu.byThread(master);
            Burst.Result result = Burst.run(port, n, sleepMs, children::count, busy, () -> Cpu.nanos(master));
            String byThread = Cpu.topDelta(threadsBefore, Cpu.byThread(master), 6);
            children.count();
            List<Long> workers = children.workers();
            double workersCpu = workers.stream().mapToLong(Cpu::nanos).filter(c -> c > 0).sum() / 1e6;
            return new Run(server.name(), run, result, loadBefore, Machine.loadAverage(), byThread, workersCpu, workers.size());
        } finally {
            server.stop();
        }
    }

    /** Waits until the pool rests: {@code atRest} workers for a whole second (and, for jfpm, idle in accept). */
    private static void awaitRest(FpmServer server, ChildCounter children, ScoreboardReader board, int atRest) {
        long stableSince = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            boolean resting = children.count() == atRest && (board == null || Scoreboards.idle(board) == atRest);
            long now = System.nanoTime();
            if (!resting) {
                stableSince = -1;
            } else if (stableSince < 0) {
                stableSince = now;
            } else if (now - stableSince >= 1_000_000_000L) {
                return;
            }
            if (now > deadline) {
                throw new IllegalStateException(server.name() + " did not settle at " + atRest + " idle worker(s) within 60 s"
                        + " (workers now " + children.count() + "); log:\n" + server.logTail(30));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    private static void print(Run run, int runs, int n) {
        Burst.Result r = run.result();
        double workers = r.firstWorkers(n);
        StringBuilder growth = new StringBuilder();
        for (double s : new double[] {0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 15, 20, 25, 30, 35}) {
            if (s * 1000 <= r.allDone()) {
                growth.append(String.format(Locale.ROOT, " %ss:%d", fmt(s), r.workersAt(s * 1000)));
            }
        }
        System.out.printf(Locale.ROOT, "%-7s run %d/%d: %d workers %s | %d running at once %s | all %d done %.0f ms | %d pids"
                        + " | load %s -> %s%n  workers by time:%s%n",
                run.server(), run.run(), runs, n,
                Double.isNaN(workers) ? "never (peak " + r.peakWorkers() + ")" : String.format(Locale.ROOT, "%.0f ms", workers),
                n, r.allConcurrent() ? String.format(Locale.ROOT, "%.0f ms", r.lastPhpStart())
                        : String.format(Locale.ROOT, "never (last request started at %.0f ms)", r.lastPhpStart()),
                n, r.allDone(), r.distinctPids(), run.loadBefore(), run.loadAfter(), growth);
        double until = r.allConcurrent() ? r.lastPhpStart() : r.allDone();
        System.out.printf(Locale.ROOT, "  master CPU: %.0f ms until %s, %.0f ms in all%n", r.masterCpuUntil(until),
                r.allConcurrent() ? "all ran at once" : "all were done", r.masterCpuUntil(r.allDone()));
        System.out.println("  master CPU by thread during the burst: " + run.cpuByThread());
        System.out.printf(Locale.ROOT, "  workers' CPU since their start: %.0f ms for %d workers (%.1f ms each)%n",
                run.workersCpuMs(), run.workers(), run.workersCpuMs() / Math.max(1, run.workers()));
        double busy = r.firstBusy(n);
        if (!Double.isNaN(busy)) {
            System.out.printf(Locale.ROOT, "  scoreboard: %d busy at %.0f ms%n", n, busy);
        }
    }

    private static String fmt(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    private static void summary(List<Run> results, List<String> servers, int n) {
        System.out.println();
        System.out.println("# summary (ms from the burst start; median [min–max])");
        for (String s : servers) {
            List<Run> rs = results.stream().filter(r -> r.server().equals(s)).toList();
            System.out.println(s + ":");
            line("  " + n + " workers exist      ", rs.stream().map(r -> r.result().firstWorkers(n)).toList(),
                    rs.stream().map(r -> r.result().peakWorkers()).toList());
            List<Double> concurrent = rs.stream().map(r -> r.result().allConcurrent() ? r.result().lastPhpStart() : Double.NaN).toList();
            line("  " + n + " running at once    ", concurrent, null);
            line("  all " + n + " done           ", rs.stream().map(r -> r.result().allDone()).toList(), null);
            System.out.println("  load (1 min) before each run: " + rs.stream().map(r -> r.loadBefore().split(" ")[0]).toList());
        }
    }

    private static void line(String label, List<Double> values, List<Integer> peaks) {
        List<Double> reached = values.stream().filter(v -> !Double.isNaN(v)).toList();
        String never = reached.size() < values.size()
                ? " — not reached in " + (values.size() - reached.size()) + " of " + values.size() + " run(s)"
                + (peaks == null ? "" : " (peak workers " + peaks + ")") : "";
        System.out.println(label + (reached.isEmpty() ? "never" : Stats.of(reached).describe(0)) + never);
    }

    private static void writeCsv(Path file, Burst.Result r) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("ms,workers,busy,master_cpu_ms");
            for (Burst.Sample s : r.samples()) {
                w.printf(Locale.ROOT, "%.1f,%d,%d,%.1f%n", s.ms(), s.workers(), s.busy(), s.masterCpuMs());
            }
        }
    }
}
