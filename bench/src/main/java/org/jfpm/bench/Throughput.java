package org.jfpm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jfpm.scoreboard.ScoreboardReader;

/**
 * Throughput through nginx (loopback, 1 worker process, unix sockets to the pools) with wrk, for
 * jfpm per spawn-mode (jfpm-fork, jfpm-exec) and PHP-FPM 8.2 on the same pool: a static pool
 * ({@code max-children 4}) and a dynamic one ({@code max-children 4, start 1, spare 1..2}), on
 * three scripts:
 * <ul>
 *   <li>{@code hello}: {@code hello.php}, prints its pid (the servers' own per-request cost);</li>
 *   <li>{@code cpu}: {@code cpu.php}, a few ms of PHP arithmetic;</li>
 *   <li>{@code dokuwiki}: DokuWiki's {@code doku.php} rendering a page (default {@code wiki:syntax}),
 *       from Debian's installed package ({@code /usr/share/dokuwiki}, linked into the document root),
 *       a multi-file application: ~100 PHP files per request, sessions, its own file cache.</li>
 * </ul>
 *
 * <p>Each round starts each server fresh per pool mode (the servers in rotating order) and waits
 * until the pool rests; then for each script: wrk for {@code --warmup-seconds} (reported as "from
 * rest": it includes a dynamic pool's growth and the workers' first compile of the scripts), at once
 * wrk for {@code --seconds} (the measured figure), then {@code --pause-seconds} idle. During the
 * measured run the CPU time of the master, of its workers (live ones plus the reaped ones, from the
 * master's cutime) and of nginx is read from {@code /proc}, and for jfpm the JVM's by thread. After
 * each script, {@code caches.php} reports OPcache and APCu figures of the workers that answer it;
 * after the static pool's last script, the PSS of its idle workers.
 *
 * <p>Both servers get {@code session.save_path} in the workspace (DokuWiki starts a session per
 * request), as {@code -d} for php-cgi and {@code php_admin_value} for PHP-FPM.
 */
public final class Throughput {
    private static final String USAGE = """
            usage: java -cp "$(cat bench/target/classpath.txt)" org.jfpm.bench.Throughput [options]
              --rounds N          rounds; each starts every server fresh per pool mode (default 3)
              --seconds S         measured wrk run per script (default 10)
              --warmup-seconds S  wrk run before it, reported apart as "from rest" (default 3)
              --pause-seconds S   idle time after each script (default 3)
              --connections N     wrk connections (default 8)
              --threads N         wrk threads (default 1)
              --workers N         max-children (default 4)
              --pools LIST        static,dynamic (default both)
              --scripts LIST      hello,cpu,dokuwiki (default all)
              --cpu-n N           cpu.php rounds (default 100000)
              --dokuwiki DIR      the installed DokuWiki (default /usr/share/dokuwiki)
              --page ID           the DokuWiki page (default wiki:syntax)
              --servers LIST      jfpm,php-fpm (default both)
              --spawn-modes LIST  one jfpm per spawn-mode (default fork,exec; "" = jfpm's default, one jfpm)
              --jar PATH          jfpm jar (default supervisor/target/jfpm.jar)
              --java-opts OPTS    JVM options for jfpm, space-separated (default none)
              --log-level LEVEL   jfpm's log-level (default info)
              --php-fpm PATH      (default /usr/sbin/php-fpm8.2)
              --nginx PATH        (default /usr/sbin/nginx)
              --wrk PATH          (default /usr/bin/wrk)
              --keep              keep the temp directory (configs, logs) even on success
            """;

    /** One measured wrk run, with the CPU used meanwhile (ms) and the JVM's top threads. */
    private record Run(String pool, String script, String server, int round, Wrk.Result warm, Wrk.Result measured,
                       double masterCpuMs, double workersCpuMs, double nginxCpuMs, int workersAfter, String jvmThreads,
                       String caches, String load) {
    }

