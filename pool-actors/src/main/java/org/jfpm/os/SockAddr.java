package org.jfpm.os;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import jnr.ffi.Pointer;

/** {@code struct sockaddr_in/_in6/_un} built in native memory (Linux x86_64 layouts). */
record SockAddr(int family, Pointer pointer, int length) {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    private static final int UNIX_PATH_MAX = 108;

    static SockAddr inet(InetAddress address, int port) {
        if (address instanceof Inet4Address) {
            Pointer p = Native.allocate(16);
            p.putShort(0, (short) AF_INET);
            putPort(p, port);
            p.put(4, address.getAddress(), 0, 4);
            return new SockAddr(AF_INET, p, 16);
        }
        Inet6Address v6 = (Inet6Address) address;
        Pointer p = Native.allocate(28);
        p.putShort(0, (short) AF_INET6);
        putPort(p, port);
        p.put(8, v6.getAddress(), 0, 16);
        p.putInt(24, v6.getScopeId());
        return new SockAddr(AF_INET6, p, 28);
    }

    static SockAddr unix(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= UNIX_PATH_MAX) {
            throw new IllegalArgumentException("unix socket path is longer than " + (UNIX_PATH_MAX - 1) + " bytes: " + path);
        }
        Pointer p = Native.allocate(2 + UNIX_PATH_MAX);
        p.putShort(0, (short) AF_UNIX);
        p.put(2, bytes, 0, bytes.length);
        return new SockAddr(AF_UNIX, p, 2 + bytes.length + 1);
    }

    /**
     * A unix address as {@code NOTIFY_SOCKET} writes it: an absolute path, or {@code @name} for a name
     * in the abstract namespace (a leading NUL byte, and no terminating NUL counted in the length).
     */
    static SockAddr unixAddress(String address) {
        if (!address.startsWith("@")) {
            return unix(address);
        }
        byte[] name = address.substring(1).getBytes(StandardCharsets.UTF_8);
        if (name.length + 1 > UNIX_PATH_MAX) {
            throw new IllegalArgumentException("abstract unix socket name is longer than " + (UNIX_PATH_MAX - 1)
                    + " bytes: " + address);
        }
        Pointer p = Native.allocate(2 + UNIX_PATH_MAX);
        p.putShort(0, (short) AF_UNIX);
        p.put(3, name, 0, name.length);
        return new SockAddr(AF_UNIX, p, 2 + 1 + name.length);
    }

    /** The port of a bound INET/INET6 socket, via getsockname. */
    static int boundPort(int fd) {
        Pointer addr = Native.allocate(128);
        Pointer len = Native.allocate(4);
        len.putInt(0, 128);
        Native.check("getsockname(fd " + fd + ")", Native.libc().getsockname(fd, addr, len));
        return ((addr.getByte(2) & 0xff) << 8) | (addr.getByte(3) & 0xff);
    }

    private static void putPort(Pointer p, int port) {
        p.putByte(2, (byte) (port >>> 8));
        p.putByte(3, (byte) port);
    }
}
