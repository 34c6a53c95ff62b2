package org.jfpm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * Ondemand first-request latency: the time from connect to a complete FastCGI response when the
 * pool has no worker (cold), for a jfpm ondemand pool of php-cgi, for PHP-FPM 8.2 ondemand, and
 * for php-cgi's own start (spawned by hand, see {@link PhpCgiStart}) as the floor. Both servers use
 * {@code max-children 4, process-idle-timeout 10s} on a loopback TCP port and run side by side,
 * started (jfpm: until it logs that it is ready) a second before the first iteration. Each
 * iteration waits until both have reaped back to 0 workers, then measures php-cgi and jfpm (in
 * alternating order) and PHP-FPM. Warm-up iterations are printed, not counted; the first is the
 * first request each server sees after its start. For jfpm the scoreboard splits the time:
 * connect → the slot allocated for the spawn (detection + decision) → php-cgi's first accept →
 * response.
 */
public final class OndemandFirstRequest {
    private static final String USAGE = """
            usage: java -cp "$(cat bench/target/classpath.txt)" org.jfpm.bench.OndemandFirstRequest [options]
              --iterations N      measured iterations (default 15)
              --warmup N          iterations run first and not counted (default 1)
              --idle-timeout S    process-idle-timeout in seconds, both servers (default 10)
              --servers LIST      jfpm,php-fpm (default both)
              --jar PATH          jfpm jar (default supervisor/target/jfpm.jar)
              --java-opts OPTS    JVM options for jfpm, space-separated (default none)
              --log-level LEVEL   jfpm's log-level (default info)
              --php-cgi PATH      (default /usr/bin/php-cgi)
              --php-fpm PATH      (default /usr/sbin/php-fpm8.2)
              --keep              keep the temp directory (configs, logs) even on success
            """;

    /** One iteration's figures in ms; NaN when a server is not measured. */
    private record Iteration(double phpCgi, double jfpm, double jfpmSpawn, double jfpmAccept, double phpFpm, String load) {
    }

