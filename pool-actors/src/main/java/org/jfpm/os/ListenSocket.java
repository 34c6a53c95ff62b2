package org.jfpm.os;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import jnr.ffi.Pointer;
import jnr.posix.Group;
import jnr.posix.Passwd;
import org.jfpm.os.Native.LibC;

/**
 * A listening stream socket created with libc ({@code SOCK_CLOEXEC}), owned by the supervisor as
 * an int fd and handed to workers as their fd 0; or one systemd passed ({@link #inherited}), which
 * jfpm uses the same way but never closes.
 *
 * <p>The socket stays <b>blocking</b>: O_NONBLOCK lives on the open file description shared with
 * every worker and would make php-cgi's {@code accept} fail. Watch it with {@link ReadinessWatcher},
 * never with a JDK Selector.
 *
 * <p>Thread-safety: {@link #queueLength()} is synchronized; {@link #close()} must not race with
 * other users of {@link #fd()} (disarm it from the readiness watcher first).
 */
public final class ListenSocket implements AutoCloseable {
    private static final int SOCK_STREAM_CLOEXEC = 1 | 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;
    private static final int TCP_INFO_LEN = 232;
    private static final int TCPI_UNACKED = 24;
    private static final int TCPI_SACKED = 28;
    private static final int STAT_LEN = 256;
    private static final int STAT_INO = 8;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final int fd;
    private final ListenAddress address;
    private final Object unixFileKey;
    /** False for a socket systemd passed: {@link #close()} leaves the descriptor open. */
    private final boolean owned;
    private final boolean unixDomain;
    private final boolean madeBlocking;
    private Pointer tcpInfo;
    private Pointer tcpInfoLen;
    private UnixDiag unixDiag;
    private long inode;
    private boolean closed;

    private ListenSocket(int fd, ListenAddress address, Object unixFileKey) {
        this(fd, address, unixFileKey, true, address instanceof ListenAddress.Unix, false);
    }

    private ListenSocket(int fd, ListenAddress address, Object unixFileKey, boolean owned, boolean unixDomain,
                         boolean madeBlocking) {
        this.fd = fd;
        this.address = address;
        this.unixFileKey = unixFileKey;
        this.owned = owned;
        this.unixDomain = unixDomain;
        this.madeBlocking = madeBlocking;
    }

    /**
     * A listening socket jfpm did not create (one systemd passed, {@link SystemdSockets#fd}): checked to
     * be a listening stream socket, made blocking if it was not (systemd's {@code NonBlocking=yes}: the
     * flag is on the open file description every worker shares, and php-cgi's {@code accept} would fail),
     * marked close-on-exec. {@link #close()} never closes it: the descriptor stays for the next
     * generation that names it, and for the process's life.
     *
     * @throws IllegalStateException {@code fd} is not a listening stream socket
     * @throws NativeException       a libc call failed
     */
    public static ListenSocket inherited(int fd, ListenAddress address) {
        Objects.requireNonNull(address, "address");
        if (!SocketInfo.isSocket(fd)) {
            throw new IllegalStateException("listen " + address + ": fd " + fd + " is not an open socket");
        }
        if (SocketInfo.type(fd) != SocketInfo.SOCK_STREAM || !SocketInfo.listening(fd)) {
            throw new IllegalStateException("listen " + address + ": fd " + fd + " is not a listening stream socket");
        }
        boolean nonBlocking = SocketInfo.nonBlocking(fd);
        if (nonBlocking) {
            SocketInfo.makeBlocking(fd);
        }
        SocketInfo.setCloseOnExec(fd);
        boolean unix = SocketInfo.family(fd) == SockAddr.AF_UNIX;
        return new ListenSocket(fd, address, null, false, unix, nonBlocking);
    }

