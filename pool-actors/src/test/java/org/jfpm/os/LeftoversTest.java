package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leftover detection from /proc (environment + start time) and the scoreboard-dir lock, on real processes. */
class LeftoversTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killAll() {
        started.forEach(Process::destroyForcibly);
    }

    private Process sleeper(String scoreboard) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sleep", "300");
        pb.environment().put("JFPM_SCOREBOARD", scoreboard);
        Process p = pb.start();
        started.add(p);
        Await.until(WAIT, () -> Leftovers.scoreboardOf(p.pid()).isPresent(), () -> "sleep " + p.pid() + " exec'd");
        return p;
    }

    @Test
    void claimsOnlyProcessesWhoseScoreboardIsExactlyInTheDirAndThatStartedBefore() throws Exception {
        Path sbDir = Files.createDirectory(dir.resolve("sb"));
        Process inside = sleeper(sbDir + "/jfpm-www.scoreboard");
        Process sibling = sleeper(sbDir + "x/jfpm-www.scoreboard"); // a string prefix, another directory
        Process deeper = sleeper(sbDir + "/sub/jfpm-www.scoreboard");
        long late = Leftovers.startTime(inside.pid()).orElseThrow();
        assertTrue(Leftovers.claims(inside.pid(), sbDir, Long.MAX_VALUE));
        assertFalse(Leftovers.claims(sibling.pid(), sbDir, Long.MAX_VALUE), "same string prefix, other dir");
        assertFalse(Leftovers.claims(deeper.pid(), sbDir, Long.MAX_VALUE), "a subdirectory is not the dir");
        assertFalse(Leftovers.claims(inside.pid(), sbDir, late - 1), "started later than the master");
        assertTrue(Leftovers.claims(inside.pid(), sbDir, late), "in the master's own tick: a leftover made just before it");
        assertTrue(Leftovers.startTime(ProcFs.selfPid()).orElseThrow() <= late);
        // from this JVM's point of view they all started after it: none is a leftover of ours
        assertEquals(List.of(), Leftovers.find(sbDir));
    }

    @Test
    void removesOnlyScoreboardFiles() throws Exception {
        Path stale = Files.writeString(dir.resolve("jfpm-www.scoreboard"), "old");
        Path other = Files.writeString(dir.resolve("notes.txt"), "keep");
        Path lock = Files.writeString(dir.resolve(DirLock.FILE_NAME), "");
        assertEquals(List.of(stale), Leftovers.removeStaleScoreboards(dir));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(other));
        assertTrue(Files.exists(lock));
    }

    @Test
    void theDirLockIsExclusiveAcrossOpensAndProcessesAndReleasedOnClose() throws Exception {
        try (DirLock lock = DirLock.acquire(dir)) {
            IOException e = assertThrows(IOException.class, () -> DirLock.acquire(dir));
            assertTrue(e.getMessage().contains("another jfpm is running on scoreboard-dir"), e.getMessage());
            Process flock = new ProcessBuilder("flock", "-n", lock.file().toString(), "true").start();
            assertEquals(1, flock.waitFor(), "another process cannot take it either");
        }
        try (DirLock again = DirLock.acquire(dir)) {
            Process flock = new ProcessBuilder("flock", "-n", again.file().toString(), "true").start();
            assertEquals(1, flock.waitFor());
        }
        Process flock = new ProcessBuilder("flock", "-n", dir.resolve(DirLock.FILE_NAME).toString(), "true").start();
        assertEquals(0, flock.waitFor(), "free after close");
    }
}
