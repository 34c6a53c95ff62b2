package org.jfpm.os;

import jnr.ffi.Pointer;

/**
 * A pipe (both ends CLOEXEC), e.g. to capture a worker's output: pass {@link #writeFd()} as the
 * child's stdout/stderr, then {@link #closeWriteEnd()} in the supervisor so the reader sees EOF
 * when the child exits.
 *
 * <p>Close the read end only when no thread is blocked in {@link #read}.
 */
public final class Pipe implements AutoCloseable {
    private static final int O_CLOEXEC = 0x80000;

    private final int readFd;
    private final int writeFd;
    private boolean readClosed;
    private boolean writeClosed;
    private Pointer buffer;

    private Pipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    public static Pipe open() {
        Pointer fds = Native.allocate(8);
        Native.check("pipe2(O_CLOEXEC)", Native.libc().pipe2(fds, O_CLOEXEC));
        return new Pipe(fds.getInt(0), fds.getInt(4));
    }

    public int readFd() {
        return readFd;
    }

    public int writeFd() {
        return writeFd;
    }

    /**
     * Blocking read of up to {@code len} bytes into {@code dst}; -1 at end of file (every write end
     * closed). One reading thread at a time.
     */
    public int read(byte[] dst, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, dst.length);
        if (buffer == null || buffer.size() < len) {
            buffer = Native.allocate(Math.max(len, 4096));
        }
        while (true) {
            long n = Native.libc().read(readFd, buffer, len);
            if (n > 0) {
                buffer.get(0, dst, off, (int) n);
                return (int) n;
            }
            if (n == 0) {
                return len == 0 ? 0 : -1;
            }
            if (Native.errno() != Native.EINTR) {
                throw Native.failure("read(pipe fd " + readFd + ")");
            }
        }
    }

    public synchronized void closeWriteEnd() {
        if (!writeClosed) {
            writeClosed = true;
            Native.closeQuietly(writeFd);
        }
    }

    public synchronized void closeReadEnd() {
        if (!readClosed) {
            readClosed = true;
            Native.closeQuietly(readFd);
        }
    }

    @Override
    public void close() {
        closeWriteEnd();
        closeReadEnd();
    }
}
