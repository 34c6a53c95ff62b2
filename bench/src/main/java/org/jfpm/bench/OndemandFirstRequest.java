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
import java.util.function.ToDoubleFunction;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * Ondemand first-request latency: the time from connect to a complete FastCGI response when the
 * pool has no worker (cold), for a jfpm ondemand pool of php-cgi, for PHP-FPM 8.2 ondemand, and
 * for php-cgi's own start (spawned by hand, see {@link PhpCgiStart}) as the floor, plain and with
 * jfpm's preload library. Both servers use {@code max-children 4, process-idle-timeout 10s} on a
 * loopback TCP port and run side by side, started (jfpm: until it logs that it is ready) a second
 * before the first iteration. Each iteration waits until both have reaped back to 0 workers, then
 * measures php-cgi, php-cgi + preload and jfpm (in rotating order), then PHP-FPM. Warm-up
 * iterations are printed, not counted; the first is the first request each server sees after its
 * start.
 *
 * <p>For jfpm the scoreboard splits the time: connect → the slot allocated for the spawn (detection
 * and decision) → php-cgi's first accept → response; and the CPU time of the jfpm JVM during the
 * request and of the worker by the response are read from /proc ({@link Cpu}).
 *
 * <p>{@code --spawn-modes fork,exec} runs one jfpm per spawn-mode side by side (jfpm-fork,
 * jfpm-exec); a jfpm-fork pool's template is not counted as a worker ({@link ChildCounter}), so the
 * pool is cold at 0 forked workers. {@code --via nginx} sends each first request as HTTP through
 * nginx (one server per FastCGI endpoint) instead of as FastCGI directly.
 */
public final class OndemandFirstRequest {
    private static final String USAGE = """
            usage: java -cp "$(cat bench/target/classpath.txt)" org.jfpm.bench.OndemandFirstRequest [options]
              --iterations N      measured iterations (default 15)
              --warmup N          iterations run first and not counted (default 1)
              --idle-timeout S    process-idle-timeout in seconds, both servers (default 10)
              --servers LIST      jfpm,php-fpm (default both)
              --spawn-modes LIST  one jfpm per spawn-mode, e.g. fork,exec (default fork,exec; "" = jfpm's default, one jfpm)
              --via fastcgi|nginx send the request as FastCGI directly (default) or as HTTP through nginx
              --nginx PATH        (default /usr/sbin/nginx)
              --jar PATH          jfpm jar (default supervisor/target/jfpm.jar)
              --java-opts OPTS    JVM options for jfpm, space-separated (default none)
              --log-level LEVEL   jfpm's log-level (default info)
              --php-cgi PATH      (default /usr/bin/php-cgi)
              --php-fpm PATH      (default /usr/sbin/php-fpm8.2)
              --keep              keep the temp directory (configs, logs) even on success
            """;
    private static final double NONE = Double.NaN;

    /** jfpm's first request: total, spawn and first accept (from connect), worker and JVM CPU, all ms. */
    private record Jfpm(double ms, double spawnAt, double acceptAt, double workerCpu, double jvmCpu) {
    }

    private record Iteration(PhpCgiStart.Sample cgi, PhpCgiStart.Sample cgiPreload, Map<String, Jfpm> jfpm, double phpFpm,
                             String load) {
    }

