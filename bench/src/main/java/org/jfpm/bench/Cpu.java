package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time a process has used so far, in nanoseconds: the sum over its threads of the first field
 * of {@code /proc/PID/task/TID/schedstat} (time on CPU, ns resolution; {@code /proc/PID/stat}
 * counts 10 ms ticks).
 */
final class Cpu {

    private Cpu() {
    }

    /** CPU ns per thread name (digits replaced by '#', so pools of threads add up), for a breakdown. */
    static Map<String, Long> byThread(long pid) {
        Map<String, Long> out = new HashMap<>();
        String[] tids = Path.of("/proc", Long.toString(pid), "task").toFile().list();
        if (tids == null) {
            return out;
        }
        for (String tid : tids) {
            try {
                Path task = Path.of("/proc", Long.toString(pid), "task", tid);
                String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                String s = Files.readString(task.resolve("schedstat"));
                out.merge(name, Long.parseLong(s.substring(0, s.indexOf(' '))), Long::sum);
            } catch (IOException | RuntimeException e) {
                // the thread ended between the listing and the read
            }
        }
        return out;
    }

    /** "name 12 ms, ..." for the {@code top} threads that used most CPU between two {@link #byThread} readings. */
    static String topDelta(Map<String, Long> before, Map<String, Long> after, int top) {
        Map<String, Long> delta = new HashMap<>();
        after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
        return delta.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .map(e -> String.format(Locale.ROOT, "%s %.0f ms", e.getKey(), e.getValue() / 1e6))
                .collect(Collectors.joining(", "));
    }

    /** The process's CPU time in ns, or -1 when it is gone. */
    static long nanos(long pid) {
        String[] tids = Path.of("/proc", Long.toString(pid), "task").toFile().list();
        if (tids == null) {
            return -1;
        }
        long sum = 0;
        for (String tid : tids) {
            try {
                String s = Files.readString(Path.of("/proc", Long.toString(pid), "task", tid, "schedstat"));
                sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
            } catch (IOException | RuntimeException e) {
                // the thread ended between the listing and the read
            }
        }
        return sum;
    }

    /**
     * CPU time from {@code /proc/PID/stat} in ms (10 ms ticks): {self, reaped children} of
     * {@code pid}, or {0, 0} when it is gone. The reaped children's part grows when the process
     * waits for an exited child.
     */
    static double[] ticksMs(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14 = f[11], stime f[12], cutime f[13], cstime f[14]
            long self = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return new double[] {self * 10.0, children * 10.0};
        } catch (IOException | RuntimeException e) {
            return new double[] {0, 0};
        }
    }

    /**
     * The CPU time (ms) of a master's children so far: the reaped ones (the master's cutime +
     * cstime) plus {@code live}, the children alive now. Deltas of it over a run count every worker
     * that ran in it, also the ones that exited.
     */
    static double childrenMs(long master, java.util.List<Long> live) {
        double sum = ticksMs(master)[1];
        for (long p : live) {
            sum += ticksMs(p)[0];
        }
        return sum;
    }
}
