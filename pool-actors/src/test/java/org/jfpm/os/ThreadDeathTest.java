package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

/**
 * When the reaper or readiness thread really dies (an {@link Error}), its {@code onDeath} callback
 * runs with the cause; {@link Reaper#killAll()} still kills what was watched; a RuntimeException in a
 * callback is survived.
 */
class ThreadDeathTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aReaperThatDiesCallsOnDeathAndCanStillKillEveryWatchedChild() throws Exception {
        CompletableFuture<Throwable> death = new CompletableFuture<>();
        Reaper reaper = new Reaper(death::complete);
        Spawner spawner = new Spawner();
        ChildProcess sleeper = spawner.spawn(SpawnSpec.of(List.of("sleep", "30"), Map.of("PATH", "/usr/bin:/bin")));
        reaper.watch(sleeper, st -> { });
        AtomicInteger runtimeFailures = new AtomicInteger();
        ChildProcess survivable = spawner.spawn(SpawnSpec.of(List.of("/bin/true"), Map.of()));
        reaper.watch(survivable, st -> {
            runtimeFailures.incrementAndGet();
            throw new IllegalStateException("survived");
        });
        Await.until(WAIT, () -> survivable.reaped(), () -> "the first child reaped");
        assertTrue(reaper.isRunning(), "a RuntimeException from a callback does not kill the reaper");

        Error boom = new AssertionError("callback error");
        ChildProcess fatal = spawner.spawn(SpawnSpec.of(List.of("/bin/true"), Map.of()));
        reaper.watch(fatal, st -> {
            throw boom;
        });
        assertSame(boom, death.get(WAIT.toSeconds(), TimeUnit.SECONDS), "onDeath gets the cause");
        Await.until(WAIT, () -> !reaper.isRunning(), () -> "the reaper thread is gone");

        assertEquals(1, reaper.killAll(), "the sleeper is still watched and gets SIGKILL");
        Await.until(WAIT, sleeper::hasExited, () -> "the sleeper died of the SIGKILL");
        Pointer status = Native.allocate(4);
        assertEquals((int) sleeper.pid(), Native.libc().waitpid((int) sleeper.pid(), status, 0));
        assertEquals(new ExitStatus.Signaled(Signals.SIGKILL, false), ExitStatus.decode(status.getInt(0)));
        assertEquals(1, runtimeFailures.get());
        reaper.close();
    }

    @Test
    void aReadinessWatcherThatDiesCallsOnDeath() throws Exception {
        CompletableFuture<Throwable> death = new CompletableFuture<>();
        ReadinessWatcher watcher = new ReadinessWatcher(death::complete);
        try (ListenSocket socket = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
             Socket client = new Socket()) {
            AtomicInteger fired = new AtomicInteger();
            watcher.arm(socket.fd(), () -> {
                fired.incrementAndGet();
                throw new IllegalStateException("survived");
            });
            client.connect(new InetSocketAddress("127.0.0.1", socket.boundPort()), 5000);
            Await.until(WAIT, () -> fired.get() == 1, () -> "the first callback ran");
            assertTrue(watcher.isRunning(), "a RuntimeException from a callback does not kill the watcher");
            Error boom = new AssertionError("callback error");
            watcher.arm(socket.fd(), () -> {
                throw boom;
            });
            assertSame(boom, death.get(WAIT.toSeconds(), TimeUnit.SECONDS), "onDeath gets the cause");
            Await.until(WAIT, () -> !watcher.isRunning(), () -> "the watcher thread is gone");
        } finally {
            watcher.close();
        }
        assertFalse(watcher.isRunning());
    }
}
