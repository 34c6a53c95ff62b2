package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Proportional set size of processes from {@code /proc/PID/smaps_rollup}, in kB: {@code Pss} and its
 * parts {@code Pss_Anon}, {@code Pss_File} and {@code Pss_Shmem}. Pages shared by n processes count
 * 1/n in each, so the sum over a pool is the memory the pool really costs.
 */
record Pss(int processes, long pss, long anon, long file, long shmem) {

    static final Pss NONE = new Pss(0, 0, 0, 0, 0);

    /** One process, or {@link #NONE} when it is gone. */
    static Pss of(long pid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"));
        } catch (IOException e) {
            return NONE;
        }
        long pss = 0;
        long anon = 0;
        long file = 0;
        long shmem = 0;
        for (String l : lines) {
            String[] f = l.trim().split("\\s+");
            if (f.length < 2) {
                continue;
            }
            switch (f[0]) {
                case "Pss:" -> pss = Long.parseLong(f[1]);
                case "Pss_Anon:" -> anon = Long.parseLong(f[1]);
                case "Pss_File:" -> file = Long.parseLong(f[1]);
                case "Pss_Shmem:" -> shmem = Long.parseLong(f[1]);
                default -> {
                }
            }
        }
        return new Pss(1, pss, anon, file, shmem);
    }

    /** The sum over {@code pids} (the ones that are gone count nothing). */
    static Pss sum(List<Long> pids) {
        Pss s = NONE;
        for (long p : pids) {
            Pss one = of(p);
            s = new Pss(s.processes + one.processes, s.pss + one.pss, s.anon + one.anon, s.file + one.file, s.shmem + one.shmem);
        }
        return s;
    }

    /** PSS per process in MB (0 when there is none). */
    double perProcessMb() {
        return processes == 0 ? 0 : pss / 1024.0 / processes;
    }

    /** "4 × 1.31 MB = 5.2 MB (anon 4.9, file 0.3, shmem 0.0 MB)". */
    String describe() {
        if (processes == 0) {
            return "none";
        }
        return String.format(Locale.ROOT, "%d × %.2f MB = %.1f MB (anon %.1f, file %.1f, shmem %.1f MB)", processes,
                perProcessMb(), pss / 1024.0, anon / 1024.0, file / 1024.0, shmem / 1024.0);
    }
}
