package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdNotifyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void sendsOneDatagramPerStateToASocketPath(@TempDir Path dir) {
        String path = dir.resolve("notify").toString();
        try (UnixDatagram manager = UnixDatagram.bind(path);
             SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path)).orElseThrow()) {
            assertEquals(path, notify.address());
            notify.send("READY=1\nSTATUS=1 pool, 2 idle, 0 active");
            notify.send("WATCHDOG=1");
            assertEquals("READY=1\nSTATUS=1 pool, 2 idle, 0 active", text(manager.receive(WAIT)));
            assertEquals("WATCHDOG=1", text(manager.receive(WAIT)));
            assertTrue(manager.receive(Duration.ofMillis(50)).isEmpty(), "nothing else");
        }
    }

    @Test
    void anAtSignNamesTheAbstractNamespace() {
        String name = "@jfpm-test-" + UUID.randomUUID();
        try (UnixDatagram manager = UnixDatagram.bind(name);
             SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", name)).orElseThrow()) {
            notify.send("STOPPING=1");
            assertEquals("STOPPING=1", text(manager.receive(WAIT)));
        }
        try (UnixDatagram again = UnixDatagram.bind(name)) {
            // the name was the abstract one (no file, gone with the socket), not a path "@jfpm-test-..."
            assertTrue(again.receive(Duration.ZERO).isEmpty());
        }
    }

    @Test
    void nobodyListeningIsANativeErrorNotAHang(@TempDir Path dir) {
        String path = dir.resolve("gone").toString();
        try (SdNotify notify = SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", path)).orElseThrow()) {
            NativeException e = assertThrows(NativeException.class, () -> notify.send("READY=1"));
            assertEquals(Native.ENOENT, e.errno());
            assertEquals("sendto(" + path + ")", e.call());
        }
    }

    @Test
    void noVariableNoNotifications() {
        assertEquals(Optional.empty(), SdNotify.fromEnvironment(Map.of()));
        assertEquals(Optional.empty(), SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "")));
    }

    @Test
    void anAddressThatIsNeitherPathNorAbstractIsRefusedSayingWhy() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SdNotify.fromEnvironment(Map.of("NOTIFY_SOCKET", "vsock:2:1234")));
        assertTrue(e.getMessage().startsWith("NOTIFY_SOCKET='vsock:2:1234' is not supported"), e.getMessage());
    }

    @Test
    void watchdogTimeoutFollowsSdWatchdogEnabled() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), SdNotify.watchdogTimeout(Map.of("WATCHDOG_USEC", "30000000"), 42));
        assertEquals(Optional.of(Duration.ofMillis(1500)),
                SdNotify.watchdogTimeout(Map.of("WATCHDOG_USEC", "1500000", "WATCHDOG_PID", "42"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogTimeout(Map.of("WATCHDOG_USEC", "1500000", "WATCHDOG_PID", "43"), 42),
                "meant for another process");
        assertEquals(Optional.empty(), SdNotify.watchdogTimeout(Map.of(), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogTimeout(Map.of("WATCHDOG_USEC", "0"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogTimeout(Map.of("WATCHDOG_USEC", "soon"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogTimeout(Map.of("WATCHDOG_USEC", "1000", "WATCHDOG_PID", "x"), 42));
    }

    @Test
    void monotonicMicrosIsClockMonotonic() throws Exception {
        // /proc/uptime is CLOCK_BOOTTIME; CLOCK_MONOTONIC is at most that (it stops during suspend)
        long us = SdNotify.monotonicMicros();
        double uptime = Double.parseDouble(java.nio.file.Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertTrue(us > 0 && us <= (long) ((uptime + 1) * 1_000_000), us + " us vs uptime " + uptime + " s");
        long nano = System.nanoTime() / 1000;
        assertTrue(Math.abs(SdNotify.monotonicMicros() - nano) < 1_000_000, "HotSpot's nanoTime is CLOCK_MONOTONIC too");
    }

    private static String text(Optional<byte[]> datagram) {
        return new String(datagram.orElseThrow(() -> new AssertionError("no datagram within " + WAIT)),
                StandardCharsets.UTF_8);
    }
}
