package org.jfpm.os;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An exclusive {@code flock} on {@code DIR/jfpm.lock}, held for the master's whole life: one live
 * jfpm per scoreboard directory. The kernel drops the lock when the holder dies (even by SIGKILL), so a
 * dead master never blocks the next one, and the next one knows every other user of the directory is
 * dead (see {@link Leftovers}).
 *
 * <p>The fd is {@code O_CLOEXEC} and opened with {@code O_NOFOLLOW}; workers never inherit it (the
 * spawner closes every fd from 3 anyway). The file is left in place on {@link #close()}: unlinking a
 * lock file races with the next holder.
 */
public final class DirLock implements AutoCloseable {
    public static final String FILE_NAME = "jfpm.lock";
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;

    private final Path file;
    private int fd;

    private DirLock(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /**
     * Takes the lock without waiting.
     *
     * @throws IOException if another live process holds it (the message says so) or the file cannot be opened
     */
    public static DirLock acquire(Path dir) throws IOException {
        Path file = dir.toAbsolutePath().resolve(FILE_NAME);
        int fd = Native.libc().open(Native.cString(file.toString()), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            throw new IOException("open " + file + ": " + Native.failure("open").getMessage());
        }
        int rc;
        do {
            rc = Native.libc().flock(fd, LOCK_EX | LOCK_NB);
        } while (rc < 0 && Native.errno() == Native.EINTR);
        if (rc < 0) {
            int errno = Native.errno();
            Native.closeQuietly(fd);
            if (errno == Native.EWOULDBLOCK) {
                throw new Held("another jfpm is running on scoreboard-dir " + dir
                        + " (it holds the lock " + file + "); stop it first or use another scoreboard-dir");
            }
            throw new IOException("flock " + file + ": " + new NativeException("flock", errno).getMessage());
        }
        return new DirLock(file, fd);
    }

    /** Takes the lock without waiting; empty if another live process holds it. */
    public static java.util.Optional<DirLock> tryAcquire(Path dir) throws IOException {
        try {
            return java.util.Optional.of(acquire(dir));
        } catch (Held e) {
            return java.util.Optional.empty();
        }
    }

    /** The lock is held by another live process. */
    public static final class Held extends IOException {
        Held(String message) {
            super(message);
        }
    }

    public Path file() {
        return file;
    }

    /** Releases the lock. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.closeQuietly(fd);
            fd = -1;
        }
    }
}
