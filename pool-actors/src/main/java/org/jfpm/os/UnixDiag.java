package org.jfpm.os;

import jnr.ffi.Pointer;

/**
 * Queue length of a listening unix socket via {@code NETLINK_SOCK_DIAG}: an exact lookup by the
 * socket's inode with {@code UDIAG_SHOW_RQLEN}; for a listener the kernel reports the pending
 * connections as {@code rqueue} and the backlog as {@code wqueue} (what {@code ss -xl} shows).
 * Owns one netlink socket; not thread-safe (its owner serializes calls).
 */
final class UnixDiag implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM_CLOEXEC = 2 | 0x80000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final short NLM_F_REQUEST = 1;
    private static final int TCP_LISTEN = 10;
    private static final int UDIAG_SHOW_RQLEN = 0x10;
    private static final int UNIX_DIAG_RQLEN = 4;
    private static final int NLMSG_HDRLEN = 16;
    private static final int REQUEST_LEN = NLMSG_HDRLEN + 24;
    private static final int UNIX_DIAG_MSG_LEN = 16;
    private static final int RECV_LEN = 8192;

    private final int fd;
    private final Pointer request = Native.allocate(REQUEST_LEN);
    private final Pointer reply = Native.allocate(RECV_LEN);
    private int seq;

    UnixDiag() {
        fd = Native.check("socket(AF_NETLINK, NETLINK_SOCK_DIAG)",
                Native.libc().socket(AF_NETLINK, SOCK_DGRAM_CLOEXEC, NETLINK_SOCK_DIAG));
    }

    QueueLength query(long inode) {
        String call = "sock_diag(unix socket inode " + inode + ")";
        int mySeq = ++seq;
        request.putInt(0, REQUEST_LEN);
        request.putShort(4, (short) SOCK_DIAG_BY_FAMILY);
        request.putShort(6, NLM_F_REQUEST);
        request.putInt(8, mySeq);
        request.putInt(12, 0);
        request.putByte(16, (byte) SockAddr.AF_UNIX);
        request.putByte(17, (byte) 0);
        request.putShort(18, (short) 0);
        request.putInt(20, 1 << TCP_LISTEN);
        request.putInt(24, (int) inode);
        request.putInt(28, UDIAG_SHOW_RQLEN);
        request.putInt(32, -1);
        request.putInt(36, -1);
        long sent;
        do {
            sent = Native.libc().send(fd, request, REQUEST_LEN, 0);
        } while (sent < 0 && Native.errno() == Native.EINTR);
        if (sent < 0) {
            throw Native.failure(call + " send");
        }
        while (true) {
            long n = Native.libc().recv(fd, reply, RECV_LEN, 0);
            if (n < 0) {
                if (Native.errno() == Native.EINTR) {
                    continue;
                }
                throw Native.failure(call + " recv");
            }
            QueueLength result = parse(reply, (int) n, mySeq, inode, call);
            if (result != null) {
                return result;
            }
        }
    }

    /** The answer in this datagram, or null if it only held stale replies to earlier requests. */
    private static QueueLength parse(Pointer buf, int length, int mySeq, long inode, String call) {
        int off = 0;
        while (off + NLMSG_HDRLEN <= length) {
            int msgLen = buf.getInt(off);
            int type = buf.getShort(off + 4) & 0xffff;
            int msgSeq = buf.getInt(off + 8);
            if (msgLen < NLMSG_HDRLEN || off + msgLen > length) {
                throw new IllegalStateException(call + ": malformed netlink reply (length " + msgLen + ")");
            }
            if (msgSeq == mySeq) {
                if (type == NLMSG_ERROR) {
                    int err = -buf.getInt(off + NLMSG_HDRLEN);
                    throw new NativeException(call, err);
                }
                if (type == NLMSG_DONE) {
                    throw new NativeException(call, Native.ENOENT);
                }
                if (type == SOCK_DIAG_BY_FAMILY) {
                    return rqlen(buf, off, msgLen, inode, call);
                }
            }
            off += align4(msgLen);
        }
        return null;
    }

    private static QueueLength rqlen(Pointer buf, int msgOff, int msgLen, long inode, String call) {
        int ino = buf.getInt(msgOff + NLMSG_HDRLEN + 4);
        if (ino != (int) inode) {
            throw new IllegalStateException(call + ": reply is for inode " + Integer.toUnsignedLong(ino));
        }
        int off = msgOff + NLMSG_HDRLEN + UNIX_DIAG_MSG_LEN;
        int end = msgOff + msgLen;
        while (off + 4 <= end) {
            int attrLen = buf.getShort(off) & 0xffff;
            int attrType = buf.getShort(off + 2) & 0xffff;
            if (attrLen < 4) {
                break;
            }
            if (attrType == UNIX_DIAG_RQLEN && attrLen >= 12) {
                return new QueueLength(buf.getInt(off + 4), buf.getInt(off + 8));
            }
            off += align4(attrLen);
        }
        throw new IllegalStateException(call + ": reply has no UNIX_DIAG_RQLEN attribute");
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    @Override
    public void close() {
        Native.closeQuietly(fd);
    }
}
