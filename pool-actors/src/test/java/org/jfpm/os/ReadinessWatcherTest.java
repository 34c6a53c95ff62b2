package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadinessWatcherTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final int O_NONBLOCK = 04000;

    private ReadinessWatcher watcher;
    private ListenSocket socket;

    @BeforeEach
    void setUp() {
        watcher = new ReadinessWatcher();
        socket = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
    }

    @AfterEach
    void tearDown() {
        watcher.close();
        socket.close();
    }

    @Test
    void firesOncePerArmingWhileAConnectionWaits() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        watcher.arm(socket.fd(), fired::incrementAndGet);
        Await.holdsFor(QUIET, () -> fired.get() == 0, () -> "no callback before a client connects");
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", socket.boundPort()), 5000);
            Await.until(WAIT, () -> fired.get() == 1, () -> "one callback after the connection, got " + fired.get());
            Await.holdsFor(QUIET, () -> fired.get() == 1, () -> "no second callback until re-armed, got " + fired.get());
            assertEquals(1, socket.queueLength().waiting(), "nobody accepted the connection");
            watcher.arm(socket.fd(), fired::incrementAndGet);
            Await.until(WAIT, () -> fired.get() == 2, () -> "the re-armed fd fires again at once, got " + fired.get());
            Await.holdsFor(QUIET, () -> fired.get() == 2, () -> "still one callback per arming, got " + fired.get());
        }
        assertEquals(0, ListenSocketTest.selfFdFlags(socket.fd()) & O_NONBLOCK, "the watcher never sets O_NONBLOCK");
    }

    @Test
    void aDisarmedFdDoesNotFire() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        watcher.disarm(watcher.arm(socket.fd(), fired::incrementAndGet));
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", socket.boundPort()), 5000);
            Await.until(WAIT, () -> socket.queueLength().waiting() == 1, () -> "the connection is queued");
            Await.holdsFor(QUIET, () -> fired.get() == 0, () -> "no callback for a disarmed fd, got " + fired.get());
        }
    }

    @Test
    void watchesSeveralSocketsIndependently() throws Exception {
        try (ListenSocket other = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null);
             Socket client = new Socket()) {
            AtomicInteger firstFired = new AtomicInteger();
            AtomicInteger otherFired = new AtomicInteger();
            ReadinessWatcher.Arming first = watcher.arm(socket.fd(), firstFired::incrementAndGet);
            watcher.arm(other.fd(), otherFired::incrementAndGet);
            client.connect(new InetSocketAddress("127.0.0.1", other.boundPort()), 5000);
            Await.until(WAIT, () -> otherFired.get() == 1, () -> "the socket with a client fires");
            Await.holdsFor(QUIET, () -> firstFired.get() == 0, () -> "the idle socket does not");
            watcher.disarm(first);
        }
    }

    /** Two generations can share a listener: one owner's disarm must not take the other's arming away. */
    @Test
    void twoArmingsOfOneFdAreIndependent() throws Exception {
        AtomicInteger oldFired = new AtomicInteger();
        AtomicInteger newFired = new AtomicInteger();
        ReadinessWatcher.Arming old = watcher.arm(socket.fd(), oldFired::incrementAndGet);
        watcher.arm(socket.fd(), newFired::incrementAndGet);
        watcher.disarm(old);
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", socket.boundPort()), 5000);
            Await.until(WAIT, () -> newFired.get() == 1, () -> "the remaining arming fires, got " + newFired.get());
            Await.holdsFor(QUIET, () -> oldFired.get() == 0, () -> "the disarmed one does not, got " + oldFired.get());
        }
    }

    @Test
    void aFailingCallbackDoesNotStopTheWatcher() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", socket.boundPort()), 5000);
            watcher.arm(socket.fd(), () -> {
                fired.incrementAndGet();
                throw new IllegalStateException("callback failure (expected by the test)");
            });
            Await.until(WAIT, () -> fired.get() == 1, () -> "the failing callback ran");
            watcher.arm(socket.fd(), fired::incrementAndGet);
            Await.until(WAIT, () -> fired.get() == 2, () -> "the watcher still works");
        }
    }
}
