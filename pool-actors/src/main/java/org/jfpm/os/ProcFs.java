package org.jfpm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads of {@code /proc} for diagnostics, status pages and tests. A vanished process is not an error. */
public final class ProcFs {
    private static final int SC_PAGESIZE = 30;
    private static final long PAGE_SIZE = Native.libc().sysconf(SC_PAGESIZE);

    private ProcFs() {
    }

    /** Resident set size in bytes (from {@code /proc/pid/statm}), or -1 if the process is gone. */
    public static long rssBytes(long pid) {
        String statm = read(pid, "statm");
        return statm == null ? -1 : rssFromStatm(statm);
    }

    /** The resident set size from the text of {@code /proc/PID/statm}, or -1 when it is not what statm looks like. */
    static long rssFromStatm(String statm) {
        String[] fields = statm.trim().split(" ");
        if (fields.length < 2) {
            return -1;
        }
        try {
            long pages = Long.parseLong(fields[1]);
            return pages < 0 ? -1 : pages * PAGE_SIZE;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The open fd numbers, sorted; empty if the process is gone. */
    public static List<Integer> openFds(long pid) {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/" + pid + "/fd: " + e, e);
        }
        Collections.sort(fds);
        return fds;
    }

    /** True if the process exists and is not a zombie. */
    public static boolean isAlive(long pid) {
        String stat = read(pid, "stat");
        if (stat == null) {
            return false;
        }
        int close = stat.lastIndexOf(')');
        char state = close + 2 < stat.length() ? stat.charAt(close + 2) : 'X';
        return state != 'Z' && state != 'X';
    }

    /** The parent pid of {@code pid} ({@code /proc/pid/stat} field 4), or -1 if it is gone. */
    public static long parent(long pid) {
        String stat = read(pid, "stat");
        if (stat == null) {
            return -1;
        }
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        try {
            return after.length > 1 ? Long.parseLong(after[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The fields of {@code /proc/pid/status} ({@code SigBlk}, {@code Uid}, ...); empty if gone. */
    public static Map<String, String> status(long pid) {
        String text = read(pid, "status");
        if (text == null) {
            return Map.of();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    /** The process's argv (from {@code /proc/pid/cmdline}); empty if it is gone (or a kernel thread). */
    public static List<String> cmdline(long pid) {
        String text = read(pid, "cmdline");
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        return List.of(text.split("\0"));
    }

    /** This JVM's pid. */
    public static long selfPid() {
        return ProcessHandle.current().pid();
    }

    private static String read(long pid, String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("No such process")) {
                return null;
            }
            throw new IllegalStateException("cannot read /proc/" + pid + "/" + file + ": " + e, e);
        }
    }
}
