package org.jfpm.os;

/**
 * A child spawned by {@link Spawner}: the single owner of its pid and pidfd for the process's whole
 * life. Signals go through the pidfd, so they can never reach a recycled pid; once the child has
 * been reaped (by {@link Reaper}) the pidfd is closed and {@link #signal} is a no-op.
 *
 * <p>Thread-safe.
 */
public final class ChildProcess {

    private final long pid;
    private final int pidfd;
    private final long spawnedAtNanos;
    private boolean reaped;
    private boolean watched;

    ChildProcess(long pid, int pidfd, long spawnedAtNanos) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.spawnedAtNanos = spawnedAtNanos;
    }

    public long pid() {
        return pid;
    }

    /** The pidfd (CLOEXEC); closed once the child is reaped. Do not close it yourself. */
    public int pidfd() {
        return pidfd;
    }

    /** {@link System#nanoTime()} just before the spawn. */
    public long spawnedAtNanos() {
        return spawnedAtNanos;
    }

    /**
     * Sends {@code signal} via {@code pidfd_send_signal}, unless the process has already exited:
     * the kernel would accept a signal for a zombie, so an exit is checked first (pidfd readable).
     *
     * @return true if delivered; false if the process has already exited or been reaped
     * @throws NativeException for any other failure (e.g. an invalid signal number)
     */
    public synchronized boolean signal(int signal) {
        if (reaped || hasExited()) {
            return false;
        }
        return PidFd.send(pidfd, pid, signal);
    }

    /** True if the process has exited (reaped or a zombie). Never blocks. */
    public synchronized boolean hasExited() {
        if (reaped) {
            return true;
        }
        PollSet set = new PollSet();
        set.add(pidfd, PollSet.POLLIN);
        return set.poll(0, "pidfd of pid " + pid) > 0;
    }

    /** True once the exit status has been collected. */
    public synchronized boolean reaped() {
        return reaped;
    }

    /** True for the first caller only: a child has one reaper watch. */
    synchronized boolean claimWatch() {
        if (reaped || watched) {
            return false;
        }
        watched = true;
        return true;
    }

    /** Called by the reaper after {@code waitpid} collected the status: closes the pidfd. */
    synchronized void markReaped() {
        if (!reaped) {
            reaped = true;
            Native.closeQuietly(pidfd);
            OwnChildren.remove(pid);
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[pid " + pid + "]";
    }
}
