package org.jfpm.os;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jnr.ffi.Pointer;
import org.jfpm.os.Native.LibC;

/**
 * Spawns children with libc {@code posix_spawnp}, in this order of file actions: {@code dup2} of
 * the given fds onto 0/1/2 (and the inherited ones onto 3, 4, ...), {@code closefrom} the next (race-free:
 * nothing else the JVM has open leaks into the child), then {@code chdir}. Attributes: an empty signal mask (Java threads block SIGQUIT),
 * every signal reset to its default disposition (inherited SIG_IGN is dropped; glibc keeps its own
 * RT32/RT33 ignored) and a process group of its own (pgid = pid).
 *
 * <p><b>Blocks</b> until the child has exec'd (1-4 ms for php-cgi): call it from a dedicated thread,
 * never from an actor. Stateless and thread-safe.
 */
public final class Spawner {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** glibc x86_64: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336; sigset_t 128. */
    private static final int FILE_ACTIONS_SIZE = 256;
    private static final int ATTR_SIZE = 1024;
    private static final int SIGSET_SIZE = 256;
    private static final long SYS_PIDFD_OPEN = 434;

    /**
     * Spawns {@code spec} and opens its pidfd.
     *
     * @throws NativeException if the program cannot be started ({@code errno} from posix_spawnp, e.g.
     *                         2 for a program not on PATH) or a file action failed in the child
     */
    public ChildProcess spawn(SpawnSpec spec) {
        LibC c = Native.libc();
        List<String> commandLine = spec.commandLine();
        String program = commandLine.get(0);
        String what = spec.chdir() == null ? program : program + ", chdir " + spec.chdir();
        Native.CStringArray argv = Native.cStringArray(commandLine);
        Native.CStringArray envp = Native.cStringArray(environment(spec.env()));
        Pointer file = Native.cString(program);
        Pointer pidOut = Native.allocate(4);
        Pointer actions = Native.allocate(FILE_ACTIONS_SIZE);
        Pointer attr = Native.allocate(ATTR_SIZE);
        check("posix_spawn_file_actions_init", c.posix_spawn_file_actions_init(actions));
        try {
            check("posix_spawnattr_init", c.posix_spawnattr_init(attr));
            try {
                fileActions(c, actions, spec);
                attributes(c, attr);
                long started = System.nanoTime();
                OwnChildren.spawnLock().lock(); // no adopted-zombie reap between the spawn and the add
                try {
                    int rc = c.posix_spawnp(pidOut, file, actions, attr, argv.pointer(), envp.pointer());
                    if (rc != 0) {
                        throw new NativeException("posix_spawnp(" + what + ")", rc);
                    }
                    OwnChildren.add(pidOut.getInt(0));
                    return withPidfd(pidOut.getInt(0), started);
                } finally {
                    OwnChildren.spawnLock().unlock();
                }
            } finally {
                c.posix_spawnattr_destroy(attr);
            }
        } finally {
            c.posix_spawn_file_actions_destroy(actions);
            Reference.reachabilityFence(argv);
            Reference.reachabilityFence(envp);
        }
    }

    private static void fileActions(LibC c, Pointer actions, SpawnSpec spec) {
        int[] fds = {spec.stdinFd(), spec.stdoutFd(), spec.stderrFd()};
        for (int target = 0; target < fds.length; target++) {
            if (fds[target] >= 0) {
                check("posix_spawn_file_actions_adddup2(" + fds[target] + ", " + target + ")",
                        c.posix_spawn_file_actions_adddup2(actions, fds[target], target));
            }
        }
        int firstClosed = 3;
        for (int fd : spec.inherited()) {
            check("posix_spawn_file_actions_adddup2(" + fd + ", " + firstClosed + ")",
                    c.posix_spawn_file_actions_adddup2(actions, fd, firstClosed));
            firstClosed++;
        }
        check("posix_spawn_file_actions_addclosefrom_np(" + firstClosed + ")",
                c.posix_spawn_file_actions_addclosefrom_np(actions, firstClosed));
        if (spec.chdir() != null) {
            check("posix_spawn_file_actions_addchdir_np(" + spec.chdir() + ")",
                    c.posix_spawn_file_actions_addchdir_np(actions, Native.cString(spec.chdir().toString())));
        }
    }

    private static void attributes(LibC c, Pointer attr) {
        Pointer empty = Native.allocate(SIGSET_SIZE);
        Pointer full = Native.allocate(SIGSET_SIZE);
        Native.check("sigemptyset", c.sigemptyset(empty));
        Native.check("sigfillset", c.sigfillset(full));
        check("posix_spawnattr_setsigmask", c.posix_spawnattr_setsigmask(attr, empty));
        check("posix_spawnattr_setsigdefault", c.posix_spawnattr_setsigdefault(attr, full));
        check("posix_spawnattr_setpgroup", c.posix_spawnattr_setpgroup(attr, 0));
        check("posix_spawnattr_setflags", c.posix_spawnattr_setflags(attr,
                (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)));
    }

    /**
     * Only we reap our children, so the pid cannot be recycled before pidfd_open. If pidfd_open
     * fails the child is killed and reaped here, so no unowned process is left behind.
     */
    private static ChildProcess withPidfd(int pid, long started) {
        LibC c = Native.libc();
        long pidfd = c.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
        if (pidfd < 0) {
            NativeException e = Native.failure("pidfd_open(pid " + pid + ")");
            c.kill(pid, Signals.SIGKILL);
            Pointer status = Native.allocate(4);
            int r;
            do {
                r = c.waitpid(pid, status, 0);
            } while (r < 0 && Native.errno() == Native.EINTR);
            OwnChildren.remove(pid);
            throw e;
        }
        return new ChildProcess(pid, (int) pidfd, started);
    }

    private static List<String> environment(Map<String, String> env) {
        List<String> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    /** posix_spawn* functions return the error number instead of setting errno. */
    private static void check(String call, int rc) {
        if (rc != 0) {
            throw new NativeException(call, rc);
        }
    }
}
