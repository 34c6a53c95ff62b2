package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.Scheduler;
import org.apache.pekko.actor.SchedulerException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.event.NoLogging$;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scala.concurrent.ExecutionContext;
import scala.concurrent.duration.FiniteDuration;

class ExactSchedulerTest {
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ExecutionContext ec = ExecutionContext.fromExecutorService(pool);
    private final AtomicReference<Thread> timerThread = new AtomicReference<>();
    private final ExactScheduler scheduler = new ExactScheduler(ConfigFactory.empty(), NoLogging$.MODULE$, r -> {
        Thread t = new Thread(r, "test-timer");
        t.setDaemon(true);
        timerThread.set(t);
        return t;
    });

    @AfterEach
    void close() {
        scheduler.close();
        pool.shutdownNow();
    }

    private static FiniteDuration ms(long millis) {
        return FiniteDuration.create(millis, TimeUnit.MILLISECONDS);
    }

    @Test
    void aOnceTaskRunsOnItsExecutorNoEarlierThanItsDelay() throws Exception {
        LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();
        long start = System.nanoTime();
        scheduler.scheduleOnce(ms(30), () -> ran.add(Thread.currentThread().getName()), ec);
        String thread = ran.poll(10, TimeUnit.SECONDS);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(thread != null && !thread.equals("test-timer"), "ran on the executor, not the timer: " + thread);
        assertTrue(elapsedMs >= 30, "ran after " + elapsedMs + " ms, before its 30 ms delay");
    }

    @Test
    void aCancelledOnceTaskNeverRunsAndCancelSaysWhetherItWon() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Cancellable c = scheduler.scheduleOnce(ms(50), runs::incrementAndGet, ec);
        assertTrue(c.cancel());
        assertTrue(c.isCancelled());
        assertFalse(c.cancel(), "a second cancel does not win");
        CountDownLatch later = new CountDownLatch(1);
        scheduler.scheduleOnce(ms(100), later::countDown, ec);
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertEquals(0, runs.get());
    }

    @Test
    void cancelAfterTheRunReturnsFalse() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        Cancellable c = scheduler.scheduleOnce(ms(0), ran::countDown, ec);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        assertFalse(c.cancel());
        assertFalse(c.isCancelled());
    }

    @Test
    void aPeriodicTaskRepeatsUntilCancelled() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        Cancellable c = scheduler.schedule(ms(0), ms(5), () -> {
            runs.incrementAndGet();
            three.countDown();
        }, ec);
        assertTrue(three.await(10, TimeUnit.SECONDS));
        assertTrue(c.cancel());
        int afterCancel = runs.get();
        CountDownLatch later = new CountDownLatch(1);
        scheduler.scheduleOnce(ms(60), later::countDown, ec);
        assertTrue(later.await(10, TimeUnit.SECONDS));
        assertTrue(runs.get() <= afterCancel + 1, "at most one run already handed over: " + afterCancel + " -> " + runs.get());
    }

    @Test
    void aZeroIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> scheduler.schedule(ms(0), ms(0), () -> { }, ec));
    }

    @Test
    void closeRunsPendingRunOnCloseTasksAndRefusesNewOnes() {
        AtomicInteger onClose = new AtomicInteger();
        AtomicInteger plain = new AtomicInteger();
        scheduler.scheduleOnce(ms(60_000), (Scheduler.TaskRunOnClose) onClose::incrementAndGet, ec);
        scheduler.scheduleOnce(ms(60_000), plain::incrementAndGet, ec);
        Cancellable cancelled = scheduler.scheduleOnce(ms(60_000), (Scheduler.TaskRunOnClose) onClose::incrementAndGet, ec);
        cancelled.cancel();
        scheduler.close();
        assertEquals(1, onClose.get(), "the pending TaskRunOnClose ran, the cancelled one did not");
        assertEquals(0, plain.get());
        assertThrows(SchedulerException.class, () -> scheduler.scheduleOnce(ms(1), () -> { }, ec));
    }

    @Test
    void anIdleTimerThreadSleepsUntilTheNextTaskIsDue() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.scheduleOnce(ms(0), ran::countDown, ec);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
        Thread t = timerThread.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, t.getState(), "nothing due: parked without a timeout, no ticking");
    }

    @Test
    void anActorSystemConfiguredWithItFiresTypedTimers() {
        ActorSystem<String> system = ActorSystem.create(Behaviors.<String>setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startSingleTimer("tick", Duration.ofMillis(20));
            return Behaviors.receiveMessage(msg -> Behaviors.stopped());
        })), "exact", ConfigFactory.parseString(
                "pekko.scheduler.implementation = \"" + ExactScheduler.class.getName() + "\"\n"
                        + "pekko.loglevel = OFF\npekko.stdout-loglevel = OFF")
                .withFallback(ConfigFactory.defaultReference()));
        try {
            assertTrue(system.classicSystem().scheduler() instanceof ExactScheduler);
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the timer did not stop the actor within 10 s", e);
        } finally {
            system.terminate();
        }
    }
}
