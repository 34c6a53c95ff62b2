package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateDirTest {
    @TempDir
    Path base;

    @Test
    void aFreshDirectoryOwnedByUsMode0755RemovedOnClose() throws Exception {
        Path p;
        try (PrivateDir a = PrivateDir.create(base); PrivateDir b = PrivateDir.create(base)) {
            p = a.path();
            assertNotEquals(a.path(), b.path(), "a random name each time");
            assertTrue(p.getFileName().toString().startsWith("jfpm-native-" + ProcFs.selfPid() + "-"), p.toString());
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
            assertEquals(Native.posix().geteuid(), (int) (Integer) Files.getAttribute(p, "unix:uid"));
            Files.writeString(p.resolve("file"), "x");
        }
        assertFalse(Files.exists(p), "removed with its contents");
    }

    @Test
    void verifyRejectsADirectoryOfAnotherUserASymlinkAndAWritableOne() throws Exception {
        Path other = Files.createDirectory(base.resolve("other"));
        UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(other, users.lookupPrincipalByName("nobody")); // the tests run as root
        assertThrows(IOException.class, () -> PrivateDir.verifyOurs(other));
        Path mine = Files.createDirectory(base.resolve("mine"));
        PrivateDir.verifyOurs(mine);
        Path link = Files.createSymbolicLink(base.resolve("link"), mine);
        assertThrows(IOException.class, () -> PrivateDir.verifyOurs(link));
        Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThrows(IOException.class, () -> PrivateDir.verifyOurs(mine));
    }

    @Test
    void removeStaleTakesOnlyOurDirectoriesWhoseLockIsFree() throws Exception {
        long dead = deadPid();
        Path stale = Files.createDirectory(base.resolve("jfpm-native-" + dead + "-abc"));
        Files.writeString(stale.resolve("libjfpm-preload-x.so"), "x");
        Files.writeString(stale.resolve(DirLock.FILE_NAME), "");
        // in use by a jfpm in another pid namespace: its pid looks dead here, but it holds the lock
        Path otherNamespace = Files.createDirectory(base.resolve("jfpm-native-" + dead + "-ns"));
        Process holder = new ProcessBuilder("flock", otherNamespace.resolve(DirLock.FILE_NAME).toString(),
                "sleep", "30").start();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (DirLock.tryAcquire(otherNamespace).map(l -> { l.close(); return true; }).orElse(false)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10); // until flock holds it
            }
            Path noLock = Files.createDirectory(base.resolve("jfpm-native-" + dead + "-old"));
            Path foreign = Files.createDirectory(base.resolve("jfpm-native-" + dead + "-def"));
            Files.writeString(foreign.resolve(DirLock.FILE_NAME), "");
            Files.setOwner(foreign, base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            Path unrelated = Files.createDirectory(base.resolve("something-else"));
            assertEquals(List.of(stale), PrivateDir.removeStale(base));
            assertFalse(Files.exists(stale, LinkOption.NOFOLLOW_LINKS));
            assertTrue(Files.isDirectory(otherNamespace), "a directory whose lock is held is in use");
            assertTrue(Files.isDirectory(noLock), "no lock file: not known to be stale");
            assertTrue(Files.isDirectory(foreign), "another user's directory is left alone");
            assertTrue(Files.isDirectory(unrelated));
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLiveDirectoryIsNeverTakenForStale() throws Exception {
        try (PrivateDir mine = PrivateDir.create(base)) {
            assertEquals(List.of(), PrivateDir.removeStale(base), "our own");
            assertTrue(DirLock.tryAcquire(mine.path()).isEmpty(), "held while we live");
        }
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
