package org.jfpm.os;

import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaps zombies this process adopted (when it is PID 1 of a container, orphans of any depth are
 * re-parented to it) without ever taking the exit status of a child the {@link Reaper} owns: it
 * peeks with {@code waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT)}, which leaves the child waitable,
 * and reaps with {@code waitpid(pid, WNOHANG)} only a pid that is not in {@link OwnChildren}. Never
 * a blind {@code waitpid(-1)}.
 *
 * <p>When the peeked child is one of ours, it stops: the Reaper collects that one through its pidfd
 * (on its next poll, which returns at once) and the peek then gets past it. Runs on the reaper thread
 * only. Caveat: a {@code ProcessBuilder} child of this JVM would look adopted; jfpm's main code starts
 * none (checked), which is why this is only switched on where it is needed (PID 1).
 */
final class AdoptedReaper {
    private static final Logger LOG = LoggerFactory.getLogger(AdoptedReaper.class);
    private static final int P_ALL = 0;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    /** siginfo_t is 128 bytes; on x86_64 si_pid is the int at offset 16. */
    private static final int SIGINFO_SIZE = 128;
    private static final int SI_PID_OFFSET = 16;

    private final Pointer info = Native.allocate(SIGINFO_SIZE);
    private final Pointer status = Native.allocate(4);

    /** Reaps every exited adopted child it can see now; returns how many. */
    int reapAdopted() {
        if (!OwnChildren.reapLock().tryLock()) {
            return 0; // a spawn is in progress; next round
        }
        try {
            int reaped = 0;
            while (true) {
                info.putInt(SI_PID_OFFSET, 0);
                int r = Native.libc().waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT);
                if (r < 0) {
                    int errno = Native.errno();
                    if (errno == Native.EINTR) {
                        continue;
                    }
                    if (errno == Native.ECHILD) {
                        return reaped;
                    }
                    throw new NativeException("waitid(P_ALL, WNOWAIT)", errno);
                }
                int pid = info.getInt(SI_PID_OFFSET);
                if (pid == 0 || OwnChildren.contains(pid)) {
                    return reaped;
                }
                int w;
                do {
                    w = Native.libc().waitpid(pid, status, WNOHANG);
                } while (w < 0 && Native.errno() == Native.EINTR);
                if (w != pid) {
                    return reaped;
                }
                reaped++;
                LOG.debug("reaped adopted process {} ({})", pid, ExitStatus.decode(status.getInt(0)).describe());
            }
        } finally {
            OwnChildren.reapLock().unlock();
        }
    }
}
