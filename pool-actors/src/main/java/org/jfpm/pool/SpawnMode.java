package org.jfpm.pool;

import java.util.Locale;
import java.util.Optional;
import org.jfpm.scoreboard.Accounting;

/**
 * How a pool makes its workers: {@code exec} spawns each one ({@code posix_spawn} of the command);
 * {@code fork} clones each one from a template worker that has done its start-up (see
 * docs/preload.md, "Templates"); {@code auto} forks where that can work, else execs.
 */
public enum SpawnMode {
    AUTO, EXEC, FORK;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for a configuration value, case-insensitive; empty if there is none. */
    public static Optional<SpawnMode> parse(String text) {
        for (SpawnMode m : values()) {
            if (m.configName().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /**
     * Why a pool in this mode cannot fork, given its accounting; empty when it can try (the template
     * may still refuse at its first accept). Forking needs the preload library, which is what serves
     * the fork requests in the template.
     */
    public Optional<String> whyExec(Accounting accounting) {
        if (this == EXEC) {
            return Optional.of("spawn-mode = exec");
        }
        if (accounting != Accounting.PRELOAD) {
            return Optional.of("accounting = " + accounting.configName() + " (forking needs the preload library)");
        }
        return Optional.empty();
    }
}
