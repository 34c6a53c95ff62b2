package org.jfpm.os;

import java.time.Duration;
import java.util.Optional;

import jnr.ffi.Pointer;
import org.jfpm.os.Native.LibC;

/**
 * The master's end of a template's control socket ({@code spawn-mode = fork}; the protocol is
 * {@code shm-scoreboard/src/main/c/jfpm_template.h}): a {@code SOCK_SEQPACKET} socketpair whose
 * other end the template inherits. The template announces {@link Ready} once, at its first
 * {@code accept()}; after that the master sends fork requests and the template answers each with
 * the new child's pid.
 *
 * <p>Trust: the template is a worker program, so its answers are checked. A forked pid is accepted
 * only if {@code pidfd_open} succeeds and the process's parent is this JVM (only our own unreaped
 * children qualify, and their pids cannot be reused); anything else fails the fork, and the caller
 * should retire the template.
 *
 * <p>fd ownership: this object owns the master's end (CLOEXEC, moved to 64 and up);
 * {@link #childEnd()} belongs to the caller until the spawn has duplicated it, then
 * {@link #closeChildEnd()}. {@link #fork} runs on one thread at a time (the spawn thread).
 */
public final class TemplateControl implements AutoCloseable {

    static final int AF_UNIX = 1;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int MSG_SIZE = 32;
    static final long KIND_READY = 1;
    static final long KIND_FORK = 2;
    static final long KIND_FORKED = 3;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int LOWEST_FD = 64;

    /** What the template said at its first {@code accept()}. */
    public record Ready(Status status, long threads) {
    }

    /** {@code JFPM_TPL_OK}, {@code JFPM_TPL_MULTI_THREADED}, {@code JFPM_TPL_NO_TID}. */
    public enum Status {
        OK, MULTI_THREADED, NO_TID, UNKNOWN;

        static Status of(long code) {
            return code == 0 ? OK : code == 1 ? MULTI_THREADED : code == 2 ? NO_TID : UNKNOWN;
        }
    }

    private final int masterEnd;
    private int childEnd;
    private boolean closed;

    private TemplateControl(int masterEnd, int childEnd) {
        this.masterEnd = masterEnd;
        this.childEnd = childEnd;
    }

