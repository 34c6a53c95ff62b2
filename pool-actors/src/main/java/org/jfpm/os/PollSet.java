package org.jfpm.os;

import jnr.ffi.Pointer;

/** A reusable, growable {@code struct pollfd[]} for one polling thread. Not thread-safe. */
final class PollSet {
    static final short POLLIN = 0x001;
    static final short POLLNVAL = 0x020;
    private static final int POLLFD_SIZE = 8;

    private Pointer fds = Native.allocate(16 * POLLFD_SIZE);
    private int capacity = 16;
    private int size;

    void clear() {
        size = 0;
    }

    void add(int fd, short events) {
        if (size == capacity) {
            Pointer bigger = Native.allocate(capacity * 2 * POLLFD_SIZE);
            fds.transferTo(0, bigger, 0, (long) size * POLLFD_SIZE);
            fds = bigger;
            capacity *= 2;
        }
        long off = (long) size * POLLFD_SIZE;
        fds.putInt(off, fd);
        fds.putShort(off + 4, events);
        fds.putShort(off + 6, (short) 0);
        size++;
    }

    int size() {
        return size;
    }

    int revents(int index) {
        return fds.getShort((long) index * POLLFD_SIZE + 6) & 0xffff;
    }

    /** poll(2), retried on EINTR; returns the number of entries with events. */
    int poll(int timeoutMillis, String who) {
        while (true) {
            int n = Native.libc().poll(fds, size, timeoutMillis);
            if (n >= 0) {
                return n;
            }
            if (Native.errno() != Native.EINTR) {
                throw Native.failure("poll(" + who + ", " + size + " fds)");
            }
        }
    }
}
