package org.jfpm.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * A jfpm supervisor run as a real process ({@code java -jar jfpm.jar --config FILE}) for one test:
 * writes the HOCON config (unique scoreboard dir under /dev/shm, free ports), captures stdout+stderr
 * to memory and to {@code target/it-logs/}, waits for log lines, sends signals, reads the pools'
 * scoreboards, and on {@link #close()} leaves nothing behind: TERM, wait, then SIGKILL for the
 * master and every process it spawned (known from the "child N started" log lines, the scoreboard,
 * and a /proc scan for the unique scoreboard path in the workers' environment).
 */
final class Jfpm implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern CHILD_STARTED = Pattern.compile("\\[pool ([^\\]]+)\\] child (\\d+) started");
    private static final Pattern CHILD_EXITED =
            Pattern.compile("\\[pool ([^\\]]+)\\] child (\\d+) (exited|has been killed)");
    private static final Set<Jfpm> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Path LOG_DIR = Path.of(System.getProperty("jfpm.it.logs", "target/it-logs"));
    private static int runs;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Jfpm::kill), "jfpm-it-cleanup"));
    }

    /** The jar under test: the {@code jfpm.jar} system property set by the it-tests pom. */
    static Path jar() {
        String p = System.getProperty("jfpm.jar");
        if (p == null) {
            throw new AssertionError("system property jfpm.jar is not set (run through Maven: mvn -B verify)");
        }
        Path jar = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("jfpm.jar not found at " + jar + " (build it: mvn -B package -DskipTests)");
        }
        return jar;
    }

    static Builder in(Path dir) {
        return new Builder(dir);
    }

    /** A configuration being written. */
    static final class Builder {
        private final Path dir;
        private final Path scoreboardDir = Path.of("/dev/shm", "jfpm-it-" + UUID.randomUUID().toString().substring(0, 8));
        private final Map<String, Object> settings = new LinkedHashMap<>();
        private final List<PoolSpec> pools = new ArrayList<>();
        private int statusPort = -1;
        private List<String> wrapper = List.of();
        private String raw;

        private Builder(Path dir) {
            this.dir = dir;
            settings.put("scoreboard-dir", scoreboardDir.toString());
            settings.put("process-control-timeout", "3s");
            settings.put("log-level", "info");
            settings.put("status.listen", "");
        }

        Builder pool(PoolSpec pool) {
            pools.add(pool);
            return this;
        }

        /** Drops the pool named {@code name} (for a reload that removes it, see {@link Jfpm#rewrite}). */
        Builder removePool(String name) {
            if (!pools.removeIf(p -> p.name().equals(name))) {
                throw new AssertionError("no pool " + name + " in this configuration");
            }
            return this;
        }

        /** Turn the status server on, on a free 127.0.0.1 port. */
        Builder status() {
            statusPort = Ports.free();
            return set("status.listen", "127.0.0.1:" + statusPort);
        }

        /** A top-level setting under {@code jfpm}. */
        Builder set(String key, Object value) {
            settings.put(key, value);
            return this;
        }

        Path scoreboardDir() {
            return scoreboardDir;
        }

        /**
         * Runs jfpm under {@code wrapper} (e.g. {@code unshare --pid --fork --mount-proc}): then
         * {@link Jfpm#pid()} is the wrapper's pid, and signals go to the wrapper.
         */
        Builder wrappedIn(List<String> wrapper) {
            this.wrapper = List.copyOf(wrapper);
            return this;
        }

        /**
         * Use {@code text} as the whole configuration instead of the settings and pools (e.g. the
         * output of import-fpm); it should set {@code jfpm.scoreboard-dir} to {@link #scoreboardDir()}
         * so that cleanup finds its workers.
         */
        Builder raw(String text) {
            this.raw = text;
            return this;
        }

        String hocon() {
            if (raw != null) {
                return raw;
            }
            StringBuilder b = new StringBuilder("jfpm {\n");
            settings.forEach((k, v) -> b.append("  ").append(k).append(" = ").append(PoolSpec.value(v)).append('\n'));
            b.append("  pools {\n");
            for (PoolSpec p : pools) {
                b.append(p.hocon("    "));
            }
            return b.append("  }\n}\n").toString();
        }

        /** Writes {@code jfpm.conf} into the test's directory and creates the scoreboard dir; returns the file's path. */
        Path writeConfig() {
            return writeConfig(hocon());
        }

        private Path writeConfig(String text) {
            Path file = dir.resolve("jfpm.conf").toAbsolutePath();
            try {
                Files.createDirectories(scoreboardDir);
                Files.writeString(file, text);
            } catch (IOException e) {
                throw new UncheckedIOException("write " + file, e);
            }
            return file;
        }

        /** Starts jfpm on this configuration; waits for "ready to handle connections" (and the status server, if on). */
        Jfpm start() {
            Path config = writeConfig();
            Jfpm j = new Jfpm(this, config);
            j.launch(null);
            return j;
        }

        /** Starts jfpm and returns as soon as a log line matches {@code regex} (e.g. mid-start-up). */
        Jfpm startUntil(String regex) {
            Path config = writeConfig();
            Jfpm j = new Jfpm(this, config);
            j.launch(regex);
            return j;
        }

        /**
         * Runs {@code java -jar jfpm.jar ARGS} to completion (e.g. {@code --config FILE --test} or
         * {@code status ...}), killing it and anything it spawned if it runs past {@code timeout}.
         */
        Cli run(Duration timeout, String... args) {
            return Jfpm.cli(scoreboardDir, timeout, args);
        }
    }

    /** The result of a CLI run: exit code and merged stdout+stderr. */
    record Cli(int exitCode, String output) {
    }

    /** The result of a CLI run with stdout and stderr apart. */
    record Outputs(int exitCode, String stdout, String stderr) {
    }

    /** Runs the jar with {@code args} to completion, keeping stdout and stderr apart (e.g. import-fpm). */
    static Outputs cliOutputs(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        try {
            Path dir = Files.createTempDirectory("jfpm-cli-");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                        .redirectError(dir.resolve("err").toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", args) + " did not exit within " + timeout.toMillis() + " ms");
                }
                return new Outputs(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
            } finally {
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new AssertionError("run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Runs the jar with {@code args}. With a {@code cleanupDir} (a configuration that is not running
     * otherwise), whatever it spawned for that scoreboard dir is killed and the dir removed afterwards.
     */
    static Cli cli(Path cleanupDir, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("start " + cmd + ": " + e, e);
        }
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "jfpm-cli-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                synchronized (out) {
                    throw new AssertionError(String.join(" ", args) + " did not exit within " + timeout.toMillis()
                            + " ms; output:\n" + out);
                }
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError("interrupted", e);
        } finally {
            if (cleanupDir != null) {
                killWorkers(cleanupDir, Set.of());
                deleteTree(cleanupDir);
            }
        }
        synchronized (out) {
            return new Cli(p.exitValue(), out.toString());
        }
    }

    // ---- a running supervisor ---------------------------------------------------------------

    private final Builder spec;
    private final Path config;
    private final Path logFile;
    /** Every pool this run has had (a pool removed by {@link #rewrite} stays, for cleanup and dumps). */
    private final Map<String, PoolSpec> pools = new LinkedHashMap<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private record MappedScoreboard(ScoreboardReader reader, Object fileKey) {
    }

    private final Map<String, MappedScoreboard> readers = new ConcurrentHashMap<>();
    private Process process;
    private Thread logReader;
    private Writer logWriter;
    private boolean closed;

    private Jfpm(Builder spec, Path config) {
        this.spec = spec;
        this.config = config;
        for (PoolSpec p : spec.pools) {
            pools.put(p.name(), p);
        }
        this.logFile = LOG_DIR.resolve(callerName() + "-" + nextRun() + ".log").toAbsolutePath();
    }

    private static synchronized int nextRun() {
        return ++runs;
    }

    private static String callerName() {
        return StackWalker.getInstance().walk(frames -> frames
                .map(StackWalker.StackFrame::getClassName)
                .filter(c -> c.startsWith("org.jfpm.it.") && c.endsWith("Test"))
                .map(c -> c.substring(c.lastIndexOf('.') + 1))
                .findFirst().orElse("jfpm"));
    }

    private void launch(String untilRegex) {
        try {
            Files.createDirectories(LOG_DIR);
            logWriter = Files.newBufferedWriter(logFile);
            logWriter.write("# config " + config + "\n" + spec.hocon() + "# ---- output\n");
            List<String> cmd = new ArrayList<>(spec.wrapper);
            cmd.addAll(List.of(javaBin(), "-jar", jar().toString(), "--config", config.toString()));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("start jfpm: " + e, e);
        }
        RUNNING.add(this);
        logReader = new Thread(this::pumpLog, "jfpm-output-" + process.pid());
        logReader.setDaemon(true);
        logReader.start();
        try {
            if (untilRegex != null) {
                awaitLog(untilRegex, START_TIMEOUT);
                return;
            }
            awaitLog("ready to handle connections", START_TIMEOUT);
            if (spec.statusPort >= 0) {
                awaitLog("status server listening on http://127\\.0\\.0\\.1:" + spec.statusPort, START_TIMEOUT);
            }
        } catch (AssertionError e) {
            close();
            throw e;
        }
    }

    private void pumpLog() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                synchronized (this) {
                    if (logWriter != null) {
                        logWriter.write(line);
                        logWriter.write('\n');
                        logWriter.flush();
                    }
                }
            }
        } catch (IOException ignored) {
            // the pipe closes when the supervisor and every worker holding it are gone
        }
    }

    long pid() {
        return process.pid();
    }

    Path config() {
        return config;
    }

    Path scoreboardDir() {
        return spec.scoreboardDir;
    }

    Path scoreboardFile(String pool) {
        return spec.scoreboardDir.resolve("jfpm-" + pool + ".scoreboard");
    }

    PoolSpec pool(String name) {
        PoolSpec p = pools.get(name);
        if (p == null) {
            throw new AssertionError("no pool " + name + " in this configuration");
        }
        return p;
    }

    InetSocketAddress statusAddress() {
        if (spec.statusPort < 0) {
            throw new AssertionError("status server not configured (Builder.status())");
        }
        return new InetSocketAddress("127.0.0.1", spec.statusPort);
    }

    String statusUrl(String path) {
        return "http://127.0.0.1:" + spec.statusPort + path;
    }

    /** Every output line so far. */
    List<String> log() {
        return List.copyOf(lines);
    }

    /** Runs {@code java -jar jfpm.jar ARGS} next to this supervisor (e.g. the {@code status} command). */
    Cli cli(Duration timeout, String... args) {
        return Jfpm.cli(null, timeout, args);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for an output line matching {@code regex} (a find, not a full match); returns the match. */
    MatchResult awaitLog(String regex, Duration timeout) {
        return awaitLogSince(0, regex, timeout);
    }

    /** The number of output lines so far: a mark for {@link #awaitLogSince}. */
    int logMark() {
        return lines.size();
    }

    /** Like {@link #awaitLog}, looking only at the lines from index {@code mark} on (e.g. after a {@link #hup()}). */
    MatchResult awaitLogSince(int mark, String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        MatchResult[] found = new MatchResult[1];
        pollUntil(() -> {
            boolean exited = !process.isAlive();
            if (exited) {
                drainLog();
            }
            List<String> all = log();
            for (String line : all.subList(Math.min(mark, all.size()), all.size())) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    found[0] = m.toMatchResult();
                    return true;
                }
            }
            if (exited) {
                throw new Poll.Abort("jfpm exited with code " + process.exitValue());
            }
            return false;
        }, timeout, () -> "a log line matching /" + regex + "/" + (mark > 0 ? " after line " + mark : ""));
        return found[0];
    }

    /** After the supervisor exited: give the output pump a moment to read what is still in the pipe. */
    private void drainLog() {
        try {
            logReader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean logContains(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().anyMatch(l -> p.matcher(l).find());
    }

    void signal(String name) {
        if (!Procs.signal(pid(), name)) {
            throw new AssertionError("kill -s " + name + " " + pid() + " failed (jfpm alive: " + alive() + ")");
        }
    }

    /**
     * Sends SIGHUP (graceful reload) to the supervisor; returns the {@link #logMark()} taken just
     * before, so that {@link #awaitLogSince} sees only what the master said about this reload.
     */
    int hup() {
        int mark = logMark();
        signal("HUP");
        return mark;
    }

    /**
     * Changes the configuration and rewrites the same file ({@link #config()}) in place, for a
     * reload: {@code change} edits the builder (add or {@link Builder#removePool remove} pools) and
     * the {@link PoolSpec}s it holds ({@code pm("max-children", 4)}, {@code set("env", ...)},
     * {@code listenTcp()}). Nothing is signalled; call {@link #hup()}. The new file is copied to the run's log.
     */
    Path rewrite(Consumer<Builder> change) {
        change.accept(spec);
        for (PoolSpec p : spec.pools) {
            pools.put(p.name(), p);
        }
        return rewriteRaw(spec.hocon());
    }

    /** The configuration as {@link #rewrite} would write it now (HOCON), e.g. to break it for {@link #rewriteRaw}. */
    String hocon() {
        return spec.hocon();
    }

    /** Rewrites the configuration file in place with {@code text} as is (e.g. invalid HOCON); nothing is signalled. */
    Path rewriteRaw(String text) {
        Path file = spec.writeConfig(text);
        if (!file.equals(config)) {
            throw new AssertionError("rewrote " + file + ", but jfpm runs on " + config);
        }
        readers.clear(); // a reload may replace a scoreboard file: map it afresh on the next read
        synchronized (this) {
            if (logWriter != null) {
                try {
                    logWriter.write("# ---- config rewritten (" + config + "):\n" + text + "# ----\n");
                    logWriter.flush();
                } catch (IOException ignored) {
                    // the log file is for humans
                }
            }
        }
        return file;
    }

    /** Waits for the supervisor to exit; returns its exit code. */
    int awaitExit(Duration timeout) {
        pollUntil(() -> !process.isAlive(), timeout, () -> "jfpm (pid " + pid() + ") to exit");
        return process.exitValue();
    }

    /** Polls {@code condition} until it holds; on timeout fails with {@code describe} and {@link #dump()}. */
    void pollUntil(BooleanSupplier condition, Duration timeout, Supplier<String> describe) {
        Poll.until(condition, timeout, describe, this::dump);
    }

    void pollUntil(BooleanSupplier condition, Duration timeout, String describe) {
        pollUntil(condition, timeout, () -> describe);
    }

    // ---- children as the log tells ----------------------------------------------------------

    /** Pids of {@code pool} logged as "child N started", in order. */
    List<Long> startedPids(String pool) {
        return pidsMatching(CHILD_STARTED, pool);
    }

    /** Pids of {@code pool} logged as exited or killed. */
    List<Long> exitedPids(String pool) {
        return pidsMatching(CHILD_EXITED, pool);
    }

    /** Started and not logged as exited. */
    List<Long> livePids(String pool) {
        Set<Long> gone = Set.copyOf(exitedPids(pool));
        return startedPids(pool).stream().filter(p -> !gone.contains(p)).collect(Collectors.toList());
    }

    private List<Long> pidsMatching(Pattern p, String pool) {
        List<Long> pids = new ArrayList<>();
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (m.find() && m.group(1).equals(pool)) {
                pids.add(Long.parseLong(m.group(2)));
            }
        }
        return pids;
    }

    // ---- children as /proc tells ------------------------------------------------------------

    /**
     * The live workers of {@code pool} as the kernel sees them: processes whose parent is the master
     * and whose environment has {@code JFPM_POOL=pool}, each with its environment. A template
     * ({@code spawn-mode = fork}) is no worker: its initial environment has {@code JFPM_TEMPLATE_FD=4},
     * which a forked worker's shows as {@code JFPM_TEMPLATE_FD=-}.
     */
    Map<Long, Map<String, String>> workers(String pool) {
        Map<Long, Map<String, String>> found = new TreeMap<>();
        for (long pid : Procs.children(pid())) {
            Map<String, String> env = Procs.environ(pid);
            if (pool.equals(env.get("JFPM_POOL")) && !"4".equals(env.get("JFPM_TEMPLATE_FD"))) {
                found.put(pid, env);
            }
        }
        return found;
    }

    /** The pids of {@link #workers(String)}. */
    Set<Long> workerPids(String pool) {
        return new TreeSet<>(workers(pool).keySet());
    }

    /**
     * Waits until {@code pool} has exactly {@code n} live workers ({@link #workers}) and each has
     * {@code name=value} in its environment ({@code value} null: the variable is absent); returns their pids.
     */
    Set<Long> awaitWorkers(String pool, int n, String name, String value, Duration timeout) {
        List<Map<Long, Map<String, String>>> seen = new ArrayList<>(List.of(Map.of()));
        pollUntil(() -> {
            Map<Long, Map<String, String>> w = workers(pool);
            seen.set(0, w);
            return w.size() == n && w.values().stream().allMatch(env -> Objects.equals(value, env.get(name)));
        }, timeout, () -> "pool " + pool + " to have exactly " + n + " workers (children of " + pid() + ") with "
                + name + "=" + value + "; last seen " + describe(seen.get(0), name));
        return new TreeSet<>(seen.get(0).keySet());
    }

    private static String describe(Map<Long, Map<String, String>> workers, String name) {
        return workers.size() + " workers " + workers.entrySet().stream()
                .map(e -> e.getKey() + ":" + name + "=" + e.getValue().get(name))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    // ---- the scoreboard ---------------------------------------------------------------------

    /**
     * A reader of {@code pool}'s scoreboard (opened once the file is complete), mapped afresh when a
     * new generation has replaced the file.
     */
    ScoreboardReader scoreboard(String pool) {
        Path file = scoreboardFile(pool);
        Object key = fileKey(file);
        return readers.compute(pool, (p, cached) -> {
            if (cached != null && cached.fileKey() != null && cached.fileKey().equals(key)) {
                return cached;
            }
            try {
                return new MappedScoreboard(ScoreboardReader.open(file), key);
            } catch (IOException e) {
                throw new UncheckedIOException("open scoreboard " + file, e);
            }
        }).reader();
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    PoolHeaderSnapshot header(String pool) {
        return scoreboard(pool).header();
    }

    /** Every allocated slot of {@code pool}, read consistently (an unstable slot fails the read). */
    List<SlotSnapshot> inUse(String pool) {
        ScoreboardReader r = scoreboard(pool);
        List<SlotSnapshot> slots = new ArrayList<>();
        for (int i = 0; i < r.slotCount(); i++) {
            int index = i;
            SlotSnapshot s = r.slot(i).orElseThrow(
                    () -> new IllegalStateException("slot " + index + " of pool " + pool + " is unstable"));
            if (s.inUse()) {
                slots.add(s);
            }
        }
        return slots;
    }

    /** Waits until {@code pool} has exactly {@code n} allocated slots, all attached and idle. */
    List<SlotSnapshot> awaitIdle(String pool, int n, Duration timeout) {
        List<List<SlotSnapshot>> seen = new ArrayList<>(List.of(List.of()));
        pollUntil(() -> {
            List<SlotSnapshot> s = inUse(pool);
            seen.set(0, s);
            return s.size() == n && s.stream().allMatch(x -> x.pid() > 0 && x.isIdle());
        }, timeout, () -> "pool " + pool + " to have " + n + " idle workers");
        return seen.get(0);
    }

    /** The log tail and every pool's scoreboard, for failure messages. */
    String dump() {
        StringBuilder b = new StringBuilder("---- jfpm pid ").append(process == null ? "-" : process.pid())
                .append(process != null && !process.isAlive() ? " (exited " + process.exitValue() + ")" : "")
                .append(", full log: ").append(logFile).append("\n---- log tail:\n");
        List<String> all = log();
        all.subList(Math.max(0, all.size() - 60), all.size()).forEach(l -> b.append("  ").append(l).append('\n'));
        for (String pool : pools.keySet()) {
            b.append("---- scoreboard of pool ").append(pool).append(":\n");
            try {
                b.append("  ").append(header(pool)).append('\n');
                for (SlotSnapshot s : inUse(pool)) {
                    b.append(String.format("  slot %d pid %d gen %d stage %s requests %d accepted %d uri %s%n",
                            s.index(), s.pid(), s.generation(), s.stage(), s.requests(), s.acceptedTimeUs(), s.uri()));
                }
            } catch (RuntimeException e) {
                b.append("  unreadable: ").append(e).append('\n');
            }
            b.append("  live pids (log): ").append(livePids(pool)).append('\n');
        }
        return b.toString();
    }

    // ---- cleanup ----------------------------------------------------------------------------

    /** Stops jfpm (TERM, then KILL), kills any worker left, removes the scoreboard dir. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Set<Long> workers = knownWorkerPids();
        if (process.isAlive()) {
            Procs.signal(pid(), "CONT");
            Procs.signal(pid(), "TERM");
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        workers.addAll(knownWorkerPids());
        killWorkers(spec.scoreboardDir, workers);
        RUNNING.remove(this);
        try {
            logReader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            try {
                logWriter.close();
            } catch (IOException ignored) {
                // the log file is for humans; the test result does not depend on it
            }
            logWriter = null;
        }
        deleteTree(spec.scoreboardDir);
    }

    private Set<Long> knownWorkerPids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (String pool : pools.keySet()) {
            pids.addAll(startedPids(pool));
            try {
                inUse(pool).forEach(s -> pids.add(s.pid()));
            } catch (RuntimeException ignored) {
                // no scoreboard (not created yet, or already removed)
            }
        }
        pids.remove(0L);
        return pids;
    }

    /** The emergency path of the shutdown hook: KILL, no waiting. */
    private void kill() {
        process.destroyForcibly();
        killWorkers(spec.scoreboardDir, knownWorkerPids());
    }

    /**
     * SIGKILLs every live process that jfpm spawned for {@code scoreboardDir}: the given pids and any
     * process found by /proc scan, each checked by its environment (so a reused pid is never hit).
     */
    private static void killWorkers(Path scoreboardDir, Set<Long> known) {
        String marker = "JFPM_SCOREBOARD=" + scoreboardDir + "/";
        Set<Long> targets = new LinkedHashSet<>(known);
        targets.addAll(Procs.withEnviron(marker));
        List<Long> killed = new ArrayList<>();
        for (long pid : targets) {
            if (Procs.alive(pid) && Procs.environContains(pid, marker)) {
                Procs.signal(pid, "KILL");
                killed.add(pid);
            }
        }
        if (!killed.isEmpty()) {
            Poll.until(() -> killed.stream().noneMatch(Procs::alive), Duration.ofSeconds(5),
                    "killed leftover workers " + killed + " to die");
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + dir, e);
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
