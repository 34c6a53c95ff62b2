package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jfpm.os.ChildProcess;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.Reaper;
import org.jfpm.os.SpawnSpec;
import org.jfpm.os.Spawner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exactly one side kills a child spawned for a cancelled ticket (real processes). */
class SpawnTicketTest {

    private final Reaper reaper = new Reaper();

    @AfterEach
    void close() {
        reaper.close();
    }

    private ChildProcess sleeper() {
        ChildProcess p = new Spawner().spawn(new SpawnSpec(List.of("sleep", "60"), Map.of("PATH", "/usr/bin:/bin"),
                -1, -1, -1, null, List.of()));
        return p;
    }

    private static ExitStatus awaitExit(java.util.concurrent.CompletableFuture<ExitStatus> f) throws Exception {
        return f.get(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Test
    void cancelAfterCompleteKillsTheChild() throws Exception {
        SpawnTicket t = new SpawnTicket(0, 1);
        ChildProcess p = sleeper();
        var exit = new java.util.concurrent.CompletableFuture<ExitStatus>();
        reaper.watch(p, exit::complete);
        assertTrue(t.complete(p));
        t.cancel();
        assertTrue(t.cancelled());
        assertTrue(awaitExit(exit) instanceof ExitStatus.Signaled, "killed");
    }

    @Test
    void completeAfterCancelKillsTheChildAndSaysSo() throws Exception {
        SpawnTicket t = new SpawnTicket(0, 1);
        t.cancel();
        ChildProcess p = sleeper();
        var exit = new java.util.concurrent.CompletableFuture<ExitStatus>();
        reaper.watch(p, exit::complete);
        assertFalse(t.complete(p));
        assertTrue(awaitExit(exit) instanceof ExitStatus.Signaled, "killed");
    }
}
