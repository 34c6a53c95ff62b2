package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A benchmark's temporary files: configs, logs, sockets and PHP scripts in a directory under
 * {@code /tmp}, scoreboards in a directory under {@code /dev/shm} (never jfpm's default directory,
 * which other jfpm instances on the machine may use). Both are removed by {@link #delete()}.
 */
final class Workspace {
    /** Sleeps {@code ?ms=} milliseconds (default 3000) and reports its pid and start/end (epoch seconds). */
    static final String SLEEP_PHP = """
            <?php
            $start = microtime(true);
            usleep((int) ($_GET['ms'] ?? 3000) * 1000);
            header('Content-Type: text/plain');
            printf("pid=%d start=%.6f end=%.6f\\n", getmypid(), $start, microtime(true));
            """;
    /** Answers at once with its pid. */
    static final String HELLO_PHP = """
            <?php
            printf("pid=%d\\n", getmypid());
            """;

    private final Path dir;
    private final Path shm;

    private Workspace(Path dir, Path shm) {
        this.dir = dir;
        this.shm = shm;
    }

    static Workspace create(String name) throws IOException {
        var open = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), name + "-", open);
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), name + "-", open);
        Workspace w = new Workspace(dir, shm);
        Files.createDirectories(w.www());
        Files.writeString(w.www().resolve("sleep.php"), SLEEP_PHP);
        Files.writeString(w.www().resolve("hello.php"), HELLO_PHP);
        return w;
    }

    Path dir() {
        return dir;
    }

    /** The scoreboard directory (tmpfs). */
    Path shm() {
        return shm;
    }

    /** The document root with sleep.php and hello.php. */
    Path www() {
        return dir.resolve("www");
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** Removes everything. */
    void delete() {
        deleteTree(dir);
        deleteTree(shm);
    }

    /** Removes the scoreboards only (keeps configs and logs for a look after a failure or with --keep). */
    void deleteScoreboards() {
        deleteTree(shm);
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("[bench] could not delete " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException e) {
            System.err.println("[bench] could not delete " + root + ": " + e.getMessage());
        }
    }
}
