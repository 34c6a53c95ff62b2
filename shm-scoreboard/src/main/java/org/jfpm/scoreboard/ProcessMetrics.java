package org.jfpm.scoreboard;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
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

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean threadCpu = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final FileChannel statm;
    private final ByteBuffer statmBuf = ByteBuffer.allocateDirect(256);

    ProcessMetrics() {
        FileChannel channel;
        try {
            channel = FileChannel.open(Path.of("/proc/self/statm"), StandardOpenOption.READ);
        } catch (IOException e) {
            channel = null;
        }
        this.statm = channel;
    }

    /**
     * CPU time (user + system) in µs of the calling thread, the worker's request thread: nanosecond
     * precise. The process total ({@code getProcessCpuTime}) is the fallback only, because on Linux it
     * comes from {@code times(2)} in 10 ms ticks, too coarse for one request.
     */
    long cpuUs() {
        long ns = threadCpu ? threads.getCurrentThreadCpuTime() : -1;
        if (ns < 0 && os instanceof com.sun.management.OperatingSystemMXBean sun) {
            ns = sun.getProcessCpuTime();
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
