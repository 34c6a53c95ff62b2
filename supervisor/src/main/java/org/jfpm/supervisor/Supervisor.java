package org.jfpm.supervisor;

import org.jfpm.supervisor.config.SupervisorConfig;

/** Placeholder so the supervisor branch compiles; the lead replaces this class at merge. */
public final class Supervisor {

    private Supervisor() {
    }

    /** Runs the supervisor in the foreground until it stops; returns the process exit code. */
    public static int run(SupervisorConfig config) {
        System.err.println("supervisor not yet wired");
        return 1;
    }
}
