package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * Replacement of a worker killed with SIGKILL, and the memory of idle workers, in a static pool
 * ({@code max-children 4} by default) on a loopback TCP port: jfpm per spawn-mode (jfpm-fork,
 * jfpm-exec) and PHP-FPM 8.2, all running side by side, measured in turn.
 *
 * <p>Two measures per iteration and server, each from a pool at rest (every worker blocked in
 * {@code accept}, read from {@code /proc/PID/syscall}):
 * <ol>
 *   <li><b>answers</b>: all workers but one are held busy by {@code sleep.php} requests; the idle one
 *       is killed with SIGKILL; as soon as it is dead (gone or a zombie in {@code /proc}) a
 *       {@code hello.php} request is sent over FastCGI. It waits in the listen queue until the
 *       replacement accepts it, since every other worker sleeps. Time: kill → complete response;
 *       the answering pid must be a new one.</li>
 *   <li><b>idle</b>: one of the idle workers is killed, nothing is sent; {@code /proc} is polled every
 *       millisecond until a new worker exists and until it is blocked in {@code accept}. For jfpm
 *       also until the scoreboard (what {@code status} shows) has its slot idle.</li>
 * </ol>
 *
 * <p>PSS per idle worker ({@link Pss}) is read at rest after the start and again after the
 * iterations; a jfpm-fork template and PHP-FPM's master are reported apart, as is the jfpm JVM.
 */
public final class ReplaceAfterKill {
    private static final String USAGE = """
            usage: java -cp "$(cat bench/target/classpath.txt)" org.jfpm.bench.ReplaceAfterKill [options]
              --iterations N      measured iterations per server (default 15)
              --warmup N          iterations run first and not counted (default 1)
              --workers N         pm static max-children (default 4)
              --hold-ms MS        how long the held workers sleep (default 1000)
              --servers LIST      jfpm,php-fpm (default both)
              --spawn-modes LIST  one jfpm per spawn-mode (default fork,exec; "" = jfpm's default, one jfpm)
              --jar PATH          jfpm jar (default supervisor/target/jfpm.jar)
              --java-opts OPTS    JVM options for jfpm, space-separated (default none)
              --log-level LEVEL   jfpm's log-level (default info)
              --php-fpm PATH      (default /usr/sbin/php-fpm8.2)
              --keep              keep the temp directory (configs, logs) even on success
            """;
    private static final double NONE = Double.NaN;

    /** One iteration of one server, ms from the kill. */
    private record Sample(double deadMs, double answerMs, double existsMs, double idleMs, double statusMs, String load) {
    }

