package org.jfpm.scoreboard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * An anonymous shared-memory file of a fixed size that nobody can resize: {@code memfd_create}, then
 * {@code ftruncate} to the size, then the seals {@code F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL}.
 * Seals belong to the inode, so every descriptor and mapping of it, in any process, is bound by
 * them: {@code ftruncate} fails with {@code EPERM}, and no process can add a seal (such as
 * {@code F_SEAL_FUTURE_WRITE}) that would stop later workers from mapping it.
 *
 * <p>fd ownership: the object owns one descriptor, opened {@code O_CLOEXEC} and moved to 64 or above
 * (so a spawn's {@code dup2(fd, 3)} never meets {@code fd == 3}, whose close-on-exec flag it would
 * keep). {@link #close()} closes it; whoever passes it to a child must do so before that.
 */
public final class SealedMemfd implements AutoCloseable {

    static final int MFD_CLOEXEC = 0x0001;
    static final int MFD_ALLOW_SEALING = 0x0002;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int F_ADD_SEALS = 1033;
    static final int F_GET_SEALS = 1034;
    static final int F_SEAL_SEAL = 0x0001;
    static final int F_SEAL_SHRINK = 0x0002;
    static final int F_SEAL_GROW = 0x0004;
    /** The seals every scoreboard carries. */
    public static final int SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW;
    private static final int LOWEST_FD = 64;

    /** The few libc calls this class makes; public only for jnr-ffi's generated implementation. */
    public interface LibC {
        int memfd_create(byte[] name, int flags);

        int ftruncate(int fd, long length);

        int fcntl(int fd, int cmd, int arg);

        int close(int fd);

        String strerror(int errno);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class)
                .option(LibraryOption.SaveError, Boolean.TRUE)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private final int fd;
    private final long size;
    private boolean closed;

    private SealedMemfd(int fd, long size) {
        this.fd = fd;
        this.size = size;
    }

    /**
     * Creates a sealed memfd of {@code size} zero bytes; {@code name} shows in {@code /proc/PID/fd}
     * as {@code /memfd:NAME (deleted)} (at most 249 bytes, no NUL).
     *
     * @throws IOException naming the call and errno when the kernel refuses
     */
    public static SealedMemfd create(String name, long size) throws IOException {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 249 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("memfd name '" + name + "' is longer than 249 bytes or has a NUL");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("memfd size " + size + " is not positive");
        }
        byte[] cName = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, cName, 0, utf8.length);
        LibC c = Holder.LIBC;
        int raw = c.memfd_create(cName, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (raw < 0) {
            throw failure("memfd_create(" + name + ")");
        }
        int fd = raw;
        try {
            if (raw < LOWEST_FD) {
                fd = c.fcntl(raw, F_DUPFD_CLOEXEC, LOWEST_FD);
                if (fd < 0) {
                    fd = raw;
                    throw failure("fcntl(F_DUPFD_CLOEXEC)");
                }
                c.close(raw);
            }
            if (c.ftruncate(fd, size) != 0) {
                throw failure("ftruncate(memfd, " + size + ")");
            }
            if (c.fcntl(fd, F_ADD_SEALS, SEALS) != 0) {
                throw failure("fcntl(F_ADD_SEALS)");
            }
            return new SealedMemfd(fd, size);
        } catch (IOException | RuntimeException e) {
            c.close(fd);
            throw e;
        }
    }

    /** The descriptor (valid until {@link #close()}). */
    public int fd() {
        return fd;
    }

    public long size() {
        return size;
    }

    /** The path through which this process can open it again: {@code /proc/self/fd/N}. */
    public Path selfPath() {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** The path through which another process (same user, or root) can open it while we hold it. */
    public Path procPath() {
        return Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + fd);
    }

    /** The seals on the inode, as {@code F_GET_SEALS} reports them. */
    public int seals() throws IOException {
        int s = Holder.LIBC.fcntl(fd, F_GET_SEALS, 0);
        if (s < 0) {
            throw failure("fcntl(F_GET_SEALS)");
        }
        return s;
    }

    /** Closes the descriptor; mappings stay valid. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Holder.LIBC.close(fd);
        }
    }

    private static IOException failure(String call) {
        int errno = Holder.RUNTIME.getLastError();
        String text = Holder.LIBC.strerror(errno);
        return new IOException(call + ": " + (text == null ? "errno " + errno : text) + " (errno " + errno + ")");
    }
}
