package org.jfpm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Counts the live (non-zombie) children of one process from {@code /proc} (this kernel has no
 * {@code /proc/PID/task/TID/children}). Incremental, so that it can run every 10 ms on a 2-core
 * machine: each call lists {@code /proc} and reads {@code stat} only for pids it has not seen yet
 * and for the known children. Not thread-safe: one sampling thread.
 */
final class ChildCounter {
    private static final Path PROC = Path.of("/proc");

    private final long parent;
    private final LongConsumer onNewChild;
    /** pid → is a child of {@link #parent}; entries leave when the pid leaves /proc. */
    private final Map<Long, Boolean> known = new HashMap<>();

    /** {@code onNewChild} is called once for every child pid seen (e.g. to register it for cleanup). */
    ChildCounter(long parent, LongConsumer onNewChild) {
        this.parent = parent;
        this.onNewChild = onNewChild;
    }

    /** The live children now. */
    int count() {
        String[] names = PROC.toFile().list();
        if (names == null) {
            throw new IllegalStateException("cannot list /proc");
        }
        Set<Long> present = new HashSet<>(names.length * 2);
        int live = 0;
        for (String name : names) {
            if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                continue;
            }
            long pid = Long.parseLong(name);
            present.add(pid);
            Boolean child = known.get(pid);
            if (child == null) {
                long[] stat = stat(pid);
                if (stat == null) {
                    continue;
                }
                child = stat[1] == parent;
                known.put(pid, child);
                if (child) {
                    onNewChild.accept(pid);
                }
                if (child && stat[0] != 'Z') {
                    live++;
                }
            } else if (child) {
                long[] stat = stat(pid);
                if (stat != null && stat[1] == parent && stat[0] != 'Z') {
                    live++;
                }
            }
        }
        known.keySet().retainAll(present);
        return live;
    }

    /** The child pids seen in the last {@link #count()} (live or zombie). */
    java.util.List<Long> children() {
        return known.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    /** {state char, ppid} from /proc/PID/stat, or null when the process is gone. */
    private static long[] stat(long pid) {
        String s;
        try {
            s = new String(Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("stat")), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        }
        int close = s.lastIndexOf(')');
        if (close < 0 || close + 4 >= s.length()) {
            return null;
        }
        char state = s.charAt(close + 2);
        int start = close + 4;
        int end = s.indexOf(' ', start);
        if (end < 0) {
            return null;
        }
        return new long[] {state, Long.parseLong(s.substring(start, end))};
    }
}
