package org.jfpm.supervisor.status;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.scoreboard.ScoreboardFormatException;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.supervisor.config.SupervisorConfig;

/**
 * {@code jfpm status}: prints each pool's status read straight from its scoreboard file
 * ({@code <scoreboard-dir>/jfpm-<pool>.scoreboard}), so it works while the master is hung or gone.
 *
 * <p>Output: per pool, PHP-FPM's {@code full} text format (or, with {@code --json}, its
 * {@code ?json&full} object, one per line), plus {@code max children}, {@code terminated requests}
 * and each worker's {@code rss} from {@code /proc}. Pools are separated by a blank line.
 * When the master's heartbeat is older than {@value #STALE_HEARTBEAT_SECONDS} s, a
 * {@code WARNING: [pool P] master heartbeat is N s old: the master may be hung} line precedes the
 * pool (on stderr with {@code --json}, keeping stdout pure JSON); a master pid that is not running
 * gives {@code WARNING: [pool P] master pid N is not running: this scoreboard is stale}.
 *
 * <p>Exit status: 0 when every pool was printed; 1 when a pool's file is missing or unreadable
 * ({@code ERROR: [pool P] ...} on stderr, the other pools are still printed) or when no pool was found.
 */
public final class StatusCommand {

    /** A heartbeat older than this many seconds is reported: the master writes one every second. */
    public static final long STALE_HEARTBEAT_SECONDS = 5;

    private static final String USAGE = "usage: StatusCommand --scoreboard-dir DIR [--pool NAME]... [--json]";

    private StatusCommand() {
    }

    /**
     * {@code jfpm status [--config FILE] [--pool NAME] [--json]} once the configuration is loaded:
     * the configuration's pools (or only {@code poolOrNull}) from its {@code scoreboard-dir}.
     *
     * @return the exit status: 0, or 1 when some pool could not be read or {@code poolOrNull} is not configured
     */
    public static int run(SupervisorConfig config, String poolOrNull, boolean json, PrintStream out, PrintStream err) {
        List<String> configured = config.pools().stream().map(p -> p.name()).toList();
        if (poolOrNull != null && !configured.contains(poolOrNull)) {
            err.println("ERROR: no pool named '" + poolOrNull + "' in " + config.source() + " (pools: " + String.join(", ", configured) + ")");
            return 1;
        }
        return run(config.scoreboardDir(), poolOrNull == null ? configured : List.of(poolOrNull), json, out, err);
    }

    /**
     * Prints the named pools from {@code scoreboardDir}; with no names, every
     * {@code jfpm-*.scoreboard} file in the directory, in name order.
     *
     * @return the exit status: 0, or 1 when some pool could not be read or none was found
     */
    public static int run(Path scoreboardDir, List<String> poolNames, boolean json, PrintStream out, PrintStream err) {
        return run(scoreboardDir, poolNames, json, out, err, ZoneId.systemDefault());
    }

    static int run(Path scoreboardDir, List<String> poolNames, boolean json, PrintStream out, PrintStream err, ZoneId zone) {
        List<String> pools = poolNames;
        if (pools.isEmpty()) {
            try {
                pools = discover(scoreboardDir);
            } catch (IOException e) {
                err.println("ERROR: cannot list scoreboard directory " + scoreboardDir + ": " + e);
                return 1;
            }
            if (pools.isEmpty()) {
                err.println("ERROR: no jfpm-*.scoreboard file in " + scoreboardDir + " (is jfpm running with scoreboard-dir = "
                        + scoreboardDir + "?)");
                return 1;
            }
        }
        int status = 0;
        boolean first = true;
        for (String pool : pools) {
            Path file = scoreboardDir.resolve("jfpm-" + pool + ".scoreboard");
            Optional<PoolStatus> read = read(pool, file, err);
            if (read.isEmpty()) {
                status = 1;
                continue;
            }
            PoolStatus s = read.get();
            if (!json && !first) {
                out.println();
            }
            first = false;
            masterWarning(pool, s).ifPresent(w -> (json ? err : out).println(w));
            String body = StatusPage.render(s, json ? StatusFormat.JSON : StatusFormat.TEXT, true, zone, true);
            if (json) {
                out.println(body);
            } else {
                out.print(body);
            }
        }
        out.flush();
        return status;
    }

    /** {@code --scoreboard-dir DIR [--pool NAME]... [--json]}: the command without a configuration file. */
    public static void main(String[] args) {
        Path dir = null;
        List<String> pools = new ArrayList<>();
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--scoreboard-dir" -> dir = Path.of(value(args, ++i, "--scoreboard-dir"));
                case "--pool" -> pools.add(value(args, ++i, "--pool"));
                case "--json" -> json = true;
                default -> {
                    System.err.println("ERROR: unknown argument '" + args[i] + "'\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (dir == null) {
            System.err.println("ERROR: --scoreboard-dir is required\n" + USAGE);
            System.exit(2);
        }
        System.exit(run(dir, pools, json, System.out, System.err));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("ERROR: " + option + " needs a value\n" + USAGE);
            System.exit(2);
        }
        return args[i];
    }

    private static List<String> discover(Path dir) throws IOException {
        List<String> pools = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "jfpm-*.scoreboard")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                pools.add(name.substring("jfpm-".length(), name.length() - ".scoreboard".length()));
            }
        }
        pools.sort(null);
        return pools;
    }

    private static Optional<PoolStatus> read(String pool, Path file, PrintStream err) {
        try {
            ScoreboardReader reader = ScoreboardReader.open(file);
            return Optional.of(ScoreboardStatus.read(reader, pool, System.currentTimeMillis() * 1000L, org.jfpm.os.ProcFs::rssBytes));
        } catch (NoSuchFileException e) {
            err.println("ERROR: [pool " + pool + "] no scoreboard file " + file + " (is the pool running, with this scoreboard-dir?)");
        } catch (ScoreboardFormatException e) {
            err.println("ERROR: [pool " + pool + "] " + file + " is not a usable scoreboard: " + e.problem());
        } catch (IOException | RuntimeException e) {
            err.println("ERROR: [pool " + pool + "] cannot read " + file + ": " + e);
        }
        return Optional.empty();
    }

    /** The warning for a dead or silent master, if any. */
    static Optional<String> masterWarning(String pool, PoolStatus s) {
        PoolHeaderSnapshot h = s.header();
        if (h.masterPid() > 0 && !ProcessHandle.of(h.masterPid()).map(ProcessHandle::isAlive).orElse(false)) {
            return Optional.of("WARNING: [pool " + pool + "] master pid " + h.masterPid() + " is not running: this scoreboard is stale");
        }
        if (h.heartbeatUs() <= 0) {
            return Optional.of("WARNING: [pool " + pool + "] master heartbeat was never written: the master may be hung");
        }
        long ageUs = s.nowUs() - h.heartbeatUs();
        if (ageUs > STALE_HEARTBEAT_SECONDS * 1_000_000L) {
            return Optional.of("WARNING: [pool " + pool + "] master heartbeat is " + ageUs / 1_000_000L + " s old: the master may be hung");
        }
        return Optional.empty();
    }
}