    /**
     * Creates, binds and listens. TCP: host names resolve with {@link InetAddress} (first address),
     * SO_REUSEADDR is set, an IPv6 socket is IPv6-only. Unix: an existing socket file at the path is
     * unlinked first, the new one gets {@code unixMode} (ignored if negative) and, when non-empty,
     * {@code unixOwner}/{@code unixGroup} (names or numeric ids), all before {@code listen}.
     * Systemd: the socket of that name passed to this process ({@link SystemdSockets#current()},
     * {@link #inherited}); backlog, mode, owner and group are the socket unit's.
     *
     * @throws NativeException a libc call failed (the call names the address)
     * @throws IllegalArgumentException the host, user or group does not resolve, or systemd passed no such socket
     * @throws IllegalStateException a unix path exists and is not a socket
     */
    public static ListenSocket open(ListenAddress address, int backlog, int unixMode, String unixOwner, String unixGroup) {
        Objects.requireNonNull(address, "address");
        if (address instanceof ListenAddress.Tcp tcp) {
            return openTcp(tcp, backlog);
        }
        if (address instanceof ListenAddress.Systemd sd) {
            return inherited(SystemdSockets.current().fd(sd.name()), sd);
        }
        return openUnix((ListenAddress.Unix) address, backlog, unixMode, unixOwner, unixGroup);
    }

