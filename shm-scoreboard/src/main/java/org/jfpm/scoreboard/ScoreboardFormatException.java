package org.jfpm.scoreboard;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file is not a usable scoreboard (too short, wrong magic or version, not ready yet, or a geometry
 * that does not match its size). The message names the file and the problem, e.g.
 * {@code /dev/shm/jfpm-www.scoreboard: bad magic 0x0000000000000000, expected 0x314243534D50464A}.
 */
public final class ScoreboardFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public ScoreboardFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** The problem without the file name, e.g. {@code not ready (version 0)}. */
    public String problem() {
        return problem;
    }
}
