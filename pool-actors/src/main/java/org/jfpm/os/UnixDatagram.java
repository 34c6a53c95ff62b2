package org.jfpm.os;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import jnr.ffi.Pointer;

/**
 * A unix datagram socket ({@code socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC)}) made with libc: JDK 17's
 * {@code DatagramChannel} has no unix domain. Addresses are written as {@code NOTIFY_SOCKET} writes
 * them: an absolute path, or {@code @name} in the abstract namespace.
 *
 * <p>{@link #open()} makes an unbound socket to send from ({@link SdNotify}); {@link #bind(String)} one
 * that receives, which is what a service manager does (the tests play systemd with it).
 *
 * <p>Thread-safety: {@link #send} and {@link #close()} are synchronized (no send ever reaches a closed,
 * possibly reused, descriptor); {@link #receive} must not race with {@link #close()}.
 */
public final class UnixDatagram implements AutoCloseable {
    private static final int SOCK_DGRAM_CLOEXEC = SocketInfo.SOCK_DGRAM | 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final short POLLIN = 0x1;
    private static final int MAX_DATAGRAM = 64 * 1024;

    private final int fd;
    private final String boundTo;
    private volatile boolean closed;

    private UnixDatagram(int fd, String boundTo) {
        this.fd = fd;
        this.boundTo = boundTo;
    }

    /** An unbound socket to send datagrams from. */
    public static UnixDatagram open() {
        return new UnixDatagram(newSocket("unbound"), null);
    }

    /**
     * A socket bound to {@code address} (a path, which must not exist yet, or {@code @name}), to
     * receive datagrams on. The caller removes a path when done.
     */
    public static UnixDatagram bind(String address) {
        SockAddr sa = SockAddr.unixAddress(checkAddress(address));
        int fd = newSocket(address);
        try {
            Native.check("bind(" + address + ")", Native.libc().bind(fd, sa.pointer(), sa.length()));
        } catch (RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
        return new UnixDatagram(fd, address);
    }

    private static int newSocket(String what) {
        return Native.check("socket(AF_UNIX, SOCK_DGRAM, " + what + ")",
                Native.libc().socket(SockAddr.AF_UNIX, SOCK_DGRAM_CLOEXEC, 0));
    }

    /**
     * Checks that {@code address} is an absolute path or an abstract {@code @name} that fits a
     * {@code sockaddr_un}; returns it.
     *
     * @throws IllegalArgumentException saying what was expected
     */
    public static String checkAddress(String address) {
        Objects.requireNonNull(address, "address");
        if (!(address.startsWith("/") || address.startsWith("@")) || address.length() < 2) {
            throw new IllegalArgumentException("expected an absolute path or @name of a unix socket, got '" + address + "'");
        }
        if (address.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("unix socket address contains a NUL byte: '" + address.replace("\0", "\\0") + "'");
        }
        SockAddr.unixAddress(address); // length check
        return address;
    }

    /**
     * Sends one datagram to {@code address} without blocking ({@code MSG_DONTWAIT}): a receiver whose
     * queue is full makes it fail with EAGAIN rather than stall the caller.
     *
     * @throws NativeException the datagram was not sent (ENOENT, ECONNREFUSED: nobody listens; EAGAIN: queue full)
     */
    public synchronized void send(String address, byte[] data) {
        if (closed) {
            throw new IllegalStateException("send on a closed datagram socket (" + address + ")");
        }
        SockAddr sa = SockAddr.unixAddress(checkAddress(address));
        Pointer buf = Native.allocate(Math.max(1, data.length));
        buf.put(0, data, 0, data.length);
        long n = Native.libc().sendto(fd, buf, data.length, MSG_DONTWAIT | MSG_NOSIGNAL, sa.pointer(), sa.length());
        if (n < 0) {
            throw Native.failure("sendto(" + address + ")");
        }
    }

    /**
     * The next datagram, waiting at most {@code timeout}; empty when none came. Only for a socket made
     * with {@link #bind(String)}.
     */
    public Optional<byte[]> receive(Duration timeout) {
        if (boundTo == null) {
            throw new IllegalStateException("receive on an unbound datagram socket");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Pointer pfd = Native.allocate(8);
        while (true) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            pfd.putInt(0, fd);
            pfd.putShort(4, POLLIN);
            pfd.putShort(6, (short) 0);
            int rc = Native.libc().poll(pfd, 1, (int) Math.min(Integer.MAX_VALUE, left));
            if (rc < 0) {
                if (Native.errno() == Native.EINTR) {
                    continue;
                }
                throw Native.failure("poll(" + boundTo + ")");
            }
            if (rc == 0) {
                return Optional.empty();
            }
            Pointer buf = Native.allocate(MAX_DATAGRAM);
            long n = Native.libc().recv(fd, buf, MAX_DATAGRAM, MSG_DONTWAIT);
            if (n < 0) {
                int errno = Native.errno();
                if (errno == Native.EINTR || errno == Native.EAGAIN) {
                    continue;
                }
                throw new NativeException("recv(" + boundTo + ")", errno);
            }
            byte[] data = new byte[(int) n];
            buf.get(0, data, 0, data.length);
            return Optional.of(data);
        }
    }

    int fd() {
        return fd;
    }

    /** Closes the socket (a bound path stays: the caller removes it). Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.closeQuietly(fd);
        }
    }

    @Override
    public String toString() {
        return "UnixDatagram[" + (boundTo == null ? "unbound" : boundTo) + ", fd " + fd + "]" + (closed ? " closed" : "");
    }
}
