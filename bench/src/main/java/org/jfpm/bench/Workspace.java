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

    /**
     * CPU-bound: {@code ?n=} rounds (default 100000) of integer arithmetic and a string hash, a few
     * milliseconds of PHP on this machine; answers with its pid and a checksum.
     */
    static final String CPU_PHP = """
            <?php
            $n = (int) ($_GET['n'] ?? 100000);
            $x = 0;
            for ($i = 0; $i < $n; $i++) {
                $x = ($x * 31 + ($i ^ ($x >> 3))) & 0xffffff;
            }
            printf("pid=%d x=%d h=%s\n", getmypid(), $x, md5((string) $x));
            """;
    /**
     * The answering worker's OPcache and APCu figures, one line: pid, cached scripts, hits, misses,
     * OPcache memory used, APCu entries (for the cause of a throughput difference).
     */
    static final String CACHES_PHP = """
            <?php
            $o = function_exists('opcache_get_status') ? opcache_get_status(false) : false;
            $a = function_exists('apcu_cache_info') ? @apcu_cache_info(true) : false;
            printf("pid=%d opcache=%s scripts=%d hits=%d misses=%d used=%d apcu_entries=%s\n", getmypid(),
                $o && $o['opcache_enabled'] ? 'on' : 'off',
                $o ? $o['opcache_statistics']['num_cached_scripts'] : -1,
                $o ? $o['opcache_statistics']['hits'] : -1,
                $o ? $o['opcache_statistics']['misses'] : -1,
                $o ? $o['memory_usage']['used_memory'] : -1,
                $a ? $a['num_entries'] : '-');
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
        Files.writeString(w.www().resolve("cpu.php"), CPU_PHP);
        Files.writeString(w.www().resolve("caches.php"), CACHES_PHP);
        return w;
    }

    /**
     * Links {@code www/NAME} to an installed application directory (e.g. {@code /usr/share/dokuwiki}),
     * so that nginx serves it under {@code /NAME/} from its installed files.
     */
    Path link(String name, Path target) throws IOException {
        if (!Files.isDirectory(target)) {
            throw new IOException(target + ": no such directory");
        }
        Path link = www().resolve(name);
        Files.deleteIfExists(link);
        return Files.createSymbolicLink(link, target);
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
