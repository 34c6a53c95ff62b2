package org.jfpm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and stops the workers a dead jfpm left behind on a scoreboard directory, and removes its stale
 * scoreboard files. Call it only while holding that directory's {@link DirLock}: then no live jfpm
 * uses the directory, and whatever still claims it belongs to a dead one.
 *
 * <p>A leftover is identified from {@code /proc} alone, never from pids read in a scoreboard (a stale
 * pid may be anyone's now): its initial environment has {@code JFPM_SCOREBOARD} inside the directory
 * (the value's parent is exactly the directory), and it started no later than this process's clock
 * tick (field 22 of {@code /proc/PID/stat}, 10 ms ticks), so a worker we spawn ourselves, after
 * start-up, can never match. The same tick counts as before: under the {@link DirLock} no live jfpm
 * uses the directory, and a leftover created just before us (as a test does) shares our tick. Each is signalled through a
 * pidfd opened before the final check, so a pid recycled in between is never hit. The stop-signal of
 * the dead pool is not known: SIGTERM, then SIGKILL for those still alive after {@code grace}.
 */
public final class Leftovers {
    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final String MARKER = "JFPM_SCOREBOARD=";

    private Leftovers() {
    }

    /** Pids of live processes whose {@code JFPM_SCOREBOARD} lies in {@code dir} and that started before us. */
    public static List<Long> find(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        long self = ProcFs.selfPid();
        long ourStart = startTime(self).orElseThrow(() -> new IllegalStateException("cannot read /proc/self/stat"));
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid != self && claims(pid, abs, ourStart)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e, e);
        }
        return found;
    }

    /** True if {@code pid} is alive, has its scoreboard in {@code dir} and started no later than tick {@code before}. */
    static boolean claims(long pid, Path dir, long before) {
        Optional<Long> start = startTime(pid);
        if (start.isEmpty() || start.get() > before || !ProcFs.isAlive(pid)) {
            return false;
        }
        return scoreboardOf(pid).map(sb -> dir.equals(sb.getParent())).orElse(false);
    }

    /** The {@code JFPM_SCOREBOARD} path of {@code pid}'s initial environment, normalized. */
    static Optional<Path> scoreboardOf(long pid) {
        byte[] env;
        try {
            env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        } catch (IOException e) {
            return Optional.empty(); // gone, or not ours to read
        }
        for (String kv : new String(env, StandardCharsets.UTF_8).split("\0")) {
            if (kv.startsWith(MARKER) && kv.length() > MARKER.length()) {
                try {
                    Path p = Path.of(kv.substring(MARKER.length()));
                    return p.isAbsolute() ? Optional.of(p.normalize()) : Optional.empty();
                } catch (RuntimeException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** Field 22 of {@code /proc/PID/stat}: start time in clock ticks after boot; empty if gone. */
    static Optional<Long> startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(f[22 - 3])); // f[0] is field 3 (state)
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Stops every leftover of {@code dir}: SIGTERM, then SIGKILL after {@code grace} for any still
     * alive; logs each. Returns the pids signalled.
     */
    public static List<Long> stop(Path dir, Duration grace) {
        Path abs = dir.toAbsolutePath().normalize();
        long ourStart = startTime(ProcFs.selfPid()).orElseThrow();
        List<long[]> targets = new ArrayList<>(); // {pid, pidfd}
        for (long pid : find(abs)) {
            long pidfd = Native.libc().syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
            if (pidfd < 0) {
                continue; // gone already
            }
            if (!claims(pid, abs, ourStart)) { // re-check now that the pidfd pins this very process
                Native.closeQuietly((int) pidfd);
                continue;
            }
            LOG.warn("stopping leftover worker {} of a dead jfpm (JFPM_SCOREBOARD={}) with SIGTERM", pid,
                    scoreboardOf(pid).map(Path::toString).orElse("?"));
            send(pidfd, Signals.SIGTERM);
            targets.add(new long[] {pid, pidfd});
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (targets.stream().anyMatch(t -> ProcFs.isAlive(t[0])) && System.nanoTime() < deadline) {
            sleep(20);
        }
        List<Long> pids = new ArrayList<>();
        for (long[] t : targets) {
            if (ProcFs.isAlive(t[0])) {
                LOG.warn("leftover worker {} still alive after {} ms; SIGKILL", t[0], grace.toMillis());
                send(t[1], Signals.SIGKILL);
            }
            Native.closeQuietly((int) t[1]);
            pids.add(t[0]);
        }
        return pids;
    }

    /**
     * Removes the scoreboard files ({@code jfpm-*.scoreboard}) in {@code dir}; logs each. Only while
     * holding the {@link DirLock}: no live jfpm uses them then.
     */
    public static List<Path> removeStaleScoreboards(Path dir) {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "jfpm-*.scoreboard")) {
            for (Path f : files) {
                if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(f)) {
                    LOG.warn("removed stale scoreboard {} of a dead jfpm", f);
                    removed.add(f);
                }
            }
        } catch (NoSuchFileException e) {
            return removed;
        } catch (IOException e) {
            LOG.warn("cannot clean up stale scoreboards in {}: {}", dir, e.toString());
        }
        return removed;
    }

    private static void send(long pidfd, int signal) {
        Native.libc().syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0); // ESRCH: it exited meanwhile
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
