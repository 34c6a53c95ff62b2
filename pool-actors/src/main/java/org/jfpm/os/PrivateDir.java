package org.jfpm.os;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fresh directory that only this process's user can write, for the native files every worker runs
 * (the preload library, the launcher): {@code BASE/jfpm-native-<pid>-<random>}, created atomically by
 * {@code mkdir} with a random name (so nobody can create it first), then checked with
 * {@code NOFOLLOW_LINKS} to be a real directory owned by our uid, then opened to mode 0755 so workers
 * that dropped privileges can still read and execute what is in it. A predictable path such as
 * {@code /tmp/jfpm-root} would let another local user create it first and swap the library.
 *
 * <p>{@link #close()} removes it with its contents. {@link #removeStale(Path)} removes such
 * directories left by a jfpm that died (creator pid gone), ours only (owner uid checked, no link
 * followed).
 */
public final class PrivateDir implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateDir.class);
    static final String PREFIX = "jfpm-native-";
    private static final Set<PosixFilePermission> MODE_0755 = PosixFilePermissions.fromString("rwxr-xr-x");

    private final Path path;
    /** Held for the directory's life: how another jfpm, even in another pid namespace, knows it is in use. */
    private final DirLock lock;

    private PrivateDir(Path path, DirLock lock) {
        this.path = path;
        this.lock = lock;
    }

    /**
     * Creates the directory under {@code base} (e.g. {@code java.io.tmpdir}).
     *
     * @throws IOException if it cannot be created or does not pass the ownership check
     */
    public static PrivateDir create(Path base) throws IOException {
        Path dir = Files.createTempDirectory(base.toAbsolutePath(), PREFIX + ProcFs.selfPid() + "-"); // mkdir 0700
        try {
            verifyOurs(dir);
            Files.setPosixFilePermissions(dir, MODE_0755);
            verifyOurs(dir);
            return new PrivateDir(dir, DirLock.acquire(dir));
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    /** Throws unless {@code dir} is a directory (not a symlink) owned by our uid and not group/other-writable. */
    static void verifyOurs(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory (or is a symbolic link)");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long uid = Native.posix().geteuid();
        if (owner != uid) {
            throw new IOException(dir + " is owned by uid " + owner + ", not by us (uid " + uid + ")");
        }
        if ((mode & 0022) != 0) {
            throw new IOException(dir + " is writable by group or others (mode " + Integer.toOctalString(mode & 07777) + ")");
        }
    }

    public Path path() {
        return path;
    }

    /**
     * Removes {@code BASE/jfpm-native-<pid>-*} directories owned by us whose creator no longer holds
     * the lock file inside (it died; checked by the lock, not by the pid, which another pid namespace
     * would show as gone); logs each. Returns the directories removed. Errors are logged, never thrown.
     */
    public static List<Path> removeStale(Path base) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, PREFIX + "*")) {
            for (Path dir : dirs) {
                long creator = creatorPid(dir.getFileName().toString());
                if (creator <= 0 || creator == ProcFs.selfPid()) {
                    continue;
                }
                try {
                    verifyOurs(dir);
                } catch (IOException e) {
                    continue; // not ours, or not a plain directory: leave it alone
                }
                // the creator's lock, not its pid: a jfpm in another pid namespace has a pid we cannot see
                java.util.Optional<DirLock> free = Files.exists(dir.resolve(DirLock.FILE_NAME), LinkOption.NOFOLLOW_LINKS)
                        ? DirLock.tryAcquire(dir) : java.util.Optional.empty();
                if (free.isEmpty()) {
                    continue;
                }
                try (DirLock held = free.get()) {
                    delete(dir);
                }
                LOG.info("removed {}, left by a jfpm (pid {}) that is gone", dir, creator);
                removed.add(dir);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot clean up stale native directories in {}: {}", base, e.toString());
        }
        return removed;
    }

    static long creatorPid(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            return dash > 0 ? Long.parseLong(rest.substring(0, dash)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Removes the directory and its contents. Idempotent; failures are logged. */
    @Override
    public void close() {
        try {
            delete(path);
            lock.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot remove {}: {}", path, e.toString());
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) { // does not follow links
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
