package org.jfpm.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

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
    private volatile boolean closed;

    public ReadinessWatcher() {
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

    private void run() {
        try {
            while (!closed) {
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
        } catch (RuntimeException | Error e) {
            LOG.error("readiness watcher thread died; listening sockets are no longer watched", e);
            throw e;
        } finally {
            waker.close();
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
