package org.jfpm.scoreboard;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * This process's CPU time and resident memory, read without allocating on each call.
 * Not thread-safe (one reusable buffer): one owner, the worker's {@link SlotWriter}.
 */
final class ProcessMetrics implements AutoCloseable {

    /** The base page size on Linux x86_64, the unit of {@code /proc/self/statm}. */
    private static final long PAGE_SIZE = 4096;

    private final com.sun.management.OperatingSystemMXBean os;
    private final FileChannel statm;
    private final ByteBuffer statmBuf = ByteBuffer.allocateDirect(256);

    ProcessMetrics() {
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        this.os = bean instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null;
        FileChannel channel;
        try {
            channel = FileChannel.open(Path.of("/proc/self/statm"), StandardOpenOption.READ);
        } catch (IOException e) {
            channel = null;
        }
        this.statm = channel;
    }

    /** Process user + system CPU time in µs ({@code getProcessCpuTime}); the thread's when unavailable. */
    long cpuUs() {
        long ns = os != null ? os.getProcessCpuTime() : -1;
        if (ns < 0) {
            ns = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }
        return Math.max(0, ns / 1_000);
    }

    /** Resident set size in bytes (second field of {@code /proc/self/statm}), 0 when unreadable. */
    long rssBytes() {
        if (statm == null) {
            return 0;
        }
        statmBuf.clear();
        try {
            int n = statm.read(statmBuf, 0);
            if (n <= 0) {
                return 0;
            }
        } catch (IOException e) {
            return 0;
        }
        int i = 0;
        int limit = statmBuf.position();
        while (i < limit && statmBuf.get(i) != ' ') {
            i++;
        }
        long pages = 0;
        for (i++; i < limit; i++) {
            byte c = statmBuf.get(i);
            if (c < '0' || c > '9') {
                break;
            }
            pages = pages * 10 + (c - '0');
        }
        return pages * PAGE_SIZE;
    }

    @Override
    public void close() {
        if (statm != null) {
            try {
                statm.close();
            } catch (IOException ignored) {
                // a read-only /proc file: nothing to flush or lose
            }
        }
    }
}
