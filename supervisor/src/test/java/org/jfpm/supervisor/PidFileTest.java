package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.jfpm.os.ProcFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PidFile} with real files and real processes: the holder is a second JVM
 * ({@link PidFileHolder}) or a python3 process; POSIX record locks never conflict within one process,
 * so this JVM only ever plays the second supervisor or the {@code reload}/{@code stop} command.
 */
class PidFileTest {

    @TempDir
    Path tmp;

    @Test
    void aHeldPidFileRefusesASecondSupervisorAndKeepsTheHoldersPid() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        try (HolderProcess holder = HolderProcess.start(file)) {
            holder.awaitLine("held " + holder.pid());
            assertEquals(holder.pid() + "\n", Files.readString(file), "the holder wrote its pid");

            PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.acquire(file, 4242));
            assertEquals("pid file " + file + " is held by running jfpm pid " + holder.pid(), e.getMessage());
            assertEquals(holder.pid() + "\n", Files.readString(file), "the refused acquire did not touch the file");
            assertTrue(holder.alive());
        }
    }

    @Test
    void aSecondHolderProcessIsRefusedToo() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        try (HolderProcess first = HolderProcess.start(file); HolderProcess second = HolderProcess.start(file)) {
            first.awaitLine("held " + first.pid());
            assertEquals("unavailable: pid file " + file + " is held by running jfpm pid " + first.pid(),
                    second.lines().get(0));
            second.awaitLine("unavailable: pid file " + file + " is held by running jfpm pid " + first.pid());
            assertEquals(1, second.awaitExit(), "exit code of the refused holder");
            assertTrue(first.alive(), "the first holder is untouched");
            assertEquals(first.pid(), PidFile.runningJfpm(file));
        }
    }

    @Test
    void runningJfpmIsTheLockHolder() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        try (HolderProcess holder = HolderProcess.start(file)) {
            holder.awaitLine("held " + holder.pid());
            assertEquals(holder.pid(), PidFile.runningJfpm(file));
        }
    }

    @Test
    void closeRemovesTheFileAndNothingIsRunningAfterwards() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        try (HolderProcess holder = HolderProcess.start(file)) {
            holder.awaitLine("held " + holder.pid());
            assertEquals(0, holder.tell("close"));
            assertTrue(holder.lines().contains("closed"), holder.lines()::toString);
        }
        assertFalse(Files.exists(file), "pid file removed on close");
        PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.runningJfpm(file));
        assertEquals("jfpm.pid-file " + file + " does not exist: no jfpm is running with this configuration", e.getMessage());
    }

    @Test
    void theFileOfACrashedSupervisorIsStaleAndIsTakenOver() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        long crashed;
        try (HolderProcess holder = HolderProcess.start(file)) {
            holder.awaitLine("held " + holder.pid());
            crashed = holder.pid();
            assertEquals(3, holder.tell("crash"), "halted without cleanup");
        }
        assertEquals(crashed + "\n", Files.readString(file), "a crash leaves the file behind");
        PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.runningJfpm(file));
        assertEquals("jfpm.pid-file " + file + " is stale: no running jfpm holds its lock (it says '" + crashed
                + "'); nothing signalled", e.getMessage());

        try (PidFile taken = PidFile.acquire(file, ProcFs.selfPid())) {
            // read by another process: opening and closing the file here would drop our own lock
            // (POSIX record locks belong to the process, not the descriptor)
            assertEquals(ProcFs.selfPid() + "\n", cat(file), "taken over: our pid, nothing of the old one");
            try (HolderProcess other = HolderProcess.start(file)) {
                // this test JVM is surefire's, not jfpm, so the message says so; it names our pid as the holder
                assertTrue(other.lines().get(0).startsWith("unavailable: pid file " + file + " is locked by pid "
                        + ProcFs.selfPid() + ", which is not jfpm"), () -> "the take-over holds the lock: " + other.lines());
            }
        }
        assertFalse(Files.exists(file));
    }

    private static String cat(Path file) throws Exception {
        Process cat = new ProcessBuilder("cat", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String text = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "cat " + file + " exits");
        assertEquals(0, cat.exitValue(), "cat " + file);
        return text;
    }

    @Test
    void aStaleFileNamingALiveProcessIsNeverTrusted() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        Files.writeString(file, ProcFs.selfPid() + "\n"); // a live process (this JVM), but no lock
        PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.runningJfpm(file));
        assertTrue(e.getMessage().contains("is stale: no running jfpm holds its lock"), e.getMessage());
    }

    @Test
    void aFileWhosePidDisagreesWithTheLockHolderIsRefused() throws Exception {
        Path file = tmp.resolve("jfpm.pid");
        try (HolderProcess holder = HolderProcess.start(file)) {
            holder.awaitLine("held " + holder.pid());
            Files.writeString(file, "1\n"); // another process rewrites it; the holder's lock stays
            PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.runningJfpm(file));
            assertEquals("jfpm.pid-file " + file + " says '1' but pid " + holder.pid() + " holds its lock; nothing signalled",
                    e.getMessage());
        }
    }

    @Test
    void aLockHolderThatIsNotJfpmIsRefusedBothWays() throws Exception {
        Path file = tmp.resolve("x.pid");
        Process python = new ProcessBuilder("python3", "-c", """
                import fcntl, os, sys
                f = open(sys.argv[1], "w")
                fcntl.lockf(f, fcntl.LOCK_EX)
                f.write(str(os.getpid()) + "\\n")
                f.flush()
                print("locked", flush=True)
                sys.stdin.read()
                """, file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine(), "python3 took the lock");
            PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.runningJfpm(file));
            assertTrue(e.getMessage().startsWith("jfpm.pid-file " + file + " is locked by pid " + python.pid()
                    + ", which is not jfpm (command line: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("); nothing signalled"), e.getMessage());
            PidFile.Unavailable held = assertThrows(PidFile.Unavailable.class, () -> PidFile.acquire(file, 4242));
            assertTrue(held.getMessage().startsWith("pid file " + file + " is locked by pid " + python.pid()
                    + ", which is not jfpm"), held.getMessage());
        } finally {
            python.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDirectoryIsNoPidFile() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dir.pid"));
        PidFile.Unavailable e = assertThrows(PidFile.Unavailable.class, () -> PidFile.acquire(dir, 4242));
        assertEquals("cannot lock pid file " + dir + ": open " + dir + ": Is a directory", e.getMessage());
        PidFile.Unavailable read = assertThrows(PidFile.Unavailable.class, () -> PidFile.runningJfpm(dir));
        assertTrue(read.getMessage().startsWith("jfpm.pid-file " + dir + " cannot be read: "), read.getMessage());
    }
}
