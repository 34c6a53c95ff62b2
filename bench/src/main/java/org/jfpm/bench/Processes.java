package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every process a benchmark starts, so that all of them are stopped at the end, also on failure and
 * on Ctrl-C (a shutdown hook): servers (nginx, php-fpm, jfpm) started here, and the workers they
 * spawned, adopted by pid as they are seen (jfpm's workers have process groups of their own and
 * would outlive a killed jfpm). Workers are held as {@link ProcessHandle}s, which remember the start
 * time, so a recycled pid is never killed.
 */
final class Processes implements AutoCloseable {

    /** A started program, with its output in a log file. */
    static final class Started {
        private final String name;
        private final Process process;
        private final Path log;

        private Started(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        Path log() {
            return log;
        }

        /** The exit status once the program has exited, else -1. */
        int exitCode() {
            return process.isAlive() ? -1 : process.exitValue();
        }

        /**
         * SIGTERM, then SIGKILL after {@code grace}; the descendants seen before the signal are
         * killed too if they outlive it.
         */
        void stop(Duration grace) {
            List<ProcessHandle> descendants = process.descendants().toList();
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                        System.err.println("[bench] " + name + " (pid " + pid() + ") still alive " + grace.toMillis()
                                + " ms after SIGTERM; sending SIGKILL");
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
            killAll(descendants);
        }

        /** The last {@code lines} lines of the log, for error messages. */
        String tail(int lines) {
            try {
                List<String> all = Files.readAllLines(log);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }

        @Override
        public String toString() {
            return name + " (pid " + pid() + ")";
        }
    }

    private final List<Started> started = new CopyOnWriteArrayList<>();
    private final Set<ProcessHandle> adopted = ConcurrentHashMap.newKeySet();
    private final List<Runnable> afterStop = new CopyOnWriteArrayList<>();
    private final Thread hook = new Thread(this::stopAll, "bench-cleanup");

    Processes() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code command} with stdout and stderr appended to {@code log}. */
    Started start(String name, List<String> command, Path log, Map<String, String> extraEnv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(extraEnv);
        Started s = new Started(name, pb.start(), log);
        started.add(s);
        return s;
    }

    /** Remembers a process (a worker) to kill at the end if it is still alive then. */
    void adopt(long pid) {
        ProcessHandle.of(pid).ifPresent(adopted::add);
    }

    /** Runs {@code action} once every process has been stopped, at {@link #close()} or in the shutdown hook. */
    void afterStop(Runnable action) {
        afterStop.add(action);
    }

    /** Stops one started program now (see {@link Started#stop}). */
    void stop(Started s, Duration grace) {
        s.stop(grace);
        started.remove(s);
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }

    private synchronized void stopAll() {
        List<Started> all = new ArrayList<>(started);
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).stop(Duration.ofSeconds(10));
        }
        started.clear();
        killAll(adopted);
        adopted.clear();
        for (Runnable r : afterStop) {
            r.run();
        }
        afterStop.clear();
    }

    private static void killAll(Iterable<ProcessHandle> handles) {
        List<ProcessHandle> killed = new ArrayList<>();
        for (ProcessHandle h : handles) {
            if (h.isAlive() && h.destroyForcibly()) {
                killed.add(h);
            }
        }
        for (ProcessHandle h : killed) {
            System.err.println("[bench] killed leftover process " + h.pid());
        }
    }
}
