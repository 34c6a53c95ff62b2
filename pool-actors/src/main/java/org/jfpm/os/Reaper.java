package org.jfpm.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the exit status of watched children: one daemon thread {@code jfpm-reaper} polls every
 * watched pidfd plus an eventfd (for new watches and close). When a pidfd becomes readable it calls
 * {@code waitpid(pid, WNOHANG)} for <b>that pid only</b> (never {@code waitpid(-1)}, which would steal
 * exit codes from any {@code ProcessBuilder} in the JVM), marks the {@link ChildProcess} reaped
 * (closing its pidfd, so later signals are no-ops) and then runs the callback.
 *
 * <p>Callbacks run on the reaper thread and must be quick and non-blocking (e.g. tell an actor);
 * an exception from one is logged and does not stop the reaper.
 */
public final class Reaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    private static final int WNOHANG = 1;

    private record Watch(ChildProcess child, Consumer<ExitStatus> onExit) {
    }

    private final Waker waker = new Waker("reaper");
    private final ConcurrentLinkedQueue<Watch> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    /** Reaper-thread state. */
    private final List<Watch> watched = new ArrayList<>();
    private final PollSet pollSet = new PollSet();
    private final Pointer status = Native.allocate(4);

    public Reaper() {
        thread = new Thread(this::run, "jfpm-reaper");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Watches {@code child}; {@code onExit} runs once, on the reaper thread, after the child has
     * been reaped. A child that already exited is reaped right away.
     *
     * @throws IllegalStateException if the reaper is closed, or the child is already watched or reaped
     */
    public void watch(ChildProcess child, Consumer<ExitStatus> onExit) {
        Objects.requireNonNull(child, "child");
        Objects.requireNonNull(onExit, "onExit");
        if (closed) {
            throw new IllegalStateException("reaper is closed; cannot watch pid " + child.pid());
        }
        if (!child.claimWatch()) {
            throw new IllegalStateException("pid " + child.pid() + " is already watched or was already reaped");
        }
        pending.add(new Watch(child, onExit));
        waker.wake();
    }

    private void run() {
        try {
            while (!closed) {
                for (Watch w; (w = pending.poll()) != null; ) {
                    watched.add(w);
                }
                pollSet.clear();
                pollSet.add(waker.fd(), PollSet.POLLIN);
                for (Watch w : watched) {
                    pollSet.add(w.child().pidfd(), PollSet.POLLIN);
                }
                pollSet.poll(-1, "reaper");
                if (pollSet.revents(0) != 0) {
                    waker.drain();
                }
                List<Watch> polled = List.copyOf(watched);
                watched.clear();
                for (int i = 0; i < polled.size(); i++) {
                    int revents = pollSet.revents(i + 1);
                    if (revents == 0 || !reap(polled.get(i), revents)) {
                        watched.add(polled.get(i));
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("reaper thread died; children are no longer reaped", e);
            throw e;
        } finally {
            waker.close();
        }
    }

    /** Returns true if the watch is finished. */
    private boolean reap(Watch w, int revents) {
        ChildProcess child = w.child();
        int pid = (int) child.pid();
        int r;
        do {
            r = Native.libc().waitpid(pid, status, WNOHANG);
        } while (r < 0 && Native.errno() == Native.EINTR);
        ExitStatus exit;
        if (r == pid) {
            exit = ExitStatus.decode(status.getInt(0));
        } else if (r == 0) {
            if ((revents & PollSet.POLLNVAL) == 0) {
                return false;
            }
            LOG.error("pidfd {} of pid {} was closed behind the reaper's back; no longer watching it", child.pidfd(), pid);
            return true;
        } else {
            NativeException e = Native.failure("waitpid(pid " + pid + ")");
            exit = new ExitStatus.Unknown(e.getMessage());
            LOG.error("cannot collect the exit status of pid {}", pid, e);
        }
        child.markReaped();
        try {
            w.onExit().accept(exit);
        } catch (RuntimeException e) {
            LOG.error("exit callback for pid {} failed", pid, e);
        }
        return true;
    }

    /**
     * Stops the reaper thread and waits for it. Children still watched are left as they are
     * (unreaped, their pidfds open). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        waker.wake();
        if (Thread.currentThread() != thread) {
            Threads.joinUninterruptibly(thread);
        }
    }
}