    private Throughput() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("rounds", "seconds", "warmup-seconds", "pause-seconds", "connections", "threads", "workers",
                "pools", "scripts", "cpu-n", "dokuwiki", "page", "servers", "spawn-modes", "jar", "java-opts", "log-level", "php-fpm",
                "nginx", "wrk"), Set.of("keep"), USAGE);
        int rounds = a.integer("rounds", 3);
        int seconds = a.integer("seconds", 10);
        int warmup = a.integer("warmup-seconds", 3);
        int pause = a.integer("pause-seconds", 3);
        int connections = a.integer("connections", 8);
        int threads = a.integer("threads", 1);
        int workers = a.integer("workers", 4);
        List<String> pools = a.list("pools", "static,dynamic");
        List<String> scripts = a.list("scripts", "hello,cpu,dokuwiki");
        List<String> names = a.list("servers", "jfpm,php-fpm");
        List<String> modes = a.list("spawn-modes", "fork,exec");
        Path jar = a.path("jar", "supervisor/target/jfpm.jar").toAbsolutePath();
        String wrk = a.string("wrk", "/usr/bin/wrk");
        Path dokuwiki = a.path("dokuwiki", "/usr/share/dokuwiki");
        Map<String, String> uris = new LinkedHashMap<>();
        for (String s : scripts) {
            uris.put(s, switch (s) {
                case "hello" -> "/hello.php";
                case "cpu" -> "/cpu.php?n=" + a.integer("cpu-n", 100000);
                case "dokuwiki" -> "/dokuwiki/doku.php?id=" + a.string("page", "wiki:syntax");
                default -> throw new IllegalArgumentException("--scripts: unknown script '" + s + "', expected hello, cpu or dokuwiki");
            });
        }
        if (names.contains("jfpm") && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file; build it with mvn -B package -DskipTests");
        }
        System.out.println("# Throughput: wrk -t" + threads + " -c" + connections + " through nginx (1 worker, unix sockets), "
                + warmup + " s from rest + " + seconds + " s measured per script, " + rounds + " round(s), pools " + pools
                + " (max-children " + workers + "), scripts " + uris.values() + ", jfpm spawn-modes " + (modes.isEmpty() ? "(default)" : modes));
        System.out.println("# machine: " + Machine.describe());
        System.out.println("# " + Machine.versionOf(List.of(a.string("nginx", "/usr/sbin/nginx"), "-v")) + "; "
                + Machine.versionOf(List.of("/usr/bin/php-cgi", "-v")) + "; "
                + Machine.versionOf(List.of(a.string("php-fpm", "/usr/sbin/php-fpm8.2"), "-v")) + "; "
                + Machine.versionOf(List.of(wrk, "--version")));
        if (uris.containsKey("dokuwiki")) {
            System.out.println("# DokuWiki " + Files.readString(dokuwiki.resolve("VERSION")).trim() + " from " + dokuwiki);
        }

        Workspace ws = Workspace.create("jfpm-bench-throughput");
        List<Run> runs = new ArrayList<>();
        boolean ok = false;
        try (Processes procs = new Processes()) {
            procs.afterStop(ws::deleteScoreboards);
            if (uris.containsKey("dokuwiki")) {
                ws.link("dokuwiki", dokuwiki);
            }
            Path sessions = Files.createDirectories(ws.file("sessions"));
            Map<String, String> ini = Map.of("session.save_path", sessions.toString());
            Nginx nginx = new Nginx(procs, ws, a.path("nginx", "/usr/sbin/nginx"));
            Map<String, Map<String, FpmServer>> byPool = new LinkedHashMap<>();
            Map<String, Integer> ports = new LinkedHashMap<>();
            try {
                for (String pool : pools) {
                    PoolSpec pm = switch (pool) {
                        case "static" -> PoolSpec.fixed(workers);
                        case "dynamic" -> PoolSpec.dynamic(workers, 1, 1, Math.min(2, workers));
                        default -> throw new IllegalArgumentException("--pools: unknown pool '" + pool + "', expected static or dynamic");
                    };
                    Map<String, FpmServer> servers = new LinkedHashMap<>();
                    for (String s : names) {
                        switch (s) {
                            case "jfpm" -> {
                                for (String mode : modes.isEmpty() ? java.util.Collections.<String>singletonList(null) : modes) {
                                    String label = (mode == null ? "jfpm" : "jfpm-" + mode) + "-" + pool;
                                    JfpmServer j = new JfpmServer(procs, ws, jar, a.list("java-opts", ""),
                                            new Endpoint.Unix(ws.file(label + ".sock")), pm, a.string("log-level", "info"))
                                            .spawnMode(mode).ini(ini);
                                    servers.put(j.name(), j);
                                }
                            }
                            case "php-fpm" -> servers.put(s, new PhpFpmServer(procs, ws, a.path("php-fpm", "/usr/sbin/php-fpm8.2"),
                                    new Endpoint.Unix(ws.file("php-fpm-" + pool + ".sock")), pm).ini(ini));
                            default -> throw new IllegalArgumentException("--servers: unknown server '" + s + "', expected jfpm or php-fpm");
                        }
                    }
                    servers.forEach((n, s) -> ports.put(pool + "/" + n, nginx.addServer(s.endpoint())));
                    byPool.put(pool, servers);
                }
                nginx.start();
                for (int r = 1; r <= rounds; r++) {
                    for (String pool : pools) {
                        Map<String, FpmServer> servers = byPool.get(pool);
                        List<String> order = new ArrayList<>(servers.keySet());
                        java.util.Collections.rotate(order, -(r - 1));
                        for (String name : order) {
                            FpmServer s = servers.get(name);
                            runServer(procs, nginx, s, pool, r, ports.get(pool + "/" + name), uris, wrk, threads, connections,
                                    warmup, seconds, pause, workers, runs);
                        }
                    }
                }
                summary(runs, pools, uris.keySet(), byPool);
                ok = true;
            } finally {
                byPool.values().forEach(m -> m.values().forEach(FpmServer::stop));
                nginx.stop();
            }
        } finally {
            if (ok && !a.flag("keep")) {
                ws.delete();
            } else {
                ws.deleteScoreboards();
                System.out.println("# configs and logs kept in " + ws.dir());
            }
        }
    }

    private static void runServer(Processes procs, Nginx nginx, FpmServer server, String pool, int round, int port,
                                  Map<String, String> uris, String wrk, int threads, int connections, int warmup, int seconds,
                                  int pause, int workers, List<Run> runs) throws Exception {
        server.start(pool + "-r" + round);
        try {
            ChildCounter children = new ChildCounter(server.pid(), procs::adopt);
            ScoreboardReader board = server instanceof JfpmServer j ? Scoreboards.open(j.scoreboard(), server) : null;
            int atRest = pool.equals("static") ? workers : 1;
            awaitRest(server, children, board, atRest);
            for (Map.Entry<String, String> e : uris.entrySet()) {
                String url = "http://127.0.0.1:" + port + e.getValue();
                String load = Machine.loadAverage();
                Wrk.Result warm = warmup > 0 ? Wrk.run(wrk, threads, connections, warmup, url) : null;
                children.count();
                long master = server.pid();
                double[] m0 = Cpu.ticksMs(master);
                double w0 = Cpu.childrenMs(master, children.children());
                double n0 = Cpu.ticksMs(nginx.pid())[0] + Cpu.childrenMs(nginx.pid(), ProcessHandle.of(nginx.pid())
                        .map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(List.of()));
                Map<String, Long> t0 = server instanceof JfpmServer ? Cpu.byThread(master) : Map.of();
                Wrk.Result measured = Wrk.run(wrk, threads, connections, seconds, url);
                int live = children.count();
                double[] m1 = Cpu.ticksMs(master);
                double w1 = Cpu.childrenMs(master, children.children());
                double n1 = Cpu.ticksMs(nginx.pid())[0] + Cpu.childrenMs(nginx.pid(), ProcessHandle.of(nginx.pid())
                        .map(h -> h.children().map(ProcessHandle::pid).toList()).orElse(List.of()));
                String jvm = server instanceof JfpmServer ? Cpu.topDelta(t0, Cpu.byThread(master), 4) : "";
                Thread.sleep(300);
                String caches = caches(port);
                Run run = new Run(pool, e.getKey(), server.name(), round, warm, measured, m1[0] - m0[0], w1 - w0, n1 - n0, live, jvm,
                        caches, load);
                runs.add(run);
                print(run);
                if (!server.alive()) {
                    throw new IllegalStateException(server.name() + " exited during the run; log:\n" + server.logTail(30));
                }
                Thread.sleep(pause * 1000L);
            }
            if (pool.equals("static")) {
                children.count();
                Pss w = Pss.sum(children.workers());
                List<Long> templates = children.templates();
                System.out.printf(Locale.ROOT, "  PSS after the scripts: idle workers %s%s | %s %s%n", w.describe(),
                        templates.isEmpty() ? "" : " | template " + Pss.sum(templates).describe(),
                        server instanceof JfpmServer ? "jfpm JVM" : "master", Pss.of(server.pid()).describe());
            }
        } finally {
            server.stop();
        }
    }

    /** Waits until the pool has {@code atRest} workers for a second (for jfpm: idle in the scoreboard). */
    private static void awaitRest(FpmServer server, ChildCounter children, ScoreboardReader board, int atRest) {
        long since = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            boolean rest = children.count() == atRest && (board == null || Scoreboards.idle(board) == atRest);
            long now = System.nanoTime();
            if (!rest) {
                since = -1;
            } else if (since < 0) {
                since = now;
            } else if (now - since > 1_000_000_000L) {
                return;
            }
            if (now > deadline) {
                throw new IllegalStateException(server.name() + ": not at rest with " + atRest + " worker(s) within 60 s; log:\n"
                        + server.logTail(20));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** caches.php, 8 times in a row: one line per distinct answering pid (the last answer of each). */
    private static String caches(int port) {
        Map<String, String> byPid = new TreeMap<>();
        for (int i = 0; i < 8; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write("GET /caches.php HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String http = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int at = http.indexOf("\r\n\r\n");
                String body = at < 0 ? http : http.substring(at + 4).trim();
                byPid.put(body.split(" ")[0], body);
            } catch (IOException e) {
                byPid.put("error", e.toString());
            }
        }
        return String.join("\n    ", byPid.values());
    }

    private static void print(Run r) {
        System.out.printf(Locale.ROOT, "%-7s %-8s %-9s round %d: %s | from rest: %s | load %s%n", r.pool(), r.script(), r.server(),
                r.round(), r.measured().describe(), r.warm() == null ? "-" : String.format(Locale.ROOT, "%.1f req/s", r.warm().rps()),
                r.load());
        double n = Math.max(1, r.measured().requests());
        System.out.printf(Locale.ROOT, "  CPU per request: master %.0f us, workers %.0f us, nginx %.0f us (master %.0f ms, workers %.0f ms,"
                        + " nginx %.0f ms in all); workers after: %d%s%n", r.masterCpuMs() * 1000 / n, r.workersCpuMs() * 1000 / n,
                r.nginxCpuMs() * 1000 / n, r.masterCpuMs(), r.workersCpuMs(), r.nginxCpuMs(), r.workersAfter(),
                r.jvmThreads().isEmpty() ? "" : "; JVM threads: " + r.jvmThreads());
        System.out.println("  caches: " + r.caches());
    }

    private static void summary(List<Run> runs, List<String> pools, Set<String> scripts, Map<String, Map<String, FpmServer>> byPool) {
        System.out.println();
        System.out.println("# summary: req/s median [min–max] over the rounds; ratio = server / php-fpm of the same round (median [min–max])");
        for (String pool : pools) {
            for (String script : scripts) {
                System.out.println(pool + " " + script + ":");
                for (String server : byPool.get(pool).keySet()) {
                    List<Run> rs = runs.stream().filter(r -> r.pool().equals(pool) && r.script().equals(script) && r.server().equals(server))
                            .toList();
                    if (rs.isEmpty()) {
                        continue;
                    }
                    Stats rps = Stats.of(rs.stream().map(r -> r.measured().rps()).toList());
                    List<Double> ratios = new ArrayList<>();
                    for (Run r : rs) {
                        runs.stream().filter(o -> o.pool().equals(pool) && o.script().equals(script) && o.server().equals("php-fpm")
                                && o.round() == r.round()).findFirst().ifPresent(o -> ratios.add(r.measured().rps() / o.measured().rps()));
                    }
                    Stats warm = rs.stream().allMatch(r -> r.warm() != null) ? Stats.of(rs.stream().map(r -> r.warm().rps()).toList()) : null;
                    Stats p99 = Stats.of(rs.stream().map(r -> r.measured().p99Ms()).toList());
                    long errors = rs.stream().mapToLong(r -> r.measured().non2xx() + r.measured().socketErrors()).sum();
                    double cpuMaster = rs.stream().mapToDouble(r -> r.masterCpuMs() * 1000 / Math.max(1, r.measured().requests())).sum() / rs.size();
                    double cpuWorkers = rs.stream().mapToDouble(r -> r.workersCpuMs() * 1000 / Math.max(1, r.measured().requests())).sum() / rs.size();
                    System.out.printf(Locale.ROOT, "  %-9s %8.1f req/s [%.1f–%.1f]%s | from rest %s | p99 %.2f ms | CPU/request master %.0f us,"
                                    + " workers %.0f us | errors %d | load %s%n",
                            server, rps.median(), rps.min(), rps.max(),
                            ratios.isEmpty() || server.equals("php-fpm") ? "" : String.format(Locale.ROOT, " ratio %.3f [%.3f–%.3f]",
                                    Stats.of(ratios).median(), Stats.of(ratios).min(), Stats.of(ratios).max()),
                            warm == null ? "-" : String.format(Locale.ROOT, "%.1f req/s [%.1f–%.1f]", warm.median(), warm.min(), warm.max()),
                            p99.median(), cpuMaster, cpuWorkers, errors,
                            new TreeSet<>(rs.stream().map(r -> r.load().split(" ")[0]).toList()));
                }
            }
        }
    }
}
