package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ReaperTest {
    private Children children;

    @BeforeEach
    void setUp() {
        children = new Children();
    }

    @AfterEach
    void tearDown() {
        children.close();
    }

    /** Child i exits with code i*5 % 256, except every 7th kills itself (TERM, or SEGV with no core). */
    private static ExitStatus expected(int i) {
        if (i % 7 == 3) {
            return new ExitStatus.Signaled(i % 2 == 0 ? Signals.SIGTERM : Signals.SIGSEGV, false);
        }
        return new ExitStatus.Exited(i * 5 % 256);
    }

    private static String script(int i) {
        if (i % 7 == 3) {
            return "ulimit -c 0; kill -" + (i % 2 == 0 ? "TERM" : "SEGV") + " $$";
        }
        return "exit " + (i * 5 % 256);
    }

    @RepeatedTest(3)
    void reapsFiftyFastExitingChildrenWithTheRightStatusWhileProcessBuilderKeepsItsOwn() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger processBuilderRuns = new AtomicInteger();
        AtomicReference<String> processBuilderError = new AtomicReference<>();
        Thread jdk = new Thread(() -> {
            try {
                while (!stop.get() || processBuilderRuns.get() < 5) {
                    int code = new ProcessBuilder("sh", "-c", "sleep 0.01; exit 7").start().waitFor();
                    if (code != 7) {
                        processBuilderError.set("ProcessBuilder child exited " + code + ", expected 7");
                    }
                    processBuilderRuns.incrementAndGet();
                }
            } catch (Exception e) {
                processBuilderError.set(e.toString());
            }
        }, "process-builder");
        jdk.start();
        List<CompletableFuture<ExitStatus>> exits = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                exits.add(children.spawn("/bin/sh", "-c", script(i)).exit());
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(expected(i), exits.get(i).get(10, TimeUnit.SECONDS), "child " + i + ": " + script(i));
            }
        } finally {
            stop.set(true);
            jdk.join(20_000);
        }
        assertFalse(jdk.isAlive());
        assertEquals(null, processBuilderError.get());
        assertTrue(processBuilderRuns.get() >= 5);
    }

    @Test
    void watchesHundredsOfLiveChildrenAtOnce() throws Exception {
        List<Children.Spawned> live = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            live.add(children.spawn("sleep", "30"));
        }
        for (Children.Spawned s : live) {
            assertFalse(s.exit().isDone(), "pid " + s.child().pid() + " is still running");
            assertTrue(s.child().signal(Signals.SIGKILL));
        }
        for (Children.Spawned s : live) {
            assertEquals(new ExitStatus.Signaled(9, false), s.awaitExit());
            assertTrue(s.child().reaped());
        }
    }

    @Test
    void aReapedChildCannotBeSignaledOrWatchedAgain() throws Exception {
        var s = children.spawn("/bin/sh", "-c", "exit 0");
        assertEquals(new ExitStatus.Exited(0), s.awaitExit());
        assertTrue(s.child().reaped());
        assertTrue(s.child().hasExited());
        assertFalse(s.child().signal(Signals.SIGKILL));
        assertThrows(IllegalStateException.class, () -> children.reaper.watch(s.child(), st -> { }));
    }

    @Test
    void aChildIsWatchedOnlyOnce() {
        var s = children.spawn("sleep", "30");
        var e = assertThrows(IllegalStateException.class, () -> children.reaper.watch(s.child(), st -> { }));
        assertTrue(e.getMessage().contains("already watched"), e.getMessage());
    }

    @Test
    void aFailingCallbackDoesNotStopTheReaper() throws Exception {
        ChildProcess first = children.spawner.spawn(SpawnSpec.of(List.of("/bin/true"), Map.of()));
        CompletableFuture<Void> thrown = new CompletableFuture<>();
        children.reaper.watch(first, st -> {
            thrown.complete(null);
            throw new IllegalStateException("callback failure (expected by the test)");
        });
        thrown.get(10, TimeUnit.SECONDS);
        var second = children.spawn("/bin/sh", "-c", "exit 4");
        assertEquals(new ExitStatus.Exited(4), second.awaitExit());
        assertTrue(first.reaped());
    }

    @Test
    void aClosedReaperRefusesNewWatches() {
        Reaper reaper = new Reaper();
        reaper.close();
        reaper.close();
        var s = children.spawn("sleep", "30");
        assertTrue(s.child().signal(Signals.SIGKILL));
        var e = assertThrows(IllegalStateException.class, () -> reaper.watch(s.child(), st -> { }));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
