package org.jfpm.supervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jfpm.os.LockedFile;
import org.jfpm.os.ProcFs;

/**
 * The supervisor's pid file ({@code jfpm.pid-file}). The running supervisor holds it under an
 * exclusive POSIX record lock for its whole life ({@link #acquire}), so the lock, not the pid written
 * in the file, says whether a jfpm is running: the kernel drops the lock when that process dies, and a
 * stale file (nobody holds its lock) is simply taken over. {@link #runningJfpm} finds the supervisor
 * for {@code reload}/{@code stop} and refuses anything it cannot confirm.
 */
public final class PidFile implements AutoCloseable {

    /** The pid file cannot be used; the message names the file and the reason. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message) {
            super(message);
        }
    }

    private static final int ATTEMPTS = 5;

    private final LockedFile file;

    private PidFile(LockedFile file) {
        this.file = file;
    }

    /**
     * Locks {@code path} (creating it) and writes {@code pid} into it.
     *
     * @throws Unavailable if another process holds the lock ({@code pid file X is held by running jfpm
     *                     pid N}) or the file cannot be created, locked or written
     */
    public static PidFile acquire(Path path, long pid) throws Unavailable {
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Optional<LockedFile> locked = LockedFile.tryLock(path);
                if (locked.isPresent()) {
                    try {
                        locked.get().write(pid + "\n");
                    } catch (IOException | RuntimeException e) {
                        locked.get().close();
                        throw e;
                    }
                    return new PidFile(locked.get());
                }
                OptionalLong holder = LockedFile.holder(path);
                if (holder.isPresent()) {
                    long h = holder.getAsLong();
                    throw new Unavailable(isJfpm(h) ? "pid file " + path + " is held by running jfpm pid " + h
                            : "pid file " + path + " is locked by pid " + h + ", which is not jfpm (" + commandLine(h) + ")");
                }
                // the holder let go between our two looks: try again
            }
            throw new Unavailable("pid file " + path + " is locked and released over and over by other processes");
        } catch (IOException e) {
            throw new Unavailable("cannot lock pid file " + path + ": " + reason(e));
        }
    }

    public Path path() {
        return file.path();
    }

    /** Removes the file, then releases the lock (in that order: nobody can lock a file we still remove). */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file.path());
        } finally {
            file.close();
        }
    }

    /**
     * The pid of the live jfpm that holds {@code path}: the lock holder, which must also be the pid
     * written in the file and a process whose command line mentions {@code jfpm}. Never the pid from a
     * stale file. The caller's own lock is invisible to it (a supervisor cannot find itself).
     *
     * @throws Unavailable naming {@code jfpm.pid-file}, the path and why (missing, unreadable, stale,
     *                     locked by something else)
     */
    public static long runningJfpm(Path path) throws Unavailable {
        String prefix = "jfpm.pid-file " + path;
        OptionalLong holder;
        String content;
        try {
            holder = LockedFile.holder(path);
            content = Files.readString(path, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            throw new Unavailable(prefix + " does not exist: no jfpm is running with this configuration");
        } catch (AccessDeniedException e) {
            throw new Unavailable(prefix + " cannot be read: permission denied");
        } catch (IOException e) {
            throw new Unavailable(prefix + " cannot be read: " + reason(e));
        }
        if (holder.isEmpty()) {
            throw new Unavailable(prefix + " is stale: no running jfpm holds its lock (it says " + quote(content)
                    + "); nothing signalled");
        }
        long pid = holder.getAsLong();
        if (pid == 0) {
            throw new Unavailable(prefix + " is locked by a process in another pid namespace; nothing signalled");
        }
        if (!content.equals(Long.toString(pid))) {
            throw new Unavailable(prefix + " says " + quote(content) + " but pid " + pid
                    + " holds its lock; nothing signalled");
        }
        if (!isJfpm(pid)) {
            throw new Unavailable(prefix + " is locked by pid " + pid + ", which is not jfpm (" + commandLine(pid)
                    + "); nothing signalled");
        }
        return pid;
    }

    private static boolean isJfpm(long pid) {
        return ProcFs.cmdline(pid).stream().anyMatch(arg -> arg.contains("jfpm"));
    }

    private static String commandLine(long pid) {
        List<String> argv = ProcFs.cmdline(pid);
        String line = argv.isEmpty() ? "no command line" : "command line: " + String.join(" ", argv);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static String quote(String content) {
        String s = content.length() > 40 ? content.substring(0, 40) + "..." : content;
        return "'" + s.replace("\n", "\\n") + "'";
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
