package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.jfpm.scoreboard.Accounting;
import org.junit.jupiter.api.Test;

class SpawnModeTest {

    @Test
    void forkNeedsThePreloadLibraryAndExecNeverForks() {
        assertEquals(Optional.empty(), SpawnMode.AUTO.whyExec(Accounting.PRELOAD));
        assertEquals(Optional.empty(), SpawnMode.FORK.whyExec(Accounting.PRELOAD));
        assertEquals(Optional.of("accounting = sdk (forking needs the preload library)"), SpawnMode.AUTO.whyExec(Accounting.SDK));
        assertEquals(Optional.of("accounting = none (forking needs the preload library)"), SpawnMode.AUTO.whyExec(Accounting.NONE));
        assertEquals(Optional.of("spawn-mode = exec"), SpawnMode.EXEC.whyExec(Accounting.PRELOAD));
    }

    @Test
    void parsesCaseInsensitivelyAndRejectsTheRest() {
        assertEquals(Optional.of(SpawnMode.FORK), SpawnMode.parse(" Fork "));
        assertEquals(Optional.of(SpawnMode.AUTO), SpawnMode.parse("auto"));
        assertEquals(Optional.empty(), SpawnMode.parse("vfork"));
        assertEquals(Optional.empty(), SpawnMode.parse(null));
    }
}
