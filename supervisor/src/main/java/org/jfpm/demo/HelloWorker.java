package org.jfpm.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channel;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jfpm.scoreboard.SlotWriter;
import sun.misc.Signal;

/**
 * The demo pool's worker: a tiny HTTP/1.1 server on the listening socket inherited as fd 0 (TCP or
 * unix), serving one connection at a time like php-cgi, each with {@code Connection: close}.
 * {@code GET /anything} answers {@code Hello from jfpm worker <pid> (pool <JFPM_POOL>, slot <JFPM_SLOT>,
 * request <n>)}; {@code /sleep?ms=N} sleeps N ms first (a busy worker for tests). It reports its request
 * stages through the worker SDK ({@link SlotWriter}; a no-op outside jfpm).
 *
 * <p>SIGTERM (and SIGINT) stop it gracefully: no new accept, the current request is finished, exit 0.
 *
 * <p>Recommended JVM flags for a fast start in little memory:
 * {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx32m -Xss512k -Xshare:auto -XX:-UsePerfData}.
 */
public final class HelloWorker {

    /** A client must send its request head within this time. */
    static final long READ_TIMEOUT_MS = 10_000;
    /** Longest {@code /sleep}. */
    static final long MAX_SLEEP_MS = 600_000;
    /** What the scoreboard shows as the request's script. */
    static final String SCRIPT = "org.jfpm.demo.HelloWorker";

    private final ServerSocketChannel server;
    private final SlotWriter slot;
    private final String greeting;
    private final long readTimeoutMs;
    private final ScheduledExecutorService watchdog;
    private volatile boolean stopping;
    private long requests;

    /**
     * @param server a blocking listening channel; closed by {@link #stop()}
     * @param slot   the scoreboard slot writer (or the SDK's no-op writer)
     * @param pool   the pool name shown in answers
     * @param slotId the slot shown in answers
     */
    HelloWorker(ServerSocketChannel server, SlotWriter slot, String pool, String slotId) {
        this(server, slot, pool, slotId, READ_TIMEOUT_MS);
    }

    HelloWorker(ServerSocketChannel server, SlotWriter slot, String pool, String slotId, long readTimeoutMs) {
        this.server = server;
        this.readTimeoutMs = readTimeoutMs;
        this.slot = slot;
        this.greeting = "Hello from jfpm worker " + ProcessHandle.current().pid() + " (pool " + pool + ", slot "
                + slotId + ", request ";
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Executors.defaultThreadFactory().newThread(r);
            t.setName("read-timeout");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.watchdog = timer;
    }

    public static void main(String[] args) {
        Channel inherited;
        try {
            inherited = System.inheritedChannel();
        } catch (IOException e) {
            inherited = null;
        }
        if (!(inherited instanceof ServerSocketChannel server)) {
            System.err.println("HelloWorker: fd 0 is not a listening socket (" + inherited
                    + "); jfpm starts this worker with the pool's socket as fd 0");
            System.exit(1);
            return;
        }
        int status = 0;
        try (SlotWriter slot = SlotWriter.fromEnvironment()) {
            HelloWorker worker = new HelloWorker(server, slot, env("JFPM_POOL"), env("JFPM_SLOT"));
            Signal.handle(new Signal("TERM"), s -> worker.stop());
            Signal.handle(new Signal("INT"), s -> worker.stop());
            worker.serve();
        } catch (IOException | RuntimeException e) {
            System.err.println("HelloWorker: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? "-" : v;
    }

    /** Accepts and serves connections one at a time until {@link #stop()}; returns after the current request. */
    void serve() throws IOException {
        try {
            while (!stopping) {
                slot.accepting();
                SocketChannel connection;
                try {
                    connection = server.accept();
                } catch (ClosedChannelException e) {
                    if (stopping) {
                        return;
                    }
                    throw e;
                }
                if (connection != null) {
                    serve(connection);
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
    }

    /**
     * Stops accepting: closes this process's copy of the listening socket (the pool's socket stays open
     * in jfpm and the other workers), which ends a blocked {@code accept}. Safe from any thread, e.g. a
     * signal handler.
     */
    void stop() {
        stopping = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing is best effort: the accept loop ends on the flag anyway
        }
    }

    long requests() {
        return requests;
    }

    private void serve(SocketChannel connection) {
        slot.accepted();
        long n = ++requests;
        try (connection) {
            InputStream in = Channels.newInputStream(connection);
            OutputStream out = Channels.newOutputStream(connection);
            HelloHttp.Request request;
            ScheduledFuture<?> timeout = watchdog.schedule(() -> closeQuietly(connection), readTimeoutMs,
                    TimeUnit.MILLISECONDS);
            try {
                request = HelloHttp.read(in);
            } catch (HelloHttp.BadRequest e) {
                slot.executing();
                HelloHttp.respond(out, e.status, e.getMessage() + "\n");
                return;
            } finally {
                timeout.cancel(false);
            }
            if (request == null) {
                return;
            }
            slot.requestInfo(request.method(), request.path(), request.query(), SCRIPT, request.contentLength(), "");
            slot.executing();
            if (request.path().equals("/sleep")) {
                long ms = sleepMillis(request.query());
                if (ms < 0) {
                    HelloHttp.respond(out, 400, "expected /sleep?ms=N with N between 0 and " + MAX_SLEEP_MS + "\n");
                    return;
                }
                sleep(ms);
            }
            HelloHttp.respond(out, 200, greeting + n + ")\n");
        } catch (IOException e) {
            // the client went away or timed out: nothing to answer
        } finally {
            slot.finished();
        }
    }

    /** N of {@code ms=N}, or -1 when missing or out of range. */
    static long sleepMillis(String query) {
        String v = HelloHttp.queryParam(query, "ms");
        try {
            long ms = v == null ? -1 : Long.parseLong(v);
            return ms >= 0 && ms <= MAX_SLEEP_MS ? ms : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Sleeps the full time; a stop request waits for the request to finish, as a graceful stop should. */
    private static void sleep(long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        boolean interrupted = false;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
