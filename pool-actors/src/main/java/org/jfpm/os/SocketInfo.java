package org.jfpm.os;

import jnr.ffi.Pointer;

/**
 * What a descriptor jfpm did not create is (a socket passed by systemd): read-only checks with
 * {@code fstat} and {@code getsockopt}, plus the two {@code fcntl} flags jfpm sets on it.
 */
final class SocketInfo {
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_ACCEPTCONN = 30;
    private static final int SO_DOMAIN = 39;
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int FD_CLOEXEC = 1;
    static final int O_NONBLOCK = 04000;
    private static final int STAT_LEN = 256;
    private static final int STAT_MODE = 24;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketInfo() {
    }

    /** True when {@code fd} is open and a socket. */
    static boolean isSocket(int fd) {
        Pointer st = Native.allocate(STAT_LEN);
        if (Native.libc().fstat(fd, st) < 0) {
            return false;
        }
        return (st.getInt(STAT_MODE) & S_IFMT) == S_IFSOCK;
    }

    /** {@code SO_TYPE}: {@link #SOCK_STREAM}, {@link #SOCK_DGRAM}, ... */
    static int type(int fd) {
        return intOption(fd, SO_TYPE, "SO_TYPE");
    }

    /** {@code SO_DOMAIN}: {@code AF_UNIX}, {@code AF_INET}, {@code AF_INET6}. */
    static int family(int fd) {
        return intOption(fd, SO_DOMAIN, "SO_DOMAIN");
    }

    /** {@code SO_ACCEPTCONN}: {@code listen} was called on it. */
    static boolean listening(int fd) {
        return intOption(fd, SO_ACCEPTCONN, "SO_ACCEPTCONN") != 0;
    }

    static boolean nonBlocking(int fd) {
        return (Native.check("fcntl(fd " + fd + ", F_GETFL)", Native.libc().fcntl(fd, F_GETFL, 0)) & O_NONBLOCK) != 0;
    }

    /** Clears O_NONBLOCK (on the open file description: every holder of the socket sees it). */
    static void makeBlocking(int fd) {
        int flags = Native.check("fcntl(fd " + fd + ", F_GETFL)", Native.libc().fcntl(fd, F_GETFL, 0));
        if ((flags & O_NONBLOCK) != 0) {
            Native.check("fcntl(fd " + fd + ", F_SETFL)", Native.libc().fcntl(fd, F_SETFL, flags & ~O_NONBLOCK));
        }
    }

    static boolean closeOnExec(int fd) {
        return (Native.check("fcntl(fd " + fd + ", F_GETFD)", Native.libc().fcntl(fd, F_GETFD, 0)) & FD_CLOEXEC) != 0;
    }

    /** Sets FD_CLOEXEC (a flag of this descriptor only). */
    static void setCloseOnExec(int fd) {
        int flags = Native.check("fcntl(fd " + fd + ", F_GETFD)", Native.libc().fcntl(fd, F_GETFD, 0));
        if ((flags & FD_CLOEXEC) == 0) {
            Native.check("fcntl(fd " + fd + ", F_SETFD)", Native.libc().fcntl(fd, F_SETFD, flags | FD_CLOEXEC));
        }
    }

    private static int intOption(int fd, int name, String what) {
        Pointer v = Native.allocate(4);
        Pointer len = Native.allocate(4);
        len.putInt(0, 4);
        Native.check("getsockopt(fd " + fd + ", " + what + ")", Native.libc().getsockopt(fd, SOL_SOCKET, name, v, len));
        return v.getInt(0);
    }
}
