package org.jfpm.os;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Spawns test children, watches each with one {@link Reaper}, and on {@link #close()} kills and
 * reaps whatever is still running, so no test leaves a process behind.
 */
final class Children implements AutoCloseable {
    final Spawner spawner = new Spawner();
    final Reaper reaper = new Reaper();
    private final List<ChildProcess> spawned = new ArrayList<>();
    private final List<CompletableFuture<ExitStatus>> exits = new ArrayList<>();

    record Spawned(ChildProcess child, CompletableFuture<ExitStatus> exit) {
        ExitStatus awaitExit() throws Exception {
            return exit.get(10, TimeUnit.SECONDS);
        }
    }

    Spawned spawn(SpawnSpec spec) {
        ChildProcess child = spawner.spawn(spec);
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        synchronized (this) {
            spawned.add(child);
            exits.add(exit);
        }
        reaper.watch(child, exit::complete);
        return new Spawned(child, exit);
    }

    Spawned spawn(String... argv) {
        return spawn(SpawnSpec.of(List.of(argv), Map.of("PATH", "/usr/bin:/bin")));
    }

    @Override
    public synchronized void close() {
        try {
            for (ChildProcess c : spawned) {
                c.signal(Signals.SIGKILL);
            }
            for (CompletableFuture<ExitStatus> e : exits) {
                e.get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError("cleaning up test children: " + e, e);
        } finally {
            reaper.close();
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
