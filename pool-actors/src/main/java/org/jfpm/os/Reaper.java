package org.jfpm.os;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>With {@code reapAdopted} (jfpm is PID 1), the thread also wakes every second and reaps zombies it
 * adopted, never one it watches (see {@link AdoptedReaper}).
 *
 * <p>Callbacks run on the reaper thread and must be quick and non-blocking (e.g. tell an actor);
 * a {@link RuntimeException} from one is logged and does not stop the reaper. A failure of one
 * polling round is logged and the loop goes on; after {@value #MAX_FAILURES_IN_A_ROW} failed rounds
 * in a row, or on an {@link Error} (from a callback too), the thread dies and {@code onDeath} runs on
 * it with the cause: exits are no longer seen from then on, so the owner must act (the supervisor
 * kills every child, see {@link #killAll()}, and exits with status 1).
 */
public final class Reaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reaper.class);
    private static final int WNOHANG = 1;
    static final int MAX_FAILURES_IN_A_ROW = 10;
    private static final int ADOPTED_POLL_MILLIS = 1000;

    private record Watch(ChildProcess child, Consumer<ExitStatus> onExit) {
    }

    private final Waker waker = new Waker("reaper");
    private final ConcurrentLinkedQueue<Watch> pending = new ConcurrentLinkedQueue<>();
    /** Every child watched and not yet reaped (pending or polled), for {@link #killAll()}. */
    private final Map<Long, ChildProcess> live = new ConcurrentHashMap<>();
    private final Consumer<Throwable> onDeath;
    private final AdoptedReaper adopted;
    private final Thread thread;
    private volatile boolean closed;

    /** Reaper-thread state. */
    private final List<Watch> watched = new ArrayList<>();
    private final PollSet pollSet = new PollSet();
    private final Pointer status = Native.allocate(4);

    /** A reaper whose death is only logged (tests). */
    public Reaper() {
        this(false, t -> { });
    }

    /** @param onDeath runs once, on the dying reaper thread, if the thread dies (not on close) */
    public Reaper(Consumer<Throwable> onDeath) {
        this(false, onDeath);
    }

    /**
     * @param reapAdopted also reap adopted zombies (for PID 1), see {@link AdoptedReaper}
     * @param onDeath     runs once, on the dying reaper thread, if the thread dies (not on close)
     */
    public Reaper(boolean reapAdopted, Consumer<Throwable> onDeath) {
        this.onDeath = Objects.requireNonNull(onDeath, "onDeath");
        this.adopted = reapAdopted ? new AdoptedReaper() : null;
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
        live.put(child.pid(), child);
        pending.add(new Watch(child, onExit));
        waker.wake();
    }

    /**
     * SIGKILLs every child watched and not yet reaped (through its pidfd: never a recycled pid).
     * Callable from any thread, also after the reaper thread died. Returns how many were signalled.
     */
    public int killAll() {
        int killed = 0;
        for (ChildProcess child : live.values()) {
            try {
                if (child.signal(Signals.SIGKILL)) {
                    killed++;
                }
            } catch (RuntimeException e) {
                LOG.error("cannot SIGKILL pid {}", child.pid(), e);
            }
        }
        return killed;
    }

    /** True while the reaper thread runs (false after close or death). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    private void run() {
        ServiceLoop.run("reaper", LOG, MAX_FAILURES_IN_A_ROW, () -> closed, this::round, waker::close, onDeath);
    }

    /** One poll and what it found. Keeps {@code watched} intact if it throws before reaping. */
    private void round() {
        for (Watch w; (w = pending.poll()) != null; ) {
            watched.add(w);
        }
        pollSet.clear();
        pollSet.add(waker.fd(), PollSet.POLLIN);
        for (Watch w : watched) {
            pollSet.add(w.child().pidfd(), PollSet.POLLIN);
        }
        pollSet.poll(adopted == null ? -1 : ADOPTED_POLL_MILLIS, "reaper");
        if (pollSet.revents(0) != 0) {
            waker.drain();
        }
        List<Watch> polled = List.copyOf(watched);
        for (int i = 0; i < polled.size(); i++) {
            int revents = pollSet.revents(i + 1);
            if (revents != 0 && reap(polled.get(i), revents)) {
                watched.remove(polled.get(i));
            }
        }
        if (adopted != null) {
            adopted.reapAdopted();
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
            live.remove(child.pid(), child);
            return true;
        } else {
            NativeException e = Native.failure("waitpid(pid " + pid + ")");
            exit = new ExitStatus.Unknown(e.getMessage());
            LOG.error("cannot collect the exit status of pid {}", pid, e);
        }
        child.markReaped();
        live.remove(child.pid(), child);
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
