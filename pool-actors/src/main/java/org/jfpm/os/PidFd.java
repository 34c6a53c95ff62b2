package org.jfpm.os;

import java.util.Optional;

/**
 * A pidfd for a process that is not our child (e.g. the running supervisor, found by the {@code jfpm
 * reload}/{@code stop} commands). Unlike a pid, it names one process for good: once that process has
 * exited, {@link #signal} fails instead of reaching whatever reuses its pid. Open it first, then
 * confirm the process is the one you mean (it still holds a lock, say), then signal.
 */
public final class PidFd implements AutoCloseable {
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;

    private final long pid;
    private int fd;

    private PidFd(long pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * A pidfd for {@code pid}, or empty if there is no such process.
     *
     * @throws NativeException for any other failure (e.g. a kernel without pidfd_open)
     */
    public static Optional<PidFd> open(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("expected a pid > 0, got " + pid);
        }
        long rc = Native.libc().syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
        if (rc < 0) {
            int errno = Native.errno();
            if (errno == Native.ESRCH) {
                return Optional.empty();
            }
            throw new NativeException("pidfd_open(pid " + pid + ")", errno);
        }
        return Optional.of(new PidFd(pid, (int) rc));
    }

    public long pid() {
        return pid;
    }

    /**
     * Sends {@code signal} to the process.
     *
     * @return false if the process has exited (ESRCH)
     * @throws NativeException for any other failure (EPERM: not ours to signal)
     */
    public synchronized boolean signal(int signal) {
        if (fd < 0) {
            throw new IllegalStateException("pidfd of pid " + pid + " is closed");
        }
        return send(fd, pid, signal);
    }

    /**
     * {@code pidfd_send_signal(pidfd, signal)}: true if delivered, false if the process has exited (ESRCH).
     *
     * @throws NativeException for any other failure
     */
    static boolean send(int pidfd, long pid, int signal) {
        long rc = Native.libc().syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
        if (rc == 0) {
            return true;
        }
        int errno = Native.errno();
        if (errno == Native.ESRCH) {
            return false;
        }
        throw new NativeException("pidfd_send_signal(pid " + pid + ", " + Signals.name(signal) + ")", errno);
    }

    /** Idempotent. */
    @Override
    public synchronized void close() {
        Native.closeQuietly(fd);
        fd = -1;
    }
}
