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
}