    private static ListenSocket openTcp(ListenAddress.Tcp tcp, int backlog) {
        InetAddress ip;
        try {
            ip = InetAddress.getByName(tcp.host());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("listen " + tcp + ": cannot resolve host '" + tcp.host() + "'", e);
        }
        SockAddr sa = SockAddr.inet(ip, tcp.port());
        LibC c = Native.libc();
        int fd = Native.check("socket(" + tcp + ")", c.socket(sa.family(), SOCK_STREAM_CLOEXEC, 0));
        try {
            setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(" + tcp + ", SO_REUSEADDR)");
            if (ip instanceof Inet6Address) {
                setIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "setsockopt(" + tcp + ", IPV6_V6ONLY)");
            }
            Native.check("bind(" + tcp + ")", c.bind(fd, sa.pointer(), sa.length()));
            Native.check("listen(" + tcp + ")", c.listen(fd, backlog));
            return new ListenSocket(fd, tcp, null);
        } catch (RuntimeException e) {
            Native.closeQuietly(fd);
            throw e;
        }
    }

    private static ListenSocket openUnix(ListenAddress.Unix unix, int backlog, int mode, String owner, String group) {
        int uid = owner == null || owner.isEmpty() ? -1 : resolveUser(owner, unix);
        int gid = group == null || group.isEmpty() ? -1 : resolveGroup(group, unix);
        Path path = unix.path();
        String p = path.toString();
        SockAddr sa = SockAddr.unix(p);
        LibC c = Native.libc();
        removeStaleSocket(unix);
        int fd = Native.check("socket(" + unix + ")", c.socket(SockAddr.AF_UNIX, SOCK_STREAM_CLOEXEC, 0));
        boolean bound = false;
        try {
            Native.check("bind(" + unix + ")", c.bind(fd, sa.pointer(), sa.length()));
            bound = true;
            Pointer cPath = Native.cString(p);
            if (mode >= 0) {
                Native.check("chmod(" + p + ", " + Integer.toOctalString(mode) + ")", c.chmod(cPath, mode));
            }
            if (uid != -1 || gid != -1) {
                Native.check("chown(" + p + ", " + owner + ":" + group + ")", c.chown(cPath, uid, gid));
            }
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Native.check("listen(" + unix + ")", c.listen(fd, backlog));
            return new ListenSocket(fd, unix, key);
        } catch (IOException e) {
            Native.closeQuietly(fd);
            c.unlink(Native.cString(p));
            throw new IllegalStateException("listen " + unix + ": cannot stat the bound socket: " + e, e);
        } catch (RuntimeException e) {
            Native.closeQuietly(fd);
            if (bound) {
                c.unlink(Native.cString(p));
            }
            throw e;
        }
    }

    private static void removeStaleSocket(ListenAddress.Unix unix) {
        Path path = unix.path();
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new IllegalStateException("listen " + unix + ": cannot stat " + path + ": " + e, e);
        }
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IllegalStateException("listen " + unix + ": " + path + " exists and is not a socket; refusing to remove it");
        }
        if (Native.libc().unlink(Native.cString(path.toString())) < 0 && Native.errno() != Native.ENOENT) {
            throw Native.failure("unlink(" + path + ")");
        }
    }

    private static int resolveUser(String user, ListenAddress.Unix unix) {
        if (user.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(user);
        }
        Passwd pw = Native.posix().getpwnam(user);
        if (pw == null) {
            throw new IllegalArgumentException("listen " + unix + ": unknown user '" + user + "' for the socket owner");
        }
        return (int) pw.getUID();
    }

    private static int resolveGroup(String group, ListenAddress.Unix unix) {
        if (group.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(group);
        }
        Group gr = Native.posix().getgrnam(group);
        if (gr == null) {
            throw new IllegalArgumentException("listen " + unix + ": unknown group '" + group + "' for the socket group");
        }
        return (int) gr.getGID();
    }

    private static void setIntOption(int fd, int level, int name, int value, String call) {
        Pointer v = Native.allocate(4);
        v.putInt(0, value);
        Native.check(call, Native.libc().setsockopt(fd, level, name, v, 4));
    }

    /** The listening fd (CLOEXEC, blocking). Valid until {@link #close()}. */
    public int fd() {
        return fd;
    }

    public ListenAddress address() {
        return address;
    }

    /** True for a socket passed by systemd ({@link #inherited}): jfpm never closes its descriptor. */
    public boolean isInherited() {
        return !owned;
    }

    /** True when {@link #inherited} found the socket non-blocking and cleared O_NONBLOCK. */
    public boolean madeBlocking() {
        return madeBlocking;
    }

    /** The bound TCP port (useful after binding port 0); -1 for a unix socket. */
    public int boundPort() {
        if (unixDomain) {
            return -1;
        }
        return SockAddr.boundPort(fd);
    }

    /**
     * The accept queue right now: TCP via {@code TCP_INFO} ({@code tcpi_unacked}/{@code tcpi_sacked}),
     * unix via netlink sock_diag. A few microseconds; reuses its buffers.
     */
    public synchronized QueueLength queueLength() {
        if (closed) {
            throw new IllegalStateException("queueLength on closed listening socket " + address);
        }
        if (unixDomain) {
            if (unixDiag == null) {
                inode = inode();
                unixDiag = new UnixDiag();
            }
            return unixDiag.query(inode);
        }
        if (tcpInfo == null) {
            tcpInfo = Native.allocate(TCP_INFO_LEN);
            tcpInfoLen = Native.allocate(4);
        }
        tcpInfoLen.putInt(0, TCP_INFO_LEN);
        Native.check("getsockopt(" + address + ", TCP_INFO)",
                Native.libc().getsockopt(fd, IPPROTO_TCP, TCP_INFO, tcpInfo, tcpInfoLen));
        return new QueueLength(tcpInfo.getInt(TCPI_UNACKED), tcpInfo.getInt(TCPI_SACKED));
    }

    private long inode() {
        Pointer st = Native.allocate(STAT_LEN);
        Native.check("fstat(" + address + ")", Native.libc().fstat(fd, st));
        return st.getLong(STAT_INO);
    }

    /**
     * Closes the fd; for a unix socket also unlinks the path if it still is the file this socket
     * created (a newer socket bound at the same path is left alone). Idempotent. Workers keep
     * their own copies of the socket. An {@linkplain #inherited inherited} socket's descriptor stays open.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (unixDiag != null) {
            unixDiag.close();
        }
        if (!owned) {
            return;
        }
        Native.closeQuietly(fd);
        if (address instanceof ListenAddress.Unix unix) {
            try {
                Object key = Files.readAttributes(unix.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                if (Objects.equals(key, unixFileKey)) {
                    Native.libc().unlink(Native.cString(unix.path().toString()));
                }
            } catch (IOException e) {
                // already gone
            }
        }
    }

    @Override
    public String toString() {
        return "ListenSocket[" + address + ", fd " + fd + (owned ? "" : ", inherited") + "]";
    }
}
