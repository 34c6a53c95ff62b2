package org.jfpm.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** A FastCGI process manager under test (jfpm or PHP-FPM), started and stopped by the benchmark. */
interface FpmServer {

    /** "jfpm" or "php-fpm". */
    String name();

    Endpoint endpoint();

    /** Starts the master and returns once its socket listens. */
    void start(String runLabel) throws IOException;

    /** The master's pid (its children are the workers). */
    long pid();

    /** The master's log (and stderr). */
    String logTail(int lines);

    /** True while the master runs. */
    boolean alive();

    /** The master's exit status once it has exited, else -1. */
    int exitCode();

    /**
     * Rewrites the configuration with {@code env} as the pool's environment and sends the graceful
     * reload signal (jfpm: HUP; PHP-FPM: USR2). Returns without waiting for the reload.
     */
    void reload(Map<String, String> env) throws IOException;

    /** Sends the graceful stop signal (jfpm: TERM; PHP-FPM: QUIT). Returns without waiting. */
    void gracefulStop() throws IOException;

    /** Sends {@code signal} ("HUP", "TERM", ...) to the master with kill(1). */
    static void kill(FpmServer server, String signal) throws IOException {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("kill -" + signal + " " + server.pid() + " failed (exit " + p.exitValue() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending SIG" + signal, e);
        }
    }

    /** Stops the master and every worker. Idempotent. */
    void stop();

    /**
     * Polls {@code condition} every 10 ms until it holds, or fails after {@code timeout} (or at once
     * when the master has died), with the log tail in the message.
     */
    static void await(FpmServer server, String what, Duration timeout, BooleanSupplier alive, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException(server.name() + " exited while waiting for " + what
                        + "; log:\n" + server.logTail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(server.name() + ": no " + what + " after " + timeout.toMillis()
                        + " ms; log:\n" + server.logTail(30));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