    /** A new socketpair, both ends CLOEXEC and at fd 64 or above. */
    public static TemplateControl open() {
        LibC c = Native.libc();
        Pointer fds = Native.allocate(8);
        Native.check("socketpair(AF_UNIX, SOCK_SEQPACKET)", c.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds));
        int a = high(fds.getInt(0));
        int b = high(fds.getInt(4));
        return new TemplateControl(a, b);
    }

    private static int high(int fd) {
        LibC c = Native.libc();
        if (fd >= LOWEST_FD) {
            return fd;
        }
        int moved = c.fcntl(fd, F_DUPFD_CLOEXEC, LOWEST_FD);
        int errno = Native.errno();
        c.close(fd);
        if (moved < 0) {
            throw new NativeException("fcntl(F_DUPFD_CLOEXEC)", errno);
        }
        return moved;
    }

    /** The template's end, to be inherited by its spawn. */
    public int childEnd() {
        return childEnd;
    }

    /** The master's end, for a readiness watch until {@link Ready} has been read. */
    public int masterEnd() {
        return masterEnd;
    }

    /** Closes the template's end in the master, once the spawn has duplicated it. */
    public synchronized void closeChildEnd() {
        if (childEnd >= 0) {
            Native.libc().close(childEnd);
            childEnd = -1;
        }
    }

    /**
     * Reads the {@link Ready} message if one is waiting (non-blocking). Empty when nothing is there
     * yet; a malformed message or a closed socket gives {@code Status.UNKNOWN}.
     */
    public synchronized Optional<Ready> pollReady() {
        Pointer buf = Native.allocate(MSG_SIZE);
        long n = Native.libc().recv(masterEnd, buf, MSG_SIZE, MSG_DONTWAIT);
        if (n < 0 && (Native.errno() == Native.EAGAIN || Native.errno() == Native.EINTR)) {
            return Optional.empty();
        }
        if (n != MSG_SIZE || buf.getLong(0) != KIND_READY) {
            return Optional.of(new Ready(Status.UNKNOWN, 0));
        }
        return Optional.of(new Ready(Status.of(buf.getLong(8)), Math.max(0, buf.getLong(16))));
    }

    /**
     * Asks the template for a child in {@code slot} of {@code generation}, with {@code stdoutFd} and
     * {@code stderrFd} (or -1 for the template's own) as its fds 1 and 2, and waits up to
     * {@code timeout} for the answer. Blocks: run it on the spawn thread.
     *
     * @throws TemplateException when the template does not answer in time, answers nonsense, or
     *                           names a process that is not a child of this JVM
     * @throws NativeException   when a call fails, or the template's clone did
     */
    public ChildProcess fork(int slot, long generation, int stdoutFd, int stderrFd, Duration timeout) {
        LibC c = Native.libc();
        int[] fds = stdoutFd >= 0 && stderrFd >= 0 ? new int[] {stdoutFd, stderrFd}
                : stdoutFd >= 0 ? new int[] {stdoutFd} : new int[0];
        long started = System.nanoTime();
        OwnChildren.spawnLock().lock(); // as for a spawn: no adopted-zombie reap before the add
        try {
            send(c, slot, generation, fds);
            long pid = awaitForked(c, slot, timeout);
            return adopt(c, pid, started);
        } finally {
            OwnChildren.spawnLock().unlock();
        }
    }

    private void send(LibC c, int slot, long generation, int[] fds) {
        Pointer msg = Native.allocate(MSG_SIZE);
        msg.putLong(0, KIND_FORK);
        msg.putLong(8, slot);
        msg.putLong(16, generation);
        msg.putLong(24, fds.length);
        Pointer iov = Native.allocate(16);
        iov.putAddress(0, msg.address());
        iov.putLong(8, MSG_SIZE);
        Pointer hdr = Native.allocate(56);
        hdr.putAddress(16, iov.address());
        hdr.putLong(24, 1);
        Pointer control = null;
        if (fds.length > 0) {
            int dataLen = 4 * fds.length;
            int space = 16 + ((dataLen + 7) & ~7);
            control = Native.allocate(space);
            control.putLong(0, 16 + dataLen);
            control.putInt(8, SOL_SOCKET);
            control.putInt(12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.putInt(16 + 4L * i, fds[i]);
            }
            hdr.putAddress(32, control.address());
            hdr.putLong(40, space);
        }
        long n;
        do {
            n = c.sendmsg(masterEnd, hdr, MSG_NOSIGNAL);
        } while (n < 0 && Native.errno() == Native.EINTR);
        java.lang.ref.Reference.reachabilityFence(msg);
        java.lang.ref.Reference.reachabilityFence(iov);
        java.lang.ref.Reference.reachabilityFence(control);
        if (n != MSG_SIZE) {
            throw n < 0 ? Native.failure("sendmsg(template fork request)")
                    : new TemplateException("sendmsg(template fork request): short write " + n);
        }
    }

    private long awaitForked(LibC c, int slot, Duration timeout) {
        PollSet set = new PollSet();
        set.add(masterEnd, PollSet.POLLIN);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0 || set.poll((int) Math.max(1, left), "template control") == 0) {
                if (System.nanoTime() >= deadline) {
                    throw new TemplateException("template did not answer a fork request within " + timeout.toMillis() + " ms");
                }
                continue;
            }
            Pointer buf = Native.allocate(MSG_SIZE);
            long n = c.recv(masterEnd, buf, MSG_SIZE, MSG_DONTWAIT);
            if (n < 0 && (Native.errno() == Native.EAGAIN || Native.errno() == Native.EINTR)) {
                continue;
            }
            if (n == 0) {
                throw new TemplateException("template closed its control socket");
            }
            if (n != MSG_SIZE || buf.getLong(0) != KIND_FORKED || buf.getLong(16) != slot) {
                throw new TemplateException("template sent a malformed answer (" + n + " bytes)");
            }
            long pid = buf.getLong(8);
            if (pid <= 0 || pid > Integer.MAX_VALUE) {
                throw new NativeException("template fork (clone)", (int) Math.min(Integer.MAX_VALUE, Math.max(0, -pid)));
            }
            return pid;
        }
    }

    /** A pidfd for {@code pid}, if it is this JVM's own child; else nothing is kept and it throws. */
    private static ChildProcess adopt(LibC c, long pid, long started) {
        long pidfd = c.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
        if (pidfd < 0) {
            throw Native.failure("pidfd_open(forked pid " + pid + ")");
        }
        long parent = ProcFs.parent(pid);
        if (parent != ProcFs.selfPid()) {
            c.close((int) pidfd);
            throw new TemplateException("template named pid " + pid + ", whose parent is " + parent + ", not this master");
        }
        OwnChildren.add(pid);
        return new ChildProcess(pid, (int) pidfd, started);
    }

    /** Closes both ends (the template sees EOF and exits). Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.libc().close(masterEnd);
            closeChildEnd();
        }
    }
}
