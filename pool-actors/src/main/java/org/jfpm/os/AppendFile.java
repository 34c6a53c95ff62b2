package org.jfpm.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A log file the supervisor opens for workers to write (the access log): {@code O_WRONLY | O_APPEND |
 * O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY}, created with mode 0640 (less the umask), and kept at
 * fd 64 or above so that a spawn can {@code dup2} it onto a low fd of the child (see
 * {@link SpawnSpec#inherited()}). {@code O_APPEND} makes each worker's single {@code write} of a line
 * land after everyone else's; {@code O_NONBLOCK} matters only for a pipe or FIFO (a full one makes a
 * worker drop a line rather than wait), not for a regular file.
 *
 * <p>{@link #reopenIfReplaced()} is for logrotate: when the path now names another file (or none), a
 * new one is opened at the path and {@code dup3}'d onto the same fd number, so every spawn from then
 * on hands out the new file. Processes that already inherited the old descriptor keep writing to the
 * old file. Thread-safe.
 */
public final class AppendFile implements AutoCloseable {
    private static final int O_WRONLY = 01;
    private static final int O_CREAT = 0100;
    private static final int O_NOCTTY = 0400;
    private static final int O_APPEND = 02000;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int LOWEST_FD = 64;
    static final int MODE = 0640;

    private final Path path;
    private int fd;

    private AppendFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Opens (creating) {@code path} for appending.
     *
     * @throws IOException naming the path and the reason (e.g. a missing directory, EACCES, a FIFO
     *                     without a reader: ENXIO)
     */
    public static AppendFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return new AppendFile(path, openHigh(path));
    }

    private static int openHigh(Path path) throws IOException {
        Native.LibC c = Native.libc();
        int raw = c.open(Native.cString(path.toString()), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK
                | O_NOCTTY, MODE);
        if (raw < 0) {
            int e = Native.errno();
            throw new IOException("cannot open " + path + ": " + Native.strerror(e) + " (errno " + e + ")");
        }
        if (raw >= LOWEST_FD) {
            return raw;
        }
        int fd = c.fcntl(raw, F_DUPFD_CLOEXEC, LOWEST_FD);
        int e = Native.errno();
        c.close(raw);
        if (fd < 0) {
            throw new IOException("cannot move the descriptor of " + path + " to 64 or above: " + Native.strerror(e));
        }
        return fd;
    }

    public Path path() {
        return path;
    }

    /** The descriptor; the same number for the object's whole life. -1 after {@link #close()}. */
    public synchronized int fd() {
        return fd;
    }

    /**
     * Opens the path again if it no longer names the file the descriptor refers to (renamed away,
     * deleted, replaced), and puts the new file on the same fd number.
     *
     * @return whether a new file was put in place
     * @throws IOException when the new file cannot be opened (the old one is kept)
     */
    public synchronized boolean reopenIfReplaced() throws IOException {
        if (fd < 0) {
            throw new IOException(path + " is closed");
        }
        if (sameFile()) {
            return false;
        }
        int fresh = openHigh(path);
        Native.LibC c = Native.libc();
        int rc = c.dup3(fresh, fd, O_CLOEXEC);
        int e = Native.errno();
        c.close(fresh);
        if (rc < 0) {
            throw new IOException("cannot replace the descriptor of " + path + ": " + Native.strerror(e));
        }
        return true;
    }

    /** The path exists and is the file our descriptor is open on (same device and inode). */
    private boolean sameFile() throws IOException {
        try {
            Object dev = Files.getAttribute(path, "unix:dev");
            Object ino = Files.getAttribute(path, "unix:ino");
            Path self = Path.of("/proc/self/fd/" + fd);
            return dev.equals(Files.getAttribute(self, "unix:dev")) && ino.equals(Files.getAttribute(self, "unix:ino"));
        } catch (NoSuchFileException e) {
            return false;
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot compare " + path + " with its descriptor: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.libc().close(fd);
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return "AppendFile[" + path + ", fd " + fd + "]";
    }
}
