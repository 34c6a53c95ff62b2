package org.jfpm.os;

import jnr.ffi.Pointer;

/**
 * An eventfd that wakes a thread blocked in {@code poll}. {@link #wake()} and {@link #close()} are
 * thread-safe: a wake after close does nothing (it never writes to a recycled fd number).
 */
final class Waker implements AutoCloseable {
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;

    private final int fd;
    private final Pointer one = Native.allocate(8);
    private final Pointer sink = Native.allocate(8);
    private boolean closed;

    Waker(String who) {
        fd = Native.check("eventfd(" + who + ")", Native.libc().eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        one.putLong(0, 1);
    }

    int fd() {
        return fd;
    }

    synchronized void wake() {
        if (!closed) {
            Native.libc().write(fd, one, 8);
        }
    }

    /** Resets the counter; called by the polling thread only. */
    void drain() {
        Native.libc().read(fd, sink, 8);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }
}
