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
 *
 * <p>A jfpm template ({@code spawn-mode = fork}) is a child of the master but no worker: children
 * whose name ({@code comm}) is {@value #TEMPLATE_COMM} are not counted, and are listed by
 * {@link #templates()}. The name is read at every count, since a freshly forked worker carries the
 * template's name for the few microseconds until it restores its own.
 */
final class ChildCounter {
    private static final Path PROC = Path.of("/proc");
    /** What jfpm's template calls itself once it is ready ({@code /proc/PID/comm}). */
    static final String TEMPLATE_COMM = "jfpm-template";

    private final long parent;
    private final LongConsumer onNewChild;
    /** pid → is a child of {@link #parent}; entries leave when the pid leaves /proc. */
    private final Map<Long, Boolean> known = new HashMap<>();
    /** The children named {@link #TEMPLATE_COMM} at the last count. */
    private final Set<Long> templates = new HashSet<>();

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
        templates.clear();
        int live = 0;
        for (String name : names) {
            if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                continue;
            }
            long pid = Long.parseLong(name);
            present.add(pid);
            Boolean child = known.get(pid);
            if (child == null) {
                Stat stat = stat(pid);
                if (stat == null) {
                    continue;
                }
                child = stat.ppid() == parent;
                known.put(pid, child);
                if (child) {
                    onNewChild.accept(pid);
                }
                if (child && stat.state() != 'Z') {
                    live += countAsWorker(pid, stat);
                }
            } else if (child) {
                Stat stat = stat(pid);
                if (stat != null && stat.ppid() == parent && stat.state() != 'Z') {
                    live += countAsWorker(pid, stat);
                }
            }
        }
        known.keySet().retainAll(present);
        return live;
    }

    private int countAsWorker(long pid, Stat stat) {
        if (stat.comm().equals(TEMPLATE_COMM)) {
            templates.add(pid);
            return 0;
        }
        return 1;
    }

    /** The child pids seen in the last {@link #count()} (live or zombie), templates included. */
    java.util.List<Long> children() {
        return known.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    /** The live worker pids at the last {@link #count()}: children without the templates. */
    java.util.List<Long> workers() {
        return children().stream().filter(p -> !templates.contains(p) && isLive(p)).sorted().toList();
    }

    /** The live children named {@value #TEMPLATE_COMM} at the last {@link #count()}. */
    java.util.List<Long> templates() {
        return templates.stream().sorted().toList();
    }

    private boolean isLive(long pid) {
        Stat s = stat(pid);
        return s != null && s.ppid() == parent && s.state() != 'Z';
    }

    private record Stat(char state, long ppid, String comm) {
    }

    /** State, ppid and comm from /proc/PID/stat, or null when the process is gone. */
    private static Stat stat(long pid) {
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
        int open = s.indexOf('(');
        char state = s.charAt(close + 2);
        int start = close + 4;
        int end = s.indexOf(' ', start);
        if (end < 0 || open < 0) {
            return null;
        }
        return new Stat(state, Long.parseLong(s.substring(start, end)), s.substring(open + 1, close));
    }
}
