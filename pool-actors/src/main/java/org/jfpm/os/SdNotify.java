package org.jfpm.os;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jnr.ffi.Pointer;

/**
 * The service manager's notification socket ({@code sd_notify(3)}): state strings such as
 * {@code READY=1\nSTATUS=...} sent as one datagram each to the unix socket named by
 * {@code NOTIFY_SOCKET} (an absolute path, or {@code @name} in the abstract namespace). systemd
 * learns the sender's pid from the kernel ({@code SO_PASSCRED} on its side), so it must be sent by
 * jfpm's own process: workers never inherit the variables ({@link #ENVIRONMENT}).
 *
 * <p>What to send when is not decided here (see the supervisor's {@code ServiceNotifier}); this
 * class reads the environment and sends. Thread-safety: {@link #send} may be called from any thread.
 */
public final class SdNotify implements AutoCloseable {
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    public static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    public static final String WATCHDOG_PID = "WATCHDOG_PID";
    /** The protocol's variables: meant for jfpm alone, never passed to a worker. */
    public static final Set<String> ENVIRONMENT = Set.of(NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID);

    private static final int CLOCK_MONOTONIC = 1;

    private final String address;
    private final UnixDatagram socket;

    private SdNotify(String address, UnixDatagram socket) {
        this.address = address;
        this.socket = socket;
    }

    /**
     * The socket {@code NOTIFY_SOCKET} names, or empty when it is unset or empty (not run by a
     * service manager that listens).
     *
     * @throws IllegalArgumentException the variable is set to something else than a path or {@code @name}
     *                                  (e.g. systemd 254's {@code vsock:}), saying what it holds
     */
    public static Optional<SdNotify> fromEnvironment(Map<String, String> env) {
        String address = env.get(NOTIFY_SOCKET);
        if (address == null || address.isEmpty()) {
            return Optional.empty();
        }
        try {
            UnixDatagram.checkAddress(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NOTIFY_SOCKET + "='" + address + "' is not supported: " + e.getMessage(), e);
        }
        return Optional.of(new SdNotify(address, UnixDatagram.open()));
    }

    /**
     * The watchdog timeout systemd expects {@code WATCHDOG=1} within ({@code WATCHDOG_USEC}), or empty
     * when there is none for this process: unset, not a positive number, or {@code WATCHDOG_PID} set
     * to another pid than {@code selfPid} (as {@code sd_watchdog_enabled(3)} decides).
     */
    public static Optional<Duration> watchdogTimeout(Map<String, String> env, long selfPid) {
        String usec = env.get(WATCHDOG_USEC);
        if (usec == null || usec.isEmpty()) {
            return Optional.empty();
        }
        String pid = env.get(WATCHDOG_PID);
        if (pid != null && !pid.isEmpty()) {
            try {
                if (Long.parseLong(pid.trim()) != selfPid) {
                    return Optional.empty();
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            long us = Long.parseLong(usec.trim());
            return us > 0 ? Optional.of(Duration.ofNanos(Math.multiplyExact(us, 1000L))) : Optional.empty();
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** {@code CLOCK_MONOTONIC} in microseconds, the clock of {@code MONOTONIC_USEC=}. */
    public static long monotonicMicros() {
        Pointer ts = Native.allocate(16);
        Native.check("clock_gettime(CLOCK_MONOTONIC)", Native.libc().clock_gettime(CLOCK_MONOTONIC, ts));
        return ts.getLong(0) * 1_000_000L + ts.getLong(8) / 1_000L;
    }

    /** The address from {@code NOTIFY_SOCKET}. */
    public String address() {
        return address;
    }

    /**
     * Sends {@code state} (newline-separated {@code KEY=VALUE} lines) as one datagram, without blocking.
     *
     * @throws NativeException it could not be sent (the manager is gone: ENOENT or ECONNREFUSED; its queue is full: EAGAIN)
     */
    public void send(String state) {
        socket.send(address, state.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "SdNotify[" + address + "]";
    }
}
