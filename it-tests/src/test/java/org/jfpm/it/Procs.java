package org.jfpm.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/** Reads processes from /proc and signals them with kill(1). Linux only, as jfpm is. */
final class Procs {

    /** O_NONBLOCK as /proc/PID/fdinfo prints it (octal 04000). */
    static final int O_NONBLOCK = 04000;

    private Procs() {
    }

    /** The process exists and is not a zombie (a zombie has exited; it only waits to be reaped). */
    static boolean alive(long pid) {
        return state(pid).map(s -> s != 'Z' && s != 'X').orElse(false);
    }

    /** The state letter from /proc/PID/stat (R, S, D, T, Z, ...), empty when the process is gone. */
    static Optional<Character> state(long pid) {
        return stat(pid).map(fields -> fields.get(0).charAt(0));
    }

    static Optional<Long> ppid(long pid) {
        return stat(pid).map(fields -> Long.parseLong(fields.get(1)));
    }

    /** /proc/PID/stat fields after the command name: index 0 is the state (field 3 of proc(5)). */
    private static Optional<List<String>> stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String rest = s.substring(s.lastIndexOf(')') + 2).trim();
            return Optional.of(List.of(rest.split(" ")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** CPU time the process has used, user + system, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long cpuTicks(long pid) {
        List<String> f = stat(pid).orElseThrow(() -> new AssertionError("no /proc/" + pid + "/stat"));
        return Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
    }

    /** {@code Threads:} of /proc/PID/status. */
    static int threads(long pid) {
        Path p = Path.of("/proc", Long.toString(pid), "status");
        try {
            for (String line : Files.readAllLines(p)) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("read " + p + ": " + e, e);
        }
        throw new AssertionError(p + " has no Threads: line");
    }

    /** Children of {@code ppid} that have exited and are not reaped yet (state Z). */
    static List<Long> zombieChildren(long ppid) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (ppid(pid).orElse(-1L) == ppid && state(pid).orElse('?') == 'Z') {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("list /proc: " + e, e);
        }
        return found;
    }

    /** The numbers of the descriptors the process holds, sorted; empty when it is gone. */
    static TreeSet<Integer> fds(long pid) {
        TreeSet<Integer> fds = new TreeSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (IOException e) {
            return new TreeSet<>();
        }
        return fds;
    }

    /** What a descriptor points at, e.g. {@code socket:[12345]} or {@code pipe:[678]}. */
    static String fdTarget(long pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
        } catch (IOException e) {
            throw new AssertionError("readlink /proc/" + pid + "/fd/" + fd + ": " + e, e);
        }
    }

    /** The open-file-description flags of a descriptor ({@code flags:} in /proc/PID/fdinfo/FD, octal). */
    static int fdFlags(long pid, int fd) {
        Path p = Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd));
        try {
            for (String line : Files.readAllLines(p)) {
                if (line.startsWith("flags:")) {
                    return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("read " + p + ": " + e, e);
        }
        throw new AssertionError(p + " has no flags: line");
    }

    /** Whether the process's initial environment holds {@code needle} (e.g. {@code JFPM_SCOREBOARD=/dev/shm/x/}). */
    static boolean environContains(long pid, String needle) {
        try {
            byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            return new String(env, StandardCharsets.UTF_8).contains(needle);
        } catch (IOException e) {
            return false;
        }
    }

    /** Every live process whose environment holds {@code needle}. */
    static List<Long> withEnviron(String needle) {
        return matching(pid -> environContains(pid, needle));
    }

    /** Every live (non-zombie) process whose parent is {@code ppid}. */
    static List<Long> children(long ppid) {
        return matching(pid -> ppid(pid).orElse(-1L) == ppid);
    }

    /** Every live process other than this JVM that {@code test} accepts, from a /proc scan. */
    private static List<Long> matching(LongPredicate test) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid != ProcessHandle.current().pid() && test.test(pid) && alive(pid)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("list /proc: " + e, e);
        }
        return found;
    }

    /**
     * The process's initial environment (/proc/PID/environ, NUL-separated {@code NAME=value}
     * entries) as a map; empty when the process is gone or unreadable.
     */
    static Map<String, String> environ(long pid) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return env;
    }

    /** The process's name (/proc/PID/comm), empty when it is gone. */
    static Optional<String> comm(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The accept queue of the TCP socket listening on 127.0.0.1:{@code port}: connections the kernel
     * has completed and nobody has accepted yet ({@code rx_queue} of a LISTEN row of /proc/net/tcp,
     * which is the socket's {@code sk_ack_backlog}); -1 when nothing listens there.
     */
    static int tcpAcceptQueue(int port) {
        String local = String.format("0100007F:%04X", port);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].equals(local) && f[3].equals("0A")) {
                    return Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("read /proc/net/tcp: " + e, e);
        }
        return -1;
    }

    /** Runs {@code kill -s NAME pid}; returns whether kill succeeded (false when the process is gone). */
    static boolean signal(long pid, String name) {
        try {
            Process p = new ProcessBuilder("kill", "-s", name, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kill -s " + name + " " + pid + " did not return in 10 s");
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            throw new AssertionError("kill -s " + name + " " + pid + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while signalling " + pid, e);
        }
    }
}
