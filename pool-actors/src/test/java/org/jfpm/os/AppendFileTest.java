package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendFileTest {

    @TempDir
    Path dir;

    private static long flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Long.parseLong(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalStateException("no flags for fd " + fd);
    }

    private static void write(int fd, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        jnr.ffi.Pointer p = Native.allocate(b.length);
        p.put(0, b, 0, b.length);
        assertEquals(b.length, Native.libc().write(fd, p, b.length));
    }

    @Test
    void opensHighAppendOnlyCloseOnExecAnd0640() throws Exception {
        Path log = dir.resolve("access.log");
        try (AppendFile f = AppendFile.open(log)) {
            assertTrue(f.fd() >= 64, "fd " + f.fd());
            long fl = flags(f.fd());
            assertEquals(01 | 02000 | 04000 | 02000000, fl & (03 | 02000 | 04000 | 02000000),
                    "O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC: " + Long.toOctalString(fl));
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
            write(f.fd(), "one\n");
            Files.writeString(log, "two\n", java.nio.file.StandardOpenOption.APPEND);
            write(f.fd(), "three\n");
            assertEquals("one\ntwo\nthree\n", Files.readString(log), "O_APPEND: every write goes to the end");
        }
    }

    @Test
    void reopensOntoTheSameFdOnlyWhenThePathNamesAnotherFile() throws Exception {
        Path log = dir.resolve("access.log");
        Path rotated = dir.resolve("access.log.1");
        try (AppendFile f = AppendFile.open(log)) {
            int fd = f.fd();
            write(fd, "before\n");
            assertFalse(f.reopenIfReplaced(), "same file: nothing to do");
            Files.move(log, rotated);
            write(fd, "still old\n");
            assertTrue(f.reopenIfReplaced());
            assertEquals(fd, f.fd(), "the same number, so that later spawns hand out the new file");
            write(fd, "after\n");
            assertEquals("before\nstill old\n", Files.readString(rotated));
            assertEquals("after\n", Files.readString(log));
            assertEquals(log, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
            assertTrue((flags(fd) & 02000000) != 0, "still close-on-exec");
            Files.delete(log);
            assertTrue(f.reopenIfReplaced(), "a deleted file is created again");
            assertTrue(Files.exists(log));
        }
    }

    @Test
    void aMissingDirectoryIsAnErrorNamingThePath() {
        Path log = dir.resolve("no/such/dir/access.log");
        IOException e = assertThrows(IOException.class, () -> AppendFile.open(log));
        assertEquals("cannot open " + log + ": No such file or directory (errno 2)", e.getMessage());
    }
}
