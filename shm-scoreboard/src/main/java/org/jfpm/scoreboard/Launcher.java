package org.jfpm.scoreboard;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The worker launcher {@code jfpm-launch} (built static from {@code src/main/c/jfpm_launch.c} and
 * shipped in this jar): {@code jfpm-launch MASTER_PID PROGRAM ARG...} sets
 * {@code PR_SET_PDEATHSIG = SIGKILL}, exits with status {@link #EXIT_PARENT_GONE} if its parent is no
 * longer {@code MASTER_PID}, and otherwise execs {@code PROGRAM} (same pid). It must come last in a
 * launch chain, after any {@code setpriv}: the kernel clears the death signal when euid/egid change.
 * See {@code docs/signals.md}, "No orphans".
 */
public final class Launcher {

    /** Where the launcher lives on the classpath. */
    public static final String RESOURCE = "org/jfpm/scoreboard/native/jfpm-launch";

    /** The launcher's exit status when the master was gone before the death signal was armed. */
    public static final int EXIT_PARENT_GONE = 125;

    private Launcher() {
    }

    /**
     * Copies the launcher into {@code dir} (a directory only this user can write) as
     * {@code jfpm-launch-<sha256 prefix>}, mode 0755, and returns its absolute path.
     */
    public static Path extract(Path dir) throws IOException {
        return NativeResource.extract(dir, RESOURCE, "jfpm-launch-", "");
    }

    /** The argv prefix that runs a program under {@code launcher} for the master {@code masterPid}. */
    public static List<String> prefix(Path launcher, long masterPid) {
        return List.of(launcher.toString(), Long.toString(masterPid));
    }

    /**
     * As {@link #prefix(Path, long)}, and the launcher sets {@code LD_PRELOAD=ldPreload} just before it
     * execs the program (null or empty: it leaves the environment alone).
     */
    public static List<String> prefix(Path launcher, long masterPid, String ldPreload) {
        if (ldPreload == null || ldPreload.isEmpty()) {
            return prefix(launcher, masterPid);
        }
        return List.of(launcher.toString(), Long.toString(masterPid), "--ld-preload=" + ldPreload);
    }
}
