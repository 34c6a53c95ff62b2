package org.jfpm.supervisor.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident set size from {@code /proc/<pid>/status} ({@code VmRSS}, in kB). */
public final class ProcRss {

    private ProcRss() {
    }

    /** RSS in bytes, or -1 when the process is gone, is a zombie/kernel thread, or /proc cannot be read. */
    public static long bytes(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim();
                    int space = kb.indexOf(' ');
                    return Long.parseLong(space < 0 ? kb : kb.substring(0, space)) * 1024L;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
