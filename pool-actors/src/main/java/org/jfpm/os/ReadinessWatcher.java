package org.jfpm.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when a listening socket has a connection waiting, without accepting it and without
 * touching the fd's flags (it stays blocking for the workers). One daemon thread
 * {@code jfpm-readiness} polls the armed fds for POLLIN plus an eventfd.
 *
 * <p>Arming is <b>one-shot</b>: when an armed fd polls readable it is taken out of the set and its
 * callback runs once; the caller acts (e.g. checks {@link ListenSocket#queueLength()}, spawns) and
 * then re-arms. A listening socket is level-triggered, so staying armed would be a busy loop.
 *
 * <p>Callbacks run on the watcher thread and must be quick (e.g. tell an actor). After
 * {@link #disarm} returns, the callback of that arming will not start (one already running may
 * finish). Disarm an fd before closing it.
 *
 * <p>A {@link RuntimeException} from a callback is logged; a failed polling round is logged and the
 * loop goes on. After {@value #MAX_FAILURES_IN_A_ROW} failed rounds in a row, or on an {@link Error}
 * (from a callback too), the thread dies and {@code onDeath} runs on it with the cause.
 */
public final class ReadinessWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadinessWatcher.class);

    /**
     * One arming of one fd by one owner: the handle to {@link #disarm} it with. Armings are keyed by
     * identity, not by fd, so two owners (e.g. two generations of a pool, or a removed pool and its
     * successor) may watch the same socket without disarming each other.
     */
    public static final class Arming {
        final int fd;
        final Runnable onReadable;

        Arming(int fd, Runnable onReadable) {
            this.fd = fd;
            this.onReadable = onReadable;
        }

        public int fd() {
            return fd;
        }
    }

    private final Set<Arming> armed = ConcurrentHashMap.newKeySet();
    private final Waker waker = new Waker("readiness");
    private final PollSet pollSet = new PollSet();
    private final Thread thread;
    private final Consumer<Throwable> onDeath;
    private volatile boolean closed;
    static final int MAX_FAILURES_IN_A_ROW = 10;

    /** A watcher whose death is only logged (tests). */
    public ReadinessWatcher() {
        this(t -> { });
    }

    /** @param onDeath runs once, on the dying watcher thread, if the thread dies (not on close) */
    public ReadinessWatcher(Consumer<Throwable> onDeath) {
        this.onDeath = Objects.requireNonNull(onDeath, "onDeath");
        thread = new Thread(this::run, "jfpm-readiness");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs {@code onReadable} once, on the watcher thread, when {@code fd} has a connection
     * waiting (immediately if one already is).
     *
     * @return the handle that {@link #disarm} takes
     */
    public Arming arm(int fd, Runnable onReadable) {
        Objects.requireNonNull(onReadable, "onReadable");
        if (closed) {
            throw new IllegalStateException("readiness watcher is closed; cannot arm fd " + fd);
        }
        Arming a = new Arming(fd, onReadable);
        armed.add(a);
        waker.wake();
        return a;
    }

    /** Takes this arming out of the set; a no-op if it has fired or was disarmed. */
    public void disarm(Arming arming) {
        if (arming != null && armed.remove(arming)) {
            waker.wake();
        }
    }

    /** True while the watcher thread runs (false after close or death). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        ServiceLoop.run("readiness watcher", LOG, MAX_FAILURES_IN_A_ROW, () -> closed, this::round, waker::close, onDeath);
    }

    /** One poll and the callbacks it fires. */
    private void round() {
        List<Arming> polled = new ArrayList<>(armed);
        pollSet.clear();
        pollSet.add(waker.fd(), PollSet.POLLIN);
        for (Arming a : polled) {
            pollSet.add(a.fd, PollSet.POLLIN);
        }
        pollSet.poll(-1, "readiness");
        if (pollSet.revents(0) != 0) {
            waker.drain();
        }
        for (int i = 0; i < polled.size(); i++) {
            int revents = pollSet.revents(i + 1);
            Arming a = polled.get(i);
            if (revents != 0 && !closed && armed.remove(a)) {
                fire(a, revents);
            }
        }
    }

    private static void fire(Arming a, int revents) {
        if ((revents & PollSet.POLLNVAL) != 0) {
            LOG.error("fd {} was closed while armed in the readiness watcher; disarmed it", a.fd);
            return;
        }
        try {
            a.onReadable.run();
        } catch (RuntimeException e) {
            LOG.error("readiness callback for fd {} failed", a.fd, e);
        }
    }

    /** Stops the watcher thread and waits for it; armed callbacks never run. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        armed.clear();
        waker.wake();
        if (Thread.currentThread() != thread) {
            Threads.joinUninterruptibly(thread);
        }
    }
}
