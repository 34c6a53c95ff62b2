package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sd_listen_fds protocol against real descriptors: the tests put sockets on consecutive fds
 * from {@link #BASE} (as systemd puts them from 3) and describe them with LISTEN_* variables.
 */
class SystemdSocketsTest {
    private static final int BASE = 900;
    private static final long PID = ProcFs.selfPid();
    private static final int F_DUPFD = 0;

    private final List<Integer> placed = new ArrayList<>();
    private final List<ListenSocket> opened = new ArrayList<>();

    @AfterEach
    void closeThem() {
        placed.forEach(Native::closeQuietly);
        opened.forEach(ListenSocket::close);
    }

    /** A listening TCP socket at fd BASE + index, not CLOEXEC (as systemd passes them). */
    private int placeListening(int index) {
        ListenSocket s = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
        opened.add(s);
        return place(s.fd(), index);
    }

    private int place(int fd, int index) {
        int at = Native.check("fcntl(F_DUPFD)", Native.libc().fcntl(fd, F_DUPFD, BASE + index));
        assertEquals(BASE + index, at, "fd " + (BASE + index) + " was free");
        placed.add(at);
        return at;
    }

    private static SystemdSockets passed(int count, String names) {
        Map<String, String> env = names == null
                ? Map.of("LISTEN_FDS", Integer.toString(count), "LISTEN_PID", Long.toString(PID))
                : Map.of("LISTEN_FDS", Integer.toString(count), "LISTEN_PID", Long.toString(PID), "LISTEN_FDNAMES", names);
        return SystemdSockets.fromEnvironment(env, PID, BASE);
    }

    @Test
    void namesMapToDescriptorsFromTheFirstOn() {
        placeListening(0);
        placeListening(1);
        SystemdSockets sd = passed(2, "www:admin");
        assertTrue(sd.passed());
        assertEquals(List.of(BASE, BASE + 1), sd.fds());
        assertEquals(BASE, sd.fd("www"));
        assertEquals(BASE + 1, sd.fd("admin"));
        assertEquals(Optional.empty(), sd.problem("www"));
        assertEquals("www (fd 900), admin (fd 901)", sd.describe());
    }

    @Test
    void withoutNamesEverySocketIsUnknown() {
        placeListening(0);
        SystemdSockets sd = passed(1, null);
        assertEquals(BASE, sd.fd("unknown"));
    }

    @Test
    void anUnknownNameListsThePassedOnes() {
        placeListening(0);
        String problem = passed(1, "web").problem("www").orElseThrow();
        assertEquals("a socket passed by systemd named 'www', but LISTEN_FDNAMES names web (fd 900)"
                + " (FileDescriptorName= in the .socket unit, --fdname= of systemd-socket-activate)", problem);
        var e = assertThrows(IllegalArgumentException.class, () -> passed(1, "web").fd("www"));
        assertEquals("listen systemd:www: expected " + problem, e.getMessage());
    }

    @Test
    void socketsMeantForAnotherProcessAreNotOurs() {
        SystemdSockets sd = SystemdSockets.fromEnvironment(
                Map.of("LISTEN_FDS", "1", "LISTEN_PID", Long.toString(PID + 1), "LISTEN_FDNAMES", "www"), PID, BASE);
        assertFalse(sd.passed());
        assertEquals(List.of(), sd.fds());
        assertEquals("a socket passed by systemd named 'www', but LISTEN_PID is " + (PID + 1) + ", not this jfpm's pid "
                + PID + " (the sockets were passed to another process)", sd.problem("www").orElseThrow());
    }

    @Test
    void noVariablesNoSockets() {
        SystemdSockets sd = SystemdSockets.fromEnvironment(Map.of(), PID);
        assertFalse(sd.passed());
        assertTrue(sd.problem("www").orElseThrow().startsWith(
                "a socket passed by systemd named 'www', but no socket was passed (LISTEN_FDS is not set"), sd.problem("www").get());
        sd.adopt(); // touches nothing
    }

    @Test
    void malformedVariablesSayWhatIsWrong() {
        assertEquals("a socket passed by systemd named 'www', but LISTEN_PID is not set (so LISTEN_FDS=1 is meant for no process)",
                SystemdSockets.fromEnvironment(Map.of("LISTEN_FDS", "1"), PID).problem("www").orElseThrow());
        assertEquals("a socket passed by systemd named 'www', but LISTEN_FDS is 'two', not a positive number of sockets",
                SystemdSockets.fromEnvironment(Map.of("LISTEN_FDS", "two", "LISTEN_PID", Long.toString(PID)), PID)
                        .problem("www").orElseThrow());
        assertEquals("a socket passed by systemd named 'www', but LISTEN_FDNAMES has 1 name(s) for LISTEN_FDS=2: 'www'",
                passed(2, "www").problem("www").orElseThrow());
    }

    @Test
    void twoSocketsOfOneNameAreRefused() {
        placeListening(0);
        placeListening(1);
        String problem = passed(2, "www:www").problem("www").orElseThrow();
        assertTrue(problem.startsWith("one socket named 'www', but systemd passed 2 (fds [900, 901])"), problem);
    }

    @Test
    void onlyAListeningStreamSocketWillDo() throws Exception {
        // fd BASE: a closed slot; BASE+1: a datagram socket; BASE+2: a stream socket that does not listen
        try (UnixDatagram dgram = UnixDatagram.open()) {
            place(dgram.fd(), 1);
            int stream = Native.check("socket", Native.libc().socket(2, 1, 0));
            place(stream, 2);
            Native.closeQuietly(stream);
            SystemdSockets sd = passed(3, "a:b:c");
            assertEquals("a socket passed by systemd named 'a', but fd 900 is not an open socket", sd.problem("a").orElseThrow());
            assertTrue(sd.problem("b").orElseThrow().contains("fd 901 is not a stream socket"), sd.problem("b").get());
            assertTrue(sd.problem("c").orElseThrow().contains("fd 902 is not listening"), sd.problem("c").get());
        }
    }

    @Test
    void adoptMarksThemCloseOnExec() throws Exception {
        int fd = placeListening(0);
        assertFalse(SocketInfo.closeOnExec(fd), "F_DUPFD makes a descriptor without FD_CLOEXEC, as systemd passes it");
        passed(1, "www").adopt();
        assertTrue(SocketInfo.closeOnExec(fd));
    }

    @Test
    void anInheritedSocketIsMadeBlockingServesAndIsNeverClosedByJfpm() throws Exception {
        ListenSocket original = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
        opened.add(original);
        int fd = place(original.fd(), 0);
        int getfl = Native.libc().fcntl(fd, 3, 0);
        Native.check("fcntl(F_SETFL)", Native.libc().fcntl(fd, 4, getfl | SocketInfo.O_NONBLOCK)); // NonBlocking=yes
        ListenAddress address = ListenAddress.parse("systemd:www");
        ListenSocket inherited = ListenSocket.inherited(passed(1, "www").fd("www"), address);
        assertTrue(inherited.isInherited());
        assertTrue(inherited.madeBlocking());
        assertFalse(SocketInfo.nonBlocking(fd), "blocking again: workers' accept must block");
        assertTrue(SocketInfo.closeOnExec(fd));
        assertEquals(original.boundPort(), inherited.boundPort());
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", inherited.boundPort()), 5000);
            Await.until(java.time.Duration.ofSeconds(5), () -> inherited.queueLength().waiting() == 1,
                    () -> "one connection queued, got " + inherited.queueLength());
        }
        inherited.close();
        assertTrue(SocketInfo.isSocket(fd), "close() leaves a socket systemd passed open");
        assertEquals("ListenSocket[systemd:www, fd 900, inherited]", inherited.toString());
        ListenSocket again = ListenSocket.inherited(fd, address);
        assertFalse(again.madeBlocking());
        again.close();
        assertTrue(SocketInfo.isSocket(fd));
    }

    @Test
    void theAddressSyntax() {
        assertEquals(new ListenAddress.Systemd("www"), ListenAddress.parse("systemd:www"));
        assertEquals("systemd:php-fpm.socket", ListenAddress.parse("systemd:php-fpm.socket").toString());
        for (String bad : List.of("systemd:", "systemd:a:b", "systemd:with space", "systemd:" + "x".repeat(256))) {
            var e = assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("expected systemd:NAME with the FileDescriptorName= of a .socket unit"),
                    e.getMessage());
        }
    }
}
