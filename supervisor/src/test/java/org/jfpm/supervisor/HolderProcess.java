package org.jfpm.supervisor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The test side of a {@link PidFileHolder} JVM: start it, read its lines, tell it to close or crash. */
final class HolderProcess implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private HolderProcess(Process process) {
        this.process = process;
        this.reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the holder is gone
            }
        }, "pid-file-holder-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a holder of {@code pidFile} and returns once it has printed its first line (held or unavailable). */
    static HolderProcess start(Path pidFile) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), PidFileHolder.class.getName(), pidFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        HolderProcess h = new HolderProcess(p);
        h.await(() -> !h.lines.isEmpty(), () -> "the holder's first line");
        return h;
    }

    long pid() {
        return process.pid();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for a line equal to {@code line}. */
    void awaitLine(String line) {
        await(() -> lines.contains(line), () -> "line '" + line + "'");
    }

    /** Sends {@code command} ("close" or "crash") and waits for the holder to exit; returns its exit code. */
    int tell(String command) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        return awaitExit();
    }

    /** Waits for the holder to exit; returns its exit code. */
    int awaitExit() {
        await(() -> !process.isAlive(), () -> "the holder to exit");
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return process.exitValue();
    }

    private void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what.get()
                        + "; holder pid " + process.pid() + " alive " + process.isAlive() + ", lines " + lines);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