    private OndemandFirstRequest() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("iterations", "warmup", "idle-timeout", "servers", "jar", "java-opts", "log-level",
                "php-cgi", "php-fpm"), Set.of("keep"), USAGE);
        int iterations = a.integer("iterations", 15);
        int warmup = a.integer("warmup", 1);
        int idle = a.integer("idle-timeout", 10);
        List<String> names = a.list("servers", "jfpm,php-fpm");
        Path jar = a.path("jar", "supervisor/target/jfpm.jar").toAbsolutePath();
        String phpCgi = a.string("php-cgi", "/usr/bin/php-cgi");
        PoolSpec pm = PoolSpec.ondemand(4, idle);
        if (names.contains("jfpm") && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file; build it with mvn -B package -DskipTests");
        }
        System.out.println("# OndemandFirstRequest: pm ondemand max-children " + pm.maxChildren() + " process-idle-timeout "
                + idle + "s, direct FastCGI over loopback TCP, " + iterations + " iterations (+" + warmup + " warm-up)");
        System.out.println("# machine: " + Machine.describe());
        System.out.println("# " + Machine.versionOf(List.of(phpCgi, "-v")) + "; "
                + Machine.versionOf(List.of(a.string("php-fpm", "/usr/sbin/php-fpm8.2"), "-v")));

        List<Iteration> measured = new ArrayList<>();
        try (Processes procs = new Processes(); PhpCgiStart baseline = new PhpCgiStart(phpCgi, procs)) {
            Workspace ws = Workspace.create("jfpm-bench-ondemand");
            String script = ws.www().resolve("hello.php").toString();
            Map<String, FpmServer> servers = new LinkedHashMap<>();
            boolean ok = false;
            try {
                for (String s : names) {
                    Endpoint ep = new Endpoint.Tcp(Endpoint.freePort());
                    servers.put(s, switch (s) {
                        case "jfpm" -> new JfpmServer(procs, ws, jar, a.list("java-opts", ""), ep, pm, a.string("log-level", "info"));
                        case "php-fpm" -> new PhpFpmServer(procs, ws, a.path("php-fpm", "/usr/sbin/php-fpm8.2"), ep, pm);
                        default -> throw new IllegalArgumentException("--servers: unknown server '" + s + "', expected jfpm or php-fpm");
                    });
                }
                Map<String, ChildCounter> children = new LinkedHashMap<>();
                ScoreboardReader board = null;
                for (FpmServer s : servers.values()) {
                    s.start("ondemand");
                    if (s instanceof JfpmServer j) {
                        System.out.println("# " + j.startup());
                    }
                    children.put(s.name(), new ChildCounter(s.pid(), procs::adopt));
                    if (s instanceof JfpmServer j) {
                        board = Scoreboards.open(j.scoreboard(), s);
                    }
                }
                Thread.sleep(1000);
                for (int i = -warmup; i < iterations; i++) {
                    awaitCold(servers, children, Duration.ofSeconds(idle + 30L));
                    String load = Machine.loadAverage();
                    boolean cgiFirst = Math.floorMod(i, 2) == 0;
                    double cgi = cgiFirst ? baseline.measure(script) : Double.NaN;
                    double[] jf = {Double.NaN, Double.NaN, Double.NaN};
                    double fpm = Double.NaN;
                    if (servers.containsKey("jfpm")) {
                        jf = firstRequest(servers.get("jfpm"), script, board);
                    }
                    if (!cgiFirst) {
                        cgi = baseline.measure(script);
                    }
                    if (servers.containsKey("php-fpm")) {
                        fpm = firstRequest(servers.get("php-fpm"), script, null)[0];
                    }
                    Iteration it = new Iteration(cgi, jf[0], jf[1], jf[2], fpm, load);
                    print(i, iterations, it);
                    if (i >= 0) {
                        measured.add(it);
                    }
                }
                summary(measured);
                ok = true;
            } finally {
                servers.values().forEach(FpmServer::stop);
                if (ok && !a.flag("keep")) {
                    ws.delete();
                } else {
                    ws.deleteScoreboards();
                    System.out.println("# configs and logs kept in " + ws.dir());
                }
            }
        }
    }

    /** Waits until every server has 0 workers (its idle timeout has reaped the last one). */
    private static void awaitCold(Map<String, FpmServer> servers, Map<String, ChildCounter> children, Duration timeout) {
        for (FpmServer s : servers.values()) {
            ChildCounter c = children.get(s.name());
            FpmServer.await(s, "return to 0 workers", timeout, () -> true, () -> c.count() == 0);
        }
    }

    /**
     * Connect + one request to a cold pool. Returns {total, spawn, accept} in ms from just before the
     * connect; spawn and accept from jfpm's scoreboard (NaN without one).
     */
    private static double[] firstRequest(FpmServer server, String script, ScoreboardReader board) throws Exception {
        long t0 = System.nanoTime();
        Instant wall0 = Instant.now();
        FastCgiClient.Response r;
        try (Endpoint.Connection c = server.endpoint().connect()) {
            r = FastCgiClient.request(c, FastCgiClient.getParams(script));
        }
        double total = (System.nanoTime() - t0) / 1e6;
        String body = r.body();
        if (!body.startsWith("pid=")) {
            throw new IllegalStateException(server.name() + " answered: " + r.stdout() + r.stderr());
        }
        double spawn = Double.NaN;
        double accept = Double.NaN;
        if (board != null) {
            long pid = Long.parseLong(body.substring(4).trim());
            double w0 = wall0.getEpochSecond() * 1e6 + wall0.getNano() / 1e3;
            Optional<SlotSnapshot> slot = Scoreboards.ofPid(board, pid);
            if (slot.isPresent()) {
                spawn = (slot.get().startTimeUs() - w0) / 1000;
                accept = (slot.get().acceptedTimeUs() - w0) / 1000;
            }
        }
        return new double[] {total, spawn, accept};
    }

    private static void print(int i, int n, Iteration it) {
        String label = i < 0 ? "warm-up" : String.format(Locale.ROOT, "%2d/%d", i + 1, n);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-7s php-cgi own start %6.1f ms", label, it.phpCgi()));
        if (!Double.isNaN(it.jfpm())) {
            s.append(String.format(Locale.ROOT, " | jfpm %6.1f ms (%+5.1f; spawn at %4.1f, first accept at %5.1f)",
                    it.jfpm(), it.jfpm() - it.phpCgi(), it.jfpmSpawn(), it.jfpmAccept()));
        }
        if (!Double.isNaN(it.phpFpm())) {
            s.append(String.format(Locale.ROOT, " | php-fpm %5.1f ms", it.phpFpm()));
        }
        s.append(" | load ").append(it.load());
        System.out.println(s);
    }

    private static void summary(List<Iteration> its) {
        System.out.println();
        System.out.println("# summary (ms; median, p90, [min–max])");
        System.out.println("php-cgi own start        " + Stats.of(its.stream().map(Iteration::phpCgi).toList()).describeWithP90(1));
        List<Iteration> jf = its.stream().filter(i -> !Double.isNaN(i.jfpm())).toList();
        if (!jf.isEmpty()) {
            System.out.println("jfpm ondemand            " + Stats.of(jf.stream().map(Iteration::jfpm).toList()).describeWithP90(1));
            System.out.println("  jfpm - php-cgi (paired) " + Stats.of(jf.stream().map(i -> i.jfpm() - i.phpCgi()).toList()).describeWithP90(1));
            List<Double> spawn = jf.stream().map(Iteration::jfpmSpawn).filter(d -> !Double.isNaN(d)).toList();
            if (!spawn.isEmpty()) {
                System.out.println("  connect -> spawn        " + Stats.of(spawn).describeWithP90(1));
                System.out.println("  spawn -> first accept   " + Stats.of(jf.stream().filter(i -> !Double.isNaN(i.jfpmSpawn()))
                        .map(i -> i.jfpmAccept() - i.jfpmSpawn()).toList()).describeWithP90(1));
                System.out.println("  first accept -> answer  " + Stats.of(jf.stream().filter(i -> !Double.isNaN(i.jfpmAccept()))
                        .map(i -> i.jfpm() - i.jfpmAccept()).toList()).describeWithP90(1));
            }
        }
        List<Iteration> fp = its.stream().filter(i -> !Double.isNaN(i.phpFpm())).toList();
        if (!fp.isEmpty()) {
            System.out.println("php-fpm ondemand         " + Stats.of(fp.stream().map(Iteration::phpFpm).toList()).describeWithP90(1));
        }
        System.out.println("load (1 min) per iteration: " + its.stream().map(i -> i.load().split(" ")[0]).toList());
    }
}
