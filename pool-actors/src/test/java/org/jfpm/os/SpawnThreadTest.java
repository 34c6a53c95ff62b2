package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class SpawnThreadTest {

    @Test
    void aTaskThatThrowsDoesNotReplaceTheThread() throws Exception {
        try (SpawnThread spawn = new SpawnThread("test-spawner")) {
            List<Thread> ranOn = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            spawn.execute(() -> ranOn.add(Thread.currentThread()));
            spawn.execute(() -> {
                throw new IllegalStateException("boom");
            });
            spawn.execute(() -> {
                throw new AssertionError("an Error too");
            });
            spawn.execute(() -> {
                ranOn.add(Thread.currentThread());
                done.countDown();
            });
            assertTrue(done.await(10, TimeUnit.SECONDS), "the task after the failing ones ran");
            assertEquals(2, ranOn.size());
            assertEquals(ranOn.get(0), ranOn.get(1), "both on the same thread");
            assertEquals(spawn.thread(), ranOn.get(0));
            assertTrue(spawn.thread().isAlive());
            assertTrue(spawn.thread().isDaemon());
        }
    }

    @Test
    void anInterruptDoesNotEndTheThread() throws Exception {
        try (SpawnThread spawn = new SpawnThread("test-spawner")) {
            spawn.thread().interrupt();
            CountDownLatch done = new CountDownLatch(1);
            spawn.execute(done::countDown);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertTrue(spawn.thread().isAlive());
        }
    }

    @Test
    void closeRunsQueuedTasksThenEndsTheThreadAndRejectsNewOnes() throws Exception {
        SpawnThread spawn = new SpawnThread("test-spawner");
        List<Integer> order = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            spawn.execute(() -> order.add(n));
        }
        spawn.close();
        assertEquals(List.of(0, 1, 2, 3, 4), order);
        assertFalse(spawn.thread().isAlive());
        assertThrows(RejectedExecutionException.class, () -> spawn.execute(() -> { }));
        spawn.close();
    }
}
