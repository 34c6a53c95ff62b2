package org.jfpm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

import jnr.ffi.Pointer;

/**
 * A file held open under an exclusive POSIX record lock ({@code fcntl F_SETLK} on the whole file)
 * until {@link #close()} or the end of the process: the kernel drops the lock when its process dies,
 * so a lock holder is always a live process, and {@link #holder} names it ({@code F_GETLK}'s
 * {@code l_pid}).
 *
 * <p>Record locks are per process, not per descriptor: closing any other descriptor of the same file
 * in this process would drop the lock, so a process must not open a file it holds locked again
 * (hence no {@code FileChannel} here), and {@link #holder} never reports the caller's own lock. The
 * descriptor is {@code O_CLOEXEC}; record locks are not inherited by children either way.
 */
public final class LockedFile implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_RDWR = 2;
    private static final int O_CREAT = 0100;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_GETLK = 5;
    private static final int F_SETLK = 6;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    /** {@code struct flock} on x86_64: l_type, l_whence (short), l_start, l_len (off_t), l_pid (int). */
    private static final int FLOCK_SIZE = 32;
    private static final int FLOCK_PID = 24;
    private static final int STAT_SIZE = 144;
    private static final int STAT_INO = 8;
    /** A file replaced between our open and our lock is opened again; more races than this in a row are an error. */
    private static final int ATTEMPTS = 10;

    private final Path path;
    private int fd;

    private LockedFile(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Opens {@code path} read-write (creating it 0644 if needed, never truncating) and takes the lock.
     * Returns empty if another process holds a lock on it. The locked file is the one {@code path}
     * names afterwards: if it was unlinked or replaced while we waited for the lock (its previous
     * holder removing it on exit), the new file is opened and locked instead.
     *
     * @throws IOException if the file cannot be opened or locked for another reason
     */
    public static Optional<LockedFile> tryLock(Path path) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC);
            boolean keep = false;
            try {
                if (Native.libc().fcntl(fd, F_SETLK, flock(F_WRLCK)) < 0) {
                    int errno = Native.errno();
                    if (errno == Native.EAGAIN || errno == Native.EACCES) {
                        return Optional.empty();
                    }
                    throw new IOException("fcntl(F_SETLK, " + path + "): " + Native.strerror(errno));
                }
                if (inode(fd) == inodeOf(path)) {
                    keep = true;
                    return Optional.of(new LockedFile(path, fd));
                }
            } finally {
                if (!keep) {
                    Native.closeQuietly(fd);
                }
            }
        }
        throw new IOException(path + " was replaced " + ATTEMPTS + " times while being locked");
    }

    /**
     * The pid of the process holding a lock on {@code path}, or empty if none does (a stale file).
     * 0 means a process outside this pid namespace. The caller's own locks are never reported.
     *
     * @throws NoSuchFileException   if there is no such file
     * @throws AccessDeniedException if it cannot be opened for reading
     */
    public static OptionalLong holder(Path path) throws IOException {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        try {
            Pointer lock = flock(F_WRLCK);
            if (Native.libc().fcntl(fd, F_GETLK, lock) < 0) {
                throw new IOException("fcntl(F_GETLK, " + path + "): " + Native.strerror(Native.errno()));
            }
            return lock.getShort(0) == F_UNLCK ? OptionalLong.empty() : OptionalLong.of(lock.getInt(FLOCK_PID));
        } finally {
            Native.closeQuietly(fd);
        }
    }

    public Path path() {
        return path;
    }

    /** Replaces the file's whole content with {@code text} (UTF-8). */
    public synchronized void write(String text) throws IOException {
        if (fd < 0) {
            throw new IllegalStateException(path + " is no longer locked");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Pointer buf = Native.allocate(Math.max(1, bytes.length));
        buf.put(0, bytes, 0, bytes.length);
        if (Native.libc().ftruncate(fd, 0) < 0 || Native.libc().pwrite(fd, buf, bytes.length, 0) != bytes.length) {
            throw new IOException("write " + path + ": " + Native.strerror(Native.errno()));
        }
    }

    /** Closes the descriptor, which releases the lock. Idempotent. */
    @Override
    public synchronized void close() {
        Native.closeQuietly(fd);
        fd = -1;
    }

    private static int open(Path path, int flags) throws IOException {
        int fd = Native.libc().open(Native.cString(path.toString()), flags, 0644);
        if (fd < 0) {
            int errno = Native.errno();
            String reason = Native.strerror(errno);
            if (errno == Native.ENOENT) {
                throw new NoSuchFileException(path.toString(), null, reason);
            }
            if (errno == Native.EACCES) {
                throw new AccessDeniedException(path.toString(), null, reason);
            }
            throw new IOException("open " + path + ": " + reason);
        }
        return fd;
    }

    private static Pointer flock(short type) {
        Pointer p = Native.allocate(FLOCK_SIZE); // l_whence = SEEK_SET, l_start = 0, l_len = 0: the whole file
        p.putShort(0, type);
        return p;
    }

    private static long inode(int fd) throws IOException {
        Pointer st = Native.allocate(STAT_SIZE);
        if (Native.libc().fstat(fd, st) < 0) {
            throw new IOException("fstat: " + Native.strerror(Native.errno()));
        }
        return st.getLong(STAT_INO);
    }

    /** The inode {@code path} names now, or -1 if it names nothing. */
    private static long inodeOf(Path path) throws IOException {
        try {
            return (Long) Files.getAttribute(path, "unix:ino");
        } catch (NoSuchFileException e) {
            return -1;
        }
    }
}
