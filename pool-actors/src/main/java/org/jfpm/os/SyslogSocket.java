package org.jfpm.os;

import java.io.IOException;
import java.nio.file.Path;

import jnr.ffi.Pointer;

/**
 * A connected unix datagram socket to the local syslog daemon ({@code /dev/log}), as glibc's
 * {@code syslog(3)} uses. The JDK has unix stream channels only, so this goes through libc. Each
 * {@link #send} is one message (one datagram). It never blocks: a daemon that does not keep up makes
 * messages drop ({@link #dropped()}); one that restarted is reconnected once per message. Thread-safe.
 */
public final class SyslogSocket implements AutoCloseable {
    public static final Path DEV_LOG = Path.of("/dev/log");

    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int ENOTCONN = 107;
    private static final int ECONNREFUSED = 111;
    private static final int ECONNRESET = 104;
    private static final int ENOENT = 2;

    private final Path path;
    private int fd;
    private long dropped;

    private SyslogSocket(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /**
     * Connects to the daemon's socket at {@code path}.
     *
     * @throws IOException when nothing listens there (ENOENT, ECONNREFUSED) or the socket cannot be made
     */
    public static SyslogSocket connect(Path path) throws IOException {
        return new SyslogSocket(path, open(path));
    }

    private static int open(Path path) throws IOException {
        Native.LibC c = Native.libc();
        SockAddr addr = SockAddr.unix(path.toString());
        int fd = c.socket(SockAddr.AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM): " + Native.strerror(Native.errno()));
        }
        if (c.connect(fd, addr.pointer(), addr.length()) != 0) {
            int e = Native.errno();
            c.close(fd);
            throw new IOException("cannot connect to " + path + ": " + Native.strerror(e)
                    + (e == ENOENT || e == ECONNREFUSED ? " (is a syslog daemon running?)" : ""));
        }
        return fd;
    }

    public Path path() {
        return path;
    }

    /** Sends one message; false when it was dropped (daemon busy or gone). */
    public synchronized boolean send(byte[] message) {
        if (fd < 0) {
            dropped++;
            return false;
        }
        Pointer buf = Native.allocate(Math.max(1, message.length));
        buf.put(0, message, 0, message.length);
        Native.LibC c = Native.libc();
        for (int attempt = 0; attempt < 2; attempt++) {
            long n = c.send(fd, buf, message.length, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n >= 0) {
                return true;
            }
            int e = Native.errno();
            if (attempt == 0 && (e == ECONNREFUSED || e == ENOTCONN || e == ECONNRESET)) {
                try { // the daemon restarted: its socket is a new one at the same path
                    int fresh = open(path);
                    c.close(fd);
                    fd = fresh;
                    continue;
                } catch (IOException reconnect) {
                    break;
                }
            }
            if (e == Native.EINTR && attempt == 0) {
                continue;
            }
            break;
        }
        dropped++;
        return false;
    }

    /** Messages that could not be sent. */
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Native.libc().close(fd);
            fd = -1;
        }
    }
}