    private ReplaceAfterKill() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, Set.of("iterations", "warmup", "workers", "hold-ms", "servers", "spawn-modes", "jar", "java-opts",
                "log-level", "php-fpm"), Set.of("keep"), USAGE);
        int iterations = a.integer("iterations", 15);
        int warmup = a.integer("warmup", 1);
        int workers = a.integer("workers", 4);
        int holdMs = a.integer("hold-ms", 1000);
        List<String> names = a.list("servers", "jfpm,php-fpm");
        List<String> modes = a.list("spawn-modes", "fork,exec");
        Path jar = a.path("jar", "supervisor/target/jfpm.jar").toAbsolutePath();
        PoolSpec pm = PoolSpec.fixed(workers);
        if (workers < 2) {
            throw new IllegalArgumentException("--workers " + workers + ": need at least 2 (one to kill, one held)");
        }
        if (names.contains("jfpm") && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--jar " + jar + ": no such file; build it with mvn -B package -DskipTests");
        }
        System.out.println("# ReplaceAfterKill: pm static max-children " + workers + ", FastCGI over loopback TCP, "
                + iterations + " iterations (+" + warmup + " warm-up) per server, held requests " + holdMs + " ms, jfpm spawn-modes "
                + (modes.isEmpty() ? "(default)" : modes));
        System.out.println("# machine: " + Machine.describe());
        System.out.println("# " + Machine.versionOf(List.of("/usr/bin/php-cgi", "-v")) + "; "
                + Machine.versionOf(List.of(a.string("php-fpm", "/usr/sbin/php-fpm8.2"), "-v")));

        Workspace ws = Workspace.create("jfpm-bench-kill");
        boolean ok = false;
        try (Processes procs = new Processes()) {
            procs.afterStop(ws::deleteScoreboards);
            String hello = ws.www().resolve("hello.php").toString();
            String sleep = ws.www().resolve("sleep.php").toString();
            Map<String, FpmServer> servers = new LinkedHashMap<>();
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
                Map<String, ChildCounter> children = new LinkedHashMap<>();
                Map<String, ScoreboardReader> boards = new LinkedHashMap<>();
                for (FpmServer s : servers.values()) {
                    s.start("kill");
                    children.put(s.name(), new ChildCounter(s.pid(), procs::adopt));
                    if (s instanceof JfpmServer j) {
                        boards.put(s.name(), Scoreboards.open(j.scoreboard(), s));
                    }
                }
                System.out.println();
                System.out.println("# PSS at rest after the start");
                for (FpmServer s : servers.values()) {
                    awaitRest(s, children.get(s.name()), workers);
                    printPss(s, children.get(s.name()));
                }
                System.out.println();
                Map<String, List<Sample>> results = new LinkedHashMap<>();
                servers.keySet().forEach(n -> results.put(n, new ArrayList<>()));
                List<String> order = new ArrayList<>(servers.keySet());
                for (int i = -warmup; i < iterations; i++) {
                    for (String name : order) {
                        FpmServer s = servers.get(name);
                        ChildCounter c = children.get(name);
                        String load = Machine.loadAverage();
                        double[] answer = answers(s, c, boards.get(name), workers, hello, sleep, holdMs);
                        double[] idle = idle(s, c, boards.get(name), workers);
                        Sample sample = new Sample(answer[0], answer[1], idle[0], idle[1], idle[2], load);
                        System.out.printf(Locale.ROOT, "%-7s %-9s answers %6.2f ms (dead at %5.2f) | new worker exists %6.2f, in accept %6.2f,"
                                        + " idle in scoreboard %s | load %s%n",
                                i < 0 ? "warm-up" : (i + 1) + "/" + iterations, name, sample.answerMs(), sample.deadMs(), sample.existsMs(),
                                sample.idleMs(), Double.isNaN(sample.statusMs()) ? "-" : String.format(Locale.ROOT, "%6.2f", sample.statusMs()),
                                load);
                        if (i >= 0) {
                            results.get(name).add(sample);
                        }
                    }
                    java.util.Collections.rotate(order, -1);
                }
                System.out.println();
                System.out.println("# PSS at rest after the iterations (every worker has served hello.php and sleep.php)");
                for (FpmServer s : servers.values()) {
                    awaitRest(s, children.get(s.name()), workers);
                    printPss(s, children.get(s.name()));
                }
                summary(results);
                ok = true;
            } finally {
                servers.values().forEach(FpmServer::stop);
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

    /** {dead, answered} ms from the kill of the one idle worker while the others are held busy. */
    private static double[] answers(FpmServer server, ChildCounter children, ScoreboardReader board, int workers, String hello,
                                    String sleep, int holdMs) throws Exception {
        awaitRest(server, children, workers);
        Set<Long> before = new HashSet<>(children.workers());
        List<Thread> holds = new ArrayList<>();
        Exception[] failure = new Exception[1];
        for (int k = 0; k < workers - 1; k++) {
            Thread t = new Thread(() -> {
                try {
                    request(server, sleep, "ms=" + holdMs);
                } catch (Exception e) {
                    failure[0] = e;
                }
            }, "hold-" + k);
            t.setDaemon(true);
            t.start();
            holds.add(t);
        }
        long victim = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (victim < 0) {
            children.count();
            List<Long> idle = children.workers().stream().filter(ReplaceAfterKill::inAccept).toList();
            List<Long> all = children.workers();
            if (idle.size() == 1 && all.size() == workers && all.stream().filter(p -> !inAccept(p)).allMatch(ReplaceAfterKill::sleeping)) {
                victim = idle.get(0);
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException(server.name() + ": the held requests did not leave exactly one idle worker: idle "
                        + idle + " of " + all + (failure[0] == null ? "" : "; " + failure[0]));
            } else {
                LockSupport.parkNanos(200_000);
            }
        }
        long t0 = System.nanoTime();
        kill(victim);
        while (alive(victim)) {
            Thread.onSpinWait();
            if (System.nanoTime() - t0 > 1_000_000_000L) {
                throw new IllegalStateException(server.name() + ": worker " + victim + " still alive 1 s after SIGKILL");
            }
        }
        double dead = (System.nanoTime() - t0) / 1e6;
        long pid = request(server, hello, "");
        double answered = (System.nanoTime() - t0) / 1e6;
        if (before.contains(pid)) {
            throw new IllegalStateException(server.name() + ": answered by old worker " + pid + " (workers before: " + before + ")");
        }
        for (Thread t : holds) {
            t.join(holdMs + 30_000L);
        }
        if (failure[0] != null) {
            throw new IllegalStateException(server.name() + ": a held request failed: " + failure[0], failure[0]);
        }
        return new double[] {dead, answered};
    }

    /** {exists, in accept, idle in the scoreboard (NaN for PHP-FPM)} ms from the kill of an idle worker. */
    private static double[] idle(FpmServer server, ChildCounter children, ScoreboardReader board, int workers) {
        awaitRest(server, children, workers);
        List<Long> before = children.workers();
        long victim = before.get(before.size() / 2);
        long t0 = System.nanoTime();
        kill(victim);
        double exists = NONE;
        double accept = NONE;
        double status = board == null ? NONE : Double.NaN;
        long fresh = -1;
        long deadline = t0 + Duration.ofSeconds(10).toNanos();
        while (Double.isNaN(accept) || (board != null && Double.isNaN(status))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(server.name() + ": no replacement idle within 10 s of killing " + victim
                        + "; log:\n" + server.logTail(20));
            }
            if (fresh < 0) {
                children.count();
                Optional<Long> n = children.workers().stream().filter(p -> !before.contains(p)).findFirst();
                if (n.isPresent()) {
                    fresh = n.get();
                    exists = (System.nanoTime() - t0) / 1e6;
                }
            }
            if (fresh >= 0 && Double.isNaN(accept) && inAccept(fresh)) {
                accept = (System.nanoTime() - t0) / 1e6;
            }
            if (fresh >= 0 && board != null && Double.isNaN(status)) {
                Optional<SlotSnapshot> slot = Scoreboards.ofPid(board, fresh);
                if (slot.isPresent() && slot.get().isIdle()) {
                    status = (System.nanoTime() - t0) / 1e6;
                }
            }
            LockSupport.parkNanos(1_000_000);
        }
        return new double[] {exists, accept, status};
    }

    /** Waits until the pool has {@code workers} workers, all blocked in accept, for 200 ms. */
    private static void awaitRest(FpmServer server, ChildCounter children, int workers) {
        long since = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            children.count();
            List<Long> w = children.workers();
            boolean rest = w.size() == workers && w.stream().allMatch(ReplaceAfterKill::inAccept);
            long now = System.nanoTime();
            if (!rest) {
                since = -1;
            } else if (since < 0) {
                since = now;
            } else if (now - since > 200_000_000L) {
                return;
            }
            if (now > deadline) {
                throw new IllegalStateException(server.name() + ": not at rest (" + workers + " workers in accept) within 30 s: "
                        + w + "; log:\n" + server.logTail(20));
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    private static void printPss(FpmServer server, ChildCounter children) {
        children.count();
        Pss w = Pss.sum(children.workers());
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-9s idle workers %s", server.name(), w.describe()));
        List<Long> templates = children.templates();
        if (!templates.isEmpty()) {
            s.append(" | template ").append(Pss.sum(templates).describe());
        }
        s.append(server instanceof JfpmServer ? " | jfpm JVM " : " | master ").append(Pss.of(server.pid()).describe());
        System.out.println(s);
    }

    /** One FastCGI request; returns the answering pid. */
    private static long request(FpmServer server, String script, String query) throws IOException {
        FastCgiRecords.Response r;
        try (Endpoint.Connection c = server.endpoint().connect()) {
            r = FastCgiRecords.exchange(c.in(), c.out(), FastCgiRecords.params(script, query));
        }
        String body = r.body();
        if (!body.startsWith("pid=")) {
            throw new IllegalStateException(server.name() + " answered: " + r.stdout() + r.stderr());
        }
        return Long.parseLong(body.substring(4).split("\\s")[0]);
    }

    private static void kill(long pid) {
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("worker " + pid + " is gone"));
        if (!h.destroyForcibly()) {
            throw new IllegalStateException("SIGKILL to " + pid + " failed");
        }
    }

    /** True while the process exists and is not a zombie. */
    private static boolean alive(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** The first field of /proc/PID/syscall: the system call it is blocked in ("running" when on a CPU). */
    private static String syscall(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "syscall")).trim();
            int sp = s.indexOf(' ');
            return sp < 0 ? s : s.substring(0, sp);
        } catch (IOException e) {
            return "gone";
        }
    }

    /** Blocked in accept (43) or accept4 (288) on x86_64. */
    static boolean inAccept(long pid) {
        String s = syscall(pid);
        return s.equals("43") || s.equals("288");
    }

    /** Blocked in nanosleep (35) or clock_nanosleep (230) on x86_64: a held request. */
    private static boolean sleeping(long pid) {
        String s = syscall(pid);
        return s.equals("35") || s.equals("230");
    }

    private static void summary(Map<String, List<Sample>> results) {
        System.out.println();
        System.out.println("# summary (ms from the SIGKILL; median, p90, [min–max])");
        results.forEach((name, samples) -> {
            System.out.println(name + ":");
            row("  replacement answers     ", samples, Sample::answerMs);
            row("  (victim dead at)        ", samples, Sample::deadMs);
            row("  new worker exists       ", samples, Sample::existsMs);
            row("  new worker in accept    ", samples, Sample::idleMs);
            row("  idle in the scoreboard  ", samples, Sample::statusMs);
            System.out.println("  load (1 min): " + samples.stream().map(s -> s.load().split(" ")[0]).toList());
        });
    }

    private static void row(String label, List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
        List<Double> v = samples.stream().map(f::applyAsDouble).filter(d -> !Double.isNaN(d)).toList();
        if (!v.isEmpty()) {
            System.out.println(label + Stats.of(v).describeWithP90(2));
        }
    }
}
