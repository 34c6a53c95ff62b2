package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int S_IFSOCK = 0140000;

    @Test
    void tcpOnIpv4LoopbackBindsAnEphemeralPortAndStaysBlocking() throws Exception {
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
             Socket client = new Socket()) {
            assertTrue(ls.boundPort() > 0);
            assertEquals(new ListenAddress.Tcp("127.0.0.1", 0), ls.address());
            int flags = selfFdFlags(ls.fd());
            assertEquals(0, flags & O_NONBLOCK, "listening fd must be blocking");
            assertEquals(O_CLOEXEC, flags & O_CLOEXEC, "listening fd must be CLOEXEC");
            client.connect(new InetSocketAddress("127.0.0.1", ls.boundPort()), 5000);
            Await.until(WAIT, () -> ls.queueLength().waiting() == 1, () -> "one connection queued, got " + ls.queueLength());
        }
    }

    @Test
    void tcpOnIpv6LoopbackIsIpv6Only() throws Exception {
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Tcp("::1", 0), 8, -1, null, null);
             Socket client = new Socket()) {
            assertTrue(ls.boundPort() > 0);
            assertEquals("[::1]:0", ls.address().toString());
            assertEquals(1, intOption(ls.fd(), 41, 26), "IPV6_V6ONLY");
            client.connect(new InetSocketAddress("::1", ls.boundPort()), 5000);
            Await.until(WAIT, () -> ls.queueLength().waiting() == 1, () -> "one connection queued, got " + ls.queueLength());
        }
    }

    @Test
    void aTakenPortFailsWithTheCallAndAddress() {
        try (ListenSocket first = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null)) {
            var taken = new ListenAddress.Tcp("127.0.0.1", first.boundPort());
            NativeException e = assertThrows(NativeException.class, () -> ListenSocket.open(taken, 8, -1, null, null));
            assertEquals(98, e.errno());
            assertEquals("bind(" + taken + ")", e.call());
            assertEquals("bind(" + taken + "): Address already in use (errno 98)", e.getMessage());
        }
    }

    @Test
    void anUnresolvableHostIsAnArgumentError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ListenSocket.open(new ListenAddress.Tcp("no-such-host.invalid", 9000), 8, -1, null, null));
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    }

    @Test
    void unixSocketGetsTheModeAndIsUnlinkedOnClose(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("www.sock");
        ListenSocket ls = ListenSocket.open(new ListenAddress.Unix(path), 8, 0640, "", "");
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(S_IFSOCK, mode & 0170000, "a socket file");
            assertEquals(0640, mode & 07777, "mode " + Integer.toOctalString(mode));
            assertEquals(-1, ls.boundPort());
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                assertTrue(client.isConnected());
            }
        } finally {
            ls.close();
        }
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "socket file removed on close");
        ls.close();
    }

    @Test
    void unixSocketIsChownedToTheNamedOwnerAndGroup(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("owned.sock");
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Unix(path), 8, 0660, "nobody", "nogroup")) {
            assertEquals(path, ((ListenAddress.Unix) ls.address()).path());
            assertEquals(65534, Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(65534, Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void anUnknownOwnerIsNamedAndNothingIsCreated(@TempDir Path dir) {
        Path path = dir.resolve("x.sock");
        var e = assertThrows(IllegalArgumentException.class,
                () -> ListenSocket.open(new ListenAddress.Unix(path), 8, 0660, "jfpm-no-such-user", ""));
        assertTrue(e.getMessage().contains("unknown user 'jfpm-no-such-user'"), e.getMessage());
        var g = assertThrows(IllegalArgumentException.class,
                () -> ListenSocket.open(new ListenAddress.Unix(path), 8, 0660, "", "jfpm-no-such-group"));
        assertTrue(g.getMessage().contains("unknown group 'jfpm-no-such-group'"), g.getMessage());
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aStaleSocketFileIsReplaced(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("stale.sock");
        try (ServerSocketChannel jdk = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            jdk.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "precondition: the JDK leaves the socket file behind");
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Unix(path), 8, 0600, null, null);
             SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            assertTrue(client.isConnected());
            Await.until(WAIT, () -> ls.queueLength().waiting() == 1, () -> "the new socket has the connection, got " + ls.queueLength());
        }
    }

    @Test
    void aNonSocketFileIsNeverRemoved(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("data.txt");
        Files.writeString(path, "keep me");
        var e = assertThrows(IllegalStateException.class,
                () -> ListenSocket.open(new ListenAddress.Unix(path), 8, 0600, null, null));
        assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
        assertEquals("keep me", Files.readString(path));
    }

    @Test
    void closingAnOlderSocketLeavesANewerOneAtTheSamePath(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("reload.sock");
        var address = new ListenAddress.Unix(path);
        ListenSocket older = ListenSocket.open(address, 8, 0600, null, null);
        try (ListenSocket newer = ListenSocket.open(address, 8, 0600, null, null)) {
            older.close();
            assertTrue(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "the newer socket's file survives");
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                Await.until(WAIT, () -> newer.queueLength().waiting() == 1, () -> "newer socket queue 1, got " + newer.queueLength());
            }
        } finally {
            older.close();
        }
        assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void tcpQueueLengthCountsPendingConnectionsAgainstTheBacklog() throws Exception {
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null)) {
            assertEquals(new QueueLength(0, 8), ls.queueLength());
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket s = new Socket();
                    clients.add(s);
                    s.connect(new InetSocketAddress("127.0.0.1", ls.boundPort()), 5000);
                }
                Await.until(WAIT, () -> ls.queueLength().equals(new QueueLength(5, 8)), () -> "5 of 8, got " + ls.queueLength());
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    @Test
    void unixQueueLengthCountsPendingConnectionsAgainstTheBacklog(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("q.sock");
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Unix(path), 8, 0600, null, null)) {
            assertEquals(new QueueLength(0, 8), ls.queueLength());
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    clients.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
                }
                Await.until(WAIT, () -> ls.queueLength().equals(new QueueLength(5, 8)), () -> "5 of 8, got " + ls.queueLength());
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void queueLengthAfterCloseIsAnError() {
        ListenSocket ls = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
        ls.close();
        var e = assertThrows(IllegalStateException.class, ls::queueLength);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    static int selfFdFlags(int fd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
            }
        }
        throw new AssertionError("no flags in /proc/self/fdinfo/" + fd);
    }

    private static int intOption(int fd, int level, int name) {
        Pointer value = Native.allocate(4);
        Pointer len = Native.allocate(4);
        len.putInt(0, 4);
        Native.check("getsockopt", Native.libc().getsockopt(fd, level, name, value, len));
        return value.getInt(0);
    }
}
