package org.jfpm.supervisor;

import com.typesafe.config.Config;
import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.event.LoggingAdapter;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's scheduler for the master ({@code pekko.scheduler.implementation}): timers on one
 * {@link ScheduledThreadPoolExecutor} thread instead of Pekko's default wheel, which wakes every
 * {@code tick-duration} (10 ms) whether anything is due or not. This thread sleeps until the next task
 * is due: an idle master does not wake, and a delay is honoured to the OS timer's precision instead of
 * being rounded up to a tick.
 *
 * <p>The timer thread never runs a task: it hands it to the task's {@link ExecutionContext} (an actor's
 * dispatcher), as Pekko's scheduler does. A task refused by a terminated executor is dropped.
 * {@link #close()} (called by the actor system when it terminates) runs pending
 * {@link Scheduler.TaskRunOnClose} tasks on the calling thread and drops the rest; scheduling after it
 * throws {@link SchedulerException}.
 *
 * <p>Pekko creates it reflectively with the constructor {@code (Config, LoggingAdapter, ThreadFactory)}.
 */
public final class ExactScheduler implements Scheduler, Closeable {
    /** The finest recurring interval worth asking for, in Hz (1 ms); {@link #maxFrequency()}. */
    private static final double MAX_FREQUENCY = 1000.0;

    private final ScheduledThreadPoolExecutor timer;
    private final LoggingAdapter log;
    /** Pending {@link Scheduler.TaskRunOnClose} tasks: {@link #close()} runs them. */
    private final Set<Task> runOnClose = ConcurrentHashMap.newKeySet();

    public ExactScheduler(Config config, LoggingAdapter log, ThreadFactory threadFactory) {
        this.log = log;
        this.timer = new ScheduledThreadPoolExecutor(1, threadFactory);
        timer.setRemoveOnCancelPolicy(true); // a cancelled timer leaves the queue at once, not when due
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable scheduleOnce(FiniteDuration delay, Runnable runnable, ExecutionContext executor) {
        Task task = new Task(runnable, executor, true);
        return start(task, () -> timer.schedule(task, nanos(delay), TimeUnit.NANOSECONDS));
    }

    /** Fixed rate, as Pekko's: the n-th run is due at {@code initialDelay + n * interval}. */
    @Override
    public Cancellable schedule(FiniteDuration initialDelay, FiniteDuration interval, Runnable runnable,
                                ExecutionContext executor) {
        long period = nanos(interval);
        if (period <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        Task task = new Task(runnable, executor, false);
        return start(task, () -> timer.scheduleAtFixedRate(task, nanos(initialDelay), period, TimeUnit.NANOSECONDS));
    }

    @Override
    public double maxFrequency() {
        return MAX_FREQUENCY;
    }

    /** Stops the timer thread; runs the pending {@link Scheduler.TaskRunOnClose} tasks here, drops the rest. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (Task task : runOnClose) {
            if (task.claim()) {
                try {
                    task.runnable.run();
                } catch (SchedulerException ignored) {
                    // it tried to schedule again while the system terminates
                } catch (RuntimeException e) {
                    log.error(e, "exception while running a timer task on close");
                }
            }
        }
        runOnClose.clear();
    }

    private Cancellable start(Task task, Supplier<ScheduledFuture<?>> schedule) {
        if (task.runnable instanceof Scheduler.TaskRunOnClose) {
            runOnClose.add(task);
        }
        try {
            task.future = schedule.get();
        } catch (RejectedExecutionException e) {
            runOnClose.remove(task);
            throw new SchedulerException("cannot enqueue after timer shutdown");
        }
        if (task.isCancelled()) { // cancelled before the future was set
            task.future.cancel(false);
        }
        return task;
    }

    private static long nanos(FiniteDuration d) {
        return Math.max(0, d.toNanos());
    }

    /** The timer's task: hands the runnable to its executor; the {@link Cancellable} Pekko gets back. */
    private final class Task implements Runnable, Cancellable {
        private static final int PENDING = 0;
        private static final int CANCELLED = 1;
        private static final int RAN = 2; // a once-task that has been handed over

        final Runnable runnable;
        private final ExecutionContext executor;
        private final boolean once;
        private final AtomicInteger state = new AtomicInteger(PENDING);
        volatile ScheduledFuture<?> future;

        Task(Runnable runnable, ExecutionContext executor, boolean once) {
            this.runnable = runnable;
            this.executor = executor;
            this.once = once;
        }

        @Override
        public void run() {
            if (once ? !claim() : state.get() != PENDING) {
                return;
            }
            if (once) {
                runOnClose.remove(this);
            }
            try {
                executor.execute(runnable);
            } catch (RejectedExecutionException ignored) {
                // the dispatcher has shut down: the actor system is terminating
            }
        }

        /** Takes a once-task (or a periodic one on close) for running: true for exactly one caller. */
        boolean claim() {
            return state.compareAndSet(PENDING, RAN);
        }

        @Override
        public boolean cancel() {
            if (!state.compareAndSet(PENDING, CANCELLED)) {
                return false;
            }
            runOnClose.remove(this);
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }

        @Override
        public boolean isCancelled() {
            return state.get() == CANCELLED;
        }
    }
}
