package org.jfpm.os;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.util.DefaultPOSIXHandler;

/** Loads {@link LibC} and jnr-posix once; small helpers for errno, C strings and native memory. */
final class Native {
    static final int EINTR = 4;
    static final int ESRCH = 3;
    static final int ENOENT = 2;
    static final int ECHILD = 10;
    static final int EAGAIN = 11;
    static final int EWOULDBLOCK = EAGAIN;
    static final int EACCES = 13;

    /**
     * The libc functions jfpm calls directly (glibc 2.34+, Linux x86_64). Strings are passed as
     * NUL-terminated UTF-8 {@link Pointer}s built by {@link Native#cString}, so the JVM's default
     * charset never matters. Functions that fail with -1 leave errno in {@link Native#errno()};
     * the {@code posix_spawn*} family returns the error number instead.
     *
     * <p>Public only because jnr-ffi generates its implementation in another class loader; it is
     * nested in the package-private {@code Native}, so nothing outside {@code org.jfpm.os} can reach it.
     */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int addrLen);

        int listen(int fd, int backlog);

        int setsockopt(int fd, int level, int name, Pointer value, int valueLen);

        int getsockopt(int fd, int level, int name, Pointer value, Pointer valueLen);

        int getsockname(int fd, Pointer addr, Pointer addrLen);

        long send(int fd, Pointer buf, long len, int flags);

        long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrLen);

        long recv(int fd, Pointer buf, long len, int flags);

        long read(int fd, Pointer buf, long len);

        long write(int fd, Pointer buf, long len);

        int close(int fd);

        int dup3(int oldFd, int newFd, int flags);

        int connect(int fd, Pointer addr, int addrLen);

        /** Variadic in C ({@code mode} only with {@code O_CREAT}); on x86_64 passing it always is harmless. */
        int open(Pointer path, int flags, int mode);

        /** The record-lock commands only ({@code F_GETLK}, {@code F_SETLK}): the third argument is a {@code struct flock *}. */
        int fcntl(int fd, int cmd, Pointer flock);

        int ftruncate(int fd, long length);

        long pwrite(int fd, Pointer buf, long len, long offset);

        int fstat(int fd, Pointer statBuf);

        int unlink(Pointer path);

        int chmod(Pointer path, int mode);

        int chown(Pointer path, int uid, int gid);

        int pipe2(Pointer fds, int flags);

        int socketpair(int domain, int type, int protocol, Pointer fds);

        long sendmsg(int fd, Pointer msghdr, int flags);

        /** {@code fcntl} with an int argument ({@code F_DUPFD_CLOEXEC}, {@code F_GETFD}, ...). */
        int fcntl(int fd, int cmd, int arg);

        int eventfd(int initval, int flags);

        int poll(Pointer fds, long nfds, int timeoutMillis);

        int waitpid(int pid, Pointer status, int options);

        int waitid(int idtype, int id, Pointer siginfo, int options);

        int flock(int fd, int operation);

        int kill(int pid, int sig);

        /** Variadic in C; on x86_64 integer arguments are passed the same way either way. */
        long syscall(long number, long a1, long a2, long a3, long a4);

        int clock_gettime(int clockId, Pointer timespec);

        String strerror(int errnum);

        long sysconf(int name);

        int sigemptyset(Pointer set);

        int sigfillset(Pointer set);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

        int posix_spawn_file_actions_addchdir_np(Pointer actions, Pointer path);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_destroy(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

        int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

        int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

        int posix_spawnp(Pointer pidOut, Pointer file, Pointer actions, Pointer attr, Pointer argv, Pointer envp);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class)
                .option(LibraryOption.SaveError, Boolean.TRUE)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    /** Loaded on first use only: jnr-posix is needed just for getpid, getpwnam and getgrnam. */
    private static final class PosixHolder {
        static final POSIX POSIX = POSIXFactory.getNativePOSIX(new DefaultPOSIXHandler());
    }

    private Native() {
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static POSIX posix() {
        return PosixHolder.POSIX;
    }

    static Runtime runtime() {
        return Holder.RUNTIME;
    }

    /** errno of the last call on this thread. */
    static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    static String strerror(int errno) {
        String s = Holder.LIBC.strerror(errno);
        return s == null ? "Unknown error " + errno : s;
    }

    /** A {@link NativeException} for {@code call} with the current thread's errno. */
    static NativeException failure(String call) {
        return new NativeException(call, errno());
    }

    /** Returns {@code rc}, or throws a {@link NativeException} for {@code call} if it is negative. */
    static int check(String call, int rc) {
        if (rc < 0) {
            throw failure(call);
        }
        return rc;
    }

    /** Zero-filled native memory, freed by the GC when the pointer is unreachable. */
    static Pointer allocate(int size) {
        return Memory.allocateDirect(Holder.RUNTIME, size, true);
    }

    /** A NUL-terminated UTF-8 copy of {@code s}. */
    static Pointer cString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("string contains a NUL byte: '" + s.replace("\0", "\\0") + "'");
            }
        }
        Pointer p = allocate(bytes.length + 1);
        p.put(0, bytes, 0, bytes.length);
        return p;
    }

    /**
     * A NULL-terminated {@code char *[]} of C strings. The returned holder keeps the strings
     * reachable; use {@link CStringArray#pointer()} only while the holder is reachable.
     */
    static CStringArray cStringArray(List<String> strings) {
        Pointer[] items = new Pointer[strings.size()];
        Pointer array = allocate((strings.size() + 1) * Long.BYTES);
        for (int i = 0; i < items.length; i++) {
            items[i] = cString(strings.get(i));
            array.putPointer((long) i * Long.BYTES, items[i]);
        }
        return new CStringArray(array, items);
    }

    record CStringArray(Pointer pointer, Pointer[] items) {
    }

    /** Closes {@code fd}, ignoring errors (for cleanup paths that already report another error). */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            Holder.LIBC.close(fd);
        }
    }
}
