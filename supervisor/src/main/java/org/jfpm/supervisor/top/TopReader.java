package org.jfpm.supervisor.top;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import org.jfpm.pool.PoolIdentity;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.scoreboard.ReadBudget;
import org.jfpm.scoreboard.ScoreboardFormatException;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;
import org.jfpm.supervisor.status.PoolFields;
import org.jfpm.supervisor.status.ProcessFields;

/**
 * Reads the pools' scoreboard files for {@code jfpm top}, as {@code jfpm status} does
 * ({@code <scoreboard-dir>/jfpm-<pool>.scoreboard}, no master needed), keeping each file mapped
 * between refreshes and mapping it again when the name points at another file (a reload's new
 * generation). Nothing here throws on a garbled file: a pool that cannot be read becomes a
 * {@link TopPool#failed} entry and the next refresh tries again.
 */
final class TopReader {

    /** A heartbeat older than this is shown: the master writes one every second. */
    static final long STALE_HEARTBEAT_US = 5_000_000L;

    /** What the reader asks of the OS about a pid (RSS and process state), replaceable in tests. */
    interface Procs {
        /** RSS in bytes, -1 when unknown. */
        long rss(long pid);

        /** The state letter of /proc/PID/stat ('R', 'S', 'T', ...), or 0 when the process does not exist. */
        char state(long pid);

        Procs SYSTEM = new Procs() {
            @Override
            public long rss(long pid) {
                return validPid(pid) ? org.jfpm.os.ProcFs.rssBytes(pid) : -1;
            }

            @Override
            public char state(long pid) {
                return validPid(pid) ? procState(pid) : 0;
            }
        };
    }

    private record Mapped(ScoreboardReader reader, Object fileKey) {
    }

    private final Path dir;
    private final Procs procs;
    private final RateMeter rates = new RateMeter();
    private final Map<String, Mapped> mapped = new HashMap<>();

    TopReader(Path dir, Procs procs) {
        this.dir = dir;
        this.procs = procs;
    }

    /** Every pool of {@code names}, in that order, at wall time {@code nowUs} and monotonic time {@code nanos}. */
    List<TopPool> read(List<String> names, long nowUs, long nanos) {
        List<TopPool> pools = new ArrayList<>(names.size());
        for (String name : names) {
            pools.add(read(name, nowUs, nanos));
        }
        return pools;
    }

    TopPool read(String name, long nowUs, long nanos) {
        Path file = dir.resolve("jfpm-" + name + ".scoreboard");
        Mapped m;
        try {
            m = map(name, file);
        } catch (NoSuchFileException e) {
            return forget(name, "no scoreboard file " + file + " (is the pool running, with this scoreboard-dir?)");
        } catch (ScoreboardFormatException e) {
            return forget(name, file + " is not a usable scoreboard: " + e.problem());
        } catch (IOException | RuntimeException e) {
            return forget(name, "cannot read " + file + ": " + e);
        }
        try {
            return snapshot(name, m, nowUs, nanos);
        } catch (RuntimeException e) {
            return forget(name, "cannot read " + file + ": " + e);
        }
    }

    private TopPool forget(String name, String error) {
        mapped.remove(name);
        rates.forget(name);
        return TopPool.failed(name, error);
    }

    private Mapped map(String name, Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        Mapped m = mapped.get(name);
        if (m == null || key == null || !key.equals(m.fileKey())) {
            m = new Mapped(ScoreboardReader.open(file), key);
            mapped.put(name, m);
        }
        return m;
    }

    private TopPool snapshot(String name, Mapped m, long nowUs, long nanos) {
        PoolHeaderSnapshot h = m.reader().header();
        List<Optional<SlotSnapshot>> all = m.reader().allSlots(ReadBudget.perView());
        List<WorkerStatus> workers = new ArrayList<>();
        int unreadable = 0;
        for (Optional<SlotSnapshot> s : all) {
            if (s.isEmpty()) {
                unreadable++;
            } else if (s.get().inUse()) {
                workers.add(new WorkerStatus(s.get().pid(), s.get(), procs.rss(s.get().pid())));
            }
        }
        PoolStatus status = new PoolStatus(PoolIdentity.fromFile(h, name), h, workers, nowUs, false);
        List<TopRow> rows = new ArrayList<>(workers.size());
        for (WorkerStatus w : workers) {
            rows.add(TopRow.of(w.slot().index(), ProcessFields.of(w, nowUs)));
        }
        PoolFields fields = PoolFields.of(status);
        double rate = rates.update(name, m.fileKey(), fields.acceptedConn(), nanos);
        return new TopPool(name, null, fields, rate, masterNote(h, nowUs), unreadable, rows);
    }

    /** "master 123 is stopped (SIGSTOP), heartbeat 12 s old" and the like; null when the master looks fine. */
    String masterNote(PoolHeaderSnapshot h, long nowUs) {
        List<String> notes = new ArrayList<>();
        long pid = h.masterPid();
        char state = procs.state(pid);
        if (pid > 0 && state == 0) {
            notes.add("is not running: this scoreboard is stale");
        } else if (state == 'T' || state == 't') {
            notes.add("is stopped (SIGSTOP or a debugger)");
        }
        if (h.heartbeatUs() <= 0) {
            notes.add("never wrote a heartbeat");
        } else if (nowUs - h.heartbeatUs() > STALE_HEARTBEAT_US) {
            notes.add("heartbeat " + (nowUs - h.heartbeatUs()) / 1_000_000L + " s old");
        }
        return notes.isEmpty() ? null : "master " + pid + " " + String.join("; ", notes);
    }

    static boolean validPid(long pid) {
        return pid > 0 && pid <= 4_194_304L; // PID_MAX_LIMIT: a worker's garbage pid names no file under /proc
    }

    /** The state letter after the command's closing parenthesis in /proc/PID/stat, or 0. */
    static char procState(long pid) {
        try {
            return stateOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static char stateOf(String stat) {
        int close = stat.lastIndexOf(')');
        return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : 0;
    }
}
