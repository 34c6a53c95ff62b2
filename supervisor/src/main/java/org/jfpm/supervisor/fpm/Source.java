package org.jfpm.supervisor.fpm;

import java.nio.file.Path;

/** Where a line of PHP-FPM configuration comes from: {@code file:line} (1-based; 0 for the file as a whole). */
public record Source(Path file, int line) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file.toString();
    }
}
