package org.jfpm.os;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread every worker is spawned from ({@code jfpm-spawner}, a daemon): tasks run in
 * submission order; a task that throws anything (even an {@link Error}) is logged and the thread goes
 * on with the next one. It never exits until {@link #close()}.
 *
 * <p>Why it matters: a child's {@code PR_SET_PDEATHSIG} (armed by {@code jfpm-launch}) fires when the
 * <b>thread</b> that spawned it exits, not the process. An {@code Executors.newSingleThreadExecutor}
 * replaces its thread after a task throws, and the old thread's exit would SIGKILL every worker it had
 * spawned. Close it only after the last worker is gone, for the same reason.
 */
public final class SpawnThread implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpawnThread.class);
    private static final Runnable STOP = () -> { };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    public SpawnThread() {
        this("jfpm-spawner");
    }

    public SpawnThread(String name) {
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues {@code task}.
     *
     * @throws RejectedExecutionException once closed
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closed) {
            throw new RejectedExecutionException("spawn thread is closed");
        }
        queue.add(task);
    }

    /** The thread tasks run on (for tests and diagnostics). */
    public Thread thread() {
        return thread;
    }

    private void run() {
        while (true) {
            Runnable task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                continue; // only close() ends this thread
            }
            if (task == STOP) {
                return;
            }
            try {
                task.run();
            } catch (Throwable t) { // NOPMD: the thread must outlive any task; see the class comment
                LOG.error("spawn task failed; the spawn thread goes on", t);
            }
        }
    }

    /**
     * Lets the tasks already queued run, then ends the thread and waits for it. Idempotent. Workers
     * spawned from it with a death signal are killed by the kernel once it has exited.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        if (Thread.currentThread() != thread) {
            Threads.joinUninterruptibly(thread);
        }
    }
}
