package org.jfpm.scoreboard;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A worker process with a fresh listening socket on fd 0 (put there by {@code fd0_launcher.py},
 * since ProcessBuilder cannot), a clean environment and its output in a log file. Closing it kills
 * the process and waits for it.
 */
final class PreloadWorker implements AutoCloseable {
    static final String PYTHON = "/usr/bin/python3";
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;
    private final int port;

    private PreloadWorker(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code argv} on fd 0 = a listening socket on 127.0.0.1.
     *
     * @param preload the library for the worker's LD_PRELOAD, or null
     * @param env     the worker's environment besides PATH (and LD_PRELOAD)
     */
    static PreloadWorker start(Path dir, String name, Path preload, Map<String, String> env, String... argv)
            throws IOException, InterruptedException {
        Path portFile = dir.resolve(name + ".port");
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(PYTHON, resource("fd0_launcher.py").toString(), portFile.toString()));
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().putAll(env);
        if (preload != null) {
            pb.environment().put("JFPM_TEST_LD_PRELOAD", preload.toString());
        }
        Process p = pb.start();
        PreloadWorker w = new PreloadWorker(p, log, 0);
        try {
            w.await(() -> Files.exists(portFile) || !p.isAlive(), "port file " + portFile);
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + ": " + w.log());
            }
            return new PreloadWorker(p, log, Integer.parseInt(Files.readString(portFile).trim()));
        } catch (RuntimeException | Error e) {
            w.close();
            throw e;
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(PreloadWorker.class.getResource("/preload/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Polls {@code condition} every 2 ms until it holds; fails after {@link #DEADLINE} with {@code what} and the log. */
    void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what + "; worker log:\n" + log());
            }
            Thread.sleep(2);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("worker " + process.pid() + " did not die");
        }
    }
}