    private OndemandFirstRequest() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("iterations", "warmup", "idle-timeout", "servers", "spawn-modes", "via", "nginx", "jar",
                "java-opts", "log-level", "php-cgi", "php-fpm"), Set.of("keep"), USAGE);
        int iterations = a.integer("iterations", 15);
        int warmup = a.integer("warmup", 1);
        int idle = a.integer("idle-timeout", 10);
        List<String> names = a.list("servers", "jfpm,php-fpm");
        Path jar = a.path("jar", "supervisor/target/jfpm.jar").toAbsolutePath();
        String phpCgi = a.string("php-cgi", "/usr/bin/php-cgi");
        PoolSpec pm = PoolSpec.ondemand(4, idle);
        List<String> modes = a.list("spawn-modes", "fork,exec");
        String via = a.string("via", "fastcgi");
        if (!via.equals("fastcgi") && !via.equals("nginx")) {
            throw new IllegalArgumentException("--via " + via + ": expected fastcgi or nginx");
        }
        if (names.contains("jfpm") && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file; build it with mvn -B package -DskipTests");
        }
        System.out.println("# OndemandFirstRequest: pm ondemand max-children " + pm.maxChildren() + " process-idle-timeout "
                + idle + "s, " + (via.equals("nginx") ? "HTTP through nginx (1 worker) to FastCGI over loopback TCP"
                : "direct FastCGI over loopback TCP") + ", jfpm spawn-modes " + (modes.isEmpty() ? "(default)" : modes) + ", "
                + iterations + " iterations (+" + warmup + " warm-up)");
        System.out.println("# machine: " + Machine.describe());
        System.out.println("# " + Machine.versionOf(List.of(phpCgi, "-v")) + "; "
                + Machine.versionOf(List.of(a.string("php-fpm", "/usr/sbin/php-fpm8.2"), "-v")));

        List<Iteration> measured = new ArrayList<>();
        Workspace ws = Workspace.create("jfpm-bench-ondemand");
        boolean ok = false;
        try (Processes procs = new Processes(); PhpCgiStart baseline = new PhpCgiStart(phpCgi, procs, ws.shm())) {
            procs.afterStop(ws::deleteScoreboards);
            String script = ws.www().resolve("hello.php").toString();
            Map<String, FpmServer> servers = new LinkedHashMap<>();
            Nginx nginx = via.equals("nginx") ? new Nginx(procs, ws, a.path("nginx", "/usr/sbin/nginx")) : null;
            Map<String, Integer> ports = new LinkedHashMap<>();
            try {
                for (String s : names) {
                    switch (s) {
                        case "jfpm" -> {
                            for (String mode : modes.isEmpty() ? java.util.Collections.<String>singletonList(null) : modes) {
                                JfpmServer j = new JfpmServer(procs, ws, jar, a.list("java-opts", ""), new Endpoint.Tcp(Endpoint.freePort()),
                                        pm, a.string("log-level", "info")).spawnMode(mode);
                                servers.put(j.name(), j);
                            }
                        }
                        case "php-fpm" -> servers.put(s, new PhpFpmServer(procs, ws, a.path("php-fpm", "/usr/sbin/php-fpm8.2"),
                                new Endpoint.Tcp(Endpoint.freePort()), pm));
                        default -> throw new IllegalArgumentException("--servers: unknown server '" + s + "', expected jfpm or php-fpm");
                    }
                }
                if (nginx != null) {
                    servers.forEach((name, s) -> ports.put(name, nginx.addServer(s.endpoint())));
                    nginx.start();
                }
                Map<String, ChildCounter> children = new LinkedHashMap<>();
                Map<String, ScoreboardReader> boards = new LinkedHashMap<>();
                for (FpmServer s : servers.values()) {
                    s.start("ondemand");
                    children.put(s.name(), new ChildCounter(s.pid(), procs::adopt));
                    if (s instanceof JfpmServer j) {
                        boards.put(s.name(), Scoreboards.open(j.scoreboard(), s));
                        System.out.println("# " + s.name() + ": " + j.startup());
                    }
                }
                List<String> jfpms = new ArrayList<>(boards.keySet());
                Thread.sleep(1000);
                for (int i = -warmup; i < iterations; i++) {
                    awaitCold(servers, children, Duration.ofSeconds(idle + 30L));
                    String load = Machine.loadAverage();
                    PhpCgiStart.Sample cgi = null;
                    PhpCgiStart.Sample pre = null;
                    Map<String, Jfpm> jf = new LinkedHashMap<>();
                    int k3 = 2 + jfpms.size();
                    for (int k = 0; k < k3; k++) {
                        int which = Math.floorMod(i + k, k3);
                        switch (which) {
                            case 0 -> cgi = baseline.measure(script, false);
                            case 1 -> pre = baseline.measure(script, true);
                            default -> {
                                String name = jfpms.get(which - 2);
                                jf.put(name, jfpm(servers.get(name), ports.get(name), script, boards.get(name)));
                            }
                        }
                    }
                    double fpm = servers.containsKey("php-fpm")
                            ? firstRequest(servers.get("php-fpm"), ports.get("php-fpm"), script).ms : NONE;
                    Iteration it = new Iteration(cgi, pre, jf, fpm, load);
                    print(i, iterations, it);
                    if (i >= 0) {
                        measured.add(it);
                    }
                }
                summary(measured);
                ok = true;
            } finally {
                servers.values().forEach(FpmServer::stop);
                if (nginx != null) {
                    nginx.stop();
                }
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

    /** Waits until every server has 0 workers (its idle timeout has reaped the last one). */
    private static void awaitCold(Map<String, FpmServer> servers, Map<String, ChildCounter> children, Duration timeout) {
        for (FpmServer s : servers.values()) {
            ChildCounter c = children.get(s.name());
            FpmServer.await(s, "return to 0 workers", timeout, () -> true, () -> c.count() == 0);
        }
    }

    private record Answer(double ms, long pid, Instant wall0) {
    }

    /**
     * Connect + one request; ms from just before the connect to the end of the response. With an
     * nginx port (not null), an HTTP/1.0 GET of the script through nginx; else FastCGI directly.
     */
    private static Answer firstRequest(FpmServer server, Integer nginxPort, String script) throws Exception {
        long t0 = System.nanoTime();
        Instant wall0 = Instant.now();
        String body;
        if (nginxPort != null) {
            String uri = "/" + Path.of(script).getFileName();
            String http;
            try (java.net.Socket c = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), nginxPort)) {
                c.setTcpNoDelay(true);
                c.getOutputStream().write(("GET " + uri + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                http = new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            int at = http.indexOf("\r\n\r\n");
            if (!http.startsWith("HTTP/1.1 200") || at < 0) {
                throw new IllegalStateException(server.name() + " via nginx answered: " + http);
            }
            body = http.substring(at + 4);
            double ms = (System.nanoTime() - t0) / 1e6;
            if (!body.startsWith("pid=")) {
                throw new IllegalStateException(server.name() + " via nginx answered: " + http);
            }
            return new Answer(ms, Long.parseLong(body.substring(4).trim()), wall0);
        }
        FastCgiRecords.Response r;
        try (Endpoint.Connection c = server.endpoint().connect()) {
            r = FastCgiRecords.exchange(c.in(), c.out(), FastCgiRecords.params(script, ""));
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        body = r.body();
        if (!body.startsWith("pid=")) {
            throw new IllegalStateException(server.name() + " answered: " + r.stdout() + r.stderr());
        }
        return new Answer(ms, Long.parseLong(body.substring(4).trim()), wall0);
    }

    private static Jfpm jfpm(FpmServer server, Integer nginxPort, String script, ScoreboardReader board) throws Exception {
        long jvm0 = Cpu.nanos(server.pid());
        Answer a = firstRequest(server, nginxPort, script);
        long jvm1 = Cpu.nanos(server.pid());
        double workerCpu = Cpu.nanos(a.pid()) / 1e6;
        double w0 = a.wall0().getEpochSecond() * 1e6 + a.wall0().getNano() / 1e3;
        Optional<SlotSnapshot> slot = Scoreboards.ofPid(board, a.pid());
        double spawn = slot.map(s -> (s.startTimeUs() - w0) / 1000).orElse(NONE);
        double accept = slot.map(s -> (s.acceptedTimeUs() - w0) / 1000).orElse(NONE);
        return new Jfpm(a.ms(), spawn, accept, workerCpu, (jvm1 - jvm0) / 1e6);
    }

    private static void print(int i, int n, Iteration it) {
        String label = i < 0 ? "warm-up" : String.format(Locale.ROOT, "%2d/%d", i + 1, n);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%-7s php-cgi %5.1f ms (cpu %4.1f) | +preload %5.1f ms (cpu %4.1f)", label,
                it.cgi().ms(), it.cgi().workerCpuMs(), it.cgiPreload().ms(), it.cgiPreload().workerCpuMs()));
        it.jfpm().forEach((name, j) -> s.append(String.format(Locale.ROOT,
                " | %s %5.1f ms (%+5.1f; spawn at %4.1f, accept at %5.1f; cpu worker %4.1f, jvm %4.1f)",
                name, j.ms(), j.ms() - it.cgi().ms(), j.spawnAt(), j.acceptAt(), j.workerCpu(), j.jvmCpu())));
        if (!Double.isNaN(it.phpFpm())) {
            s.append(String.format(Locale.ROOT, " | php-fpm %5.1f ms", it.phpFpm()));
        }
        s.append(" | load ").append(it.load());
        System.out.println(s);
    }

    private static void summary(List<Iteration> its) {
        System.out.println();
        System.out.println("# summary (ms; median, p90, [min–max])");
        row("php-cgi own start", its, i -> i.cgi().ms());
        row("  its CPU", its, i -> i.cgi().workerCpuMs());
        row("php-cgi + preload", its, i -> i.cgiPreload().ms());
        row("  its CPU", its, i -> i.cgiPreload().workerCpuMs());
        for (String name : its.isEmpty() ? List.<String>of() : its.get(0).jfpm().keySet()) {
            List<Iteration> jf = its.stream().filter(i -> i.jfpm().containsKey(name)).toList();
            ToDoubleFunction<Iteration> ms = i -> i.jfpm().get(name).ms();
            row(name + " ondemand", jf, ms);
            row("  - php-cgi (paired)", jf, i -> ms.applyAsDouble(i) - i.cgi().ms());
            row("  - php-cgi+preload", jf, i -> ms.applyAsDouble(i) - i.cgiPreload().ms());
            row("  connect -> spawn", jf, i -> i.jfpm().get(name).spawnAt());
            row("  spawn -> first accept", jf, i -> i.jfpm().get(name).acceptAt() - i.jfpm().get(name).spawnAt());
            row("  first accept -> answer", jf, i -> ms.applyAsDouble(i) - i.jfpm().get(name).acceptAt());
            row("  worker CPU", jf, i -> i.jfpm().get(name).workerCpu());
            row("  jfpm JVM CPU meanwhile", jf, i -> i.jfpm().get(name).jvmCpu());
        }
        List<Iteration> fp = its.stream().filter(i -> !Double.isNaN(i.phpFpm())).toList();
        if (!fp.isEmpty()) {
            row("php-fpm ondemand", fp, Iteration::phpFpm);
        }
        System.out.println("load (1 min) per iteration: " + its.stream().map(i -> i.load().split(" ")[0]).toList());
    }

    private static void row(String label, List<Iteration> its, ToDoubleFunction<Iteration> f) {
        List<Double> v = its.stream().map(f::applyAsDouble).filter(d -> !Double.isNaN(d)).toList();
        if (!v.isEmpty()) {
            System.out.printf(Locale.ROOT, "%-27s %s%n", label, Stats.of(v).describeWithP90(1));
        }
    }
}
