package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jfpm as PID 1 of a PID namespace ({@code unshare --pid --fork --mount-proc}), as in a container:
 * each worker leaves an orphan grandchild ({@code sleep 1}, double-forked) that is re-parented to
 * jfpm; once it exits, jfpm must reap it (no zombie whose parent is jfpm stays), and the workers'
 * own exits are still collected and logged with their real status.
 */
class Pid1Test {

    private static final String POOL = "adopt";

    @TempDir
    Path tmp;

    @Test
    void adoptedZombiesAreReapedAndWorkerExitsStillReported() throws Exception {
        List<String> worker = new ArrayList<>(List.of("sh", "-c", "(sleep 1 &); exec \"$0\" \"$@\""));
        worker.addAll(Workers.python());
        try (Jfpm jfpm = Jfpm.in(tmp).wrappedIn(List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child"))
                .pool(PoolSpec.named(POOL, worker, "none").staticPm(2)).start()) {
            long master = awaitOne(jfpm, () -> childrenOf(jfpm.pid()), "jfpm, the child of unshare");
            assertEquals("1", nsPid(master), "jfpm is PID 1 in its namespace");
            jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 2, Duration.ofSeconds(15), "2 workers started");

            // the orphans are adopted by jfpm, then exit; none may stay a zombie of jfpm
            jfpm.pollUntil(() -> childrenOf(master).stream().anyMatch(p -> comm(p).equals("sleep")),
                    Duration.ofSeconds(10), "an orphan sleep adopted by jfpm");
            jfpm.pollUntil(() -> childrenOf(master).stream().noneMatch(p -> comm(p).equals("sleep")),
                    Duration.ofSeconds(6), () -> "the adopted orphans exited and were reaped; children of jfpm: "
                            + describe(childrenOf(master)));

            // a worker's own exit is still the Reaper's, with its real status
            long victim = childrenOf(master).stream().filter(p -> comm(p).startsWith("python")).findFirst()
                    .orElseThrow(() -> new AssertionError("no python worker among " + describe(childrenOf(master))));
            String victimNsPid = nsPid(victim);
            Procs.signal(victim, "KILL");
            jfpm.awaitLog("\\[pool " + POOL + "\\] child " + victimNsPid + " exited on signal 9 \\(SIGKILL\\)",
                    Duration.ofSeconds(10));
            jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 2, Duration.ofSeconds(15), "the worker respawned");
            jfpm.pollUntil(() -> childrenOf(master).stream().noneMatch(p -> Procs.state(p).orElse('?') == 'Z'),
                    Duration.ofSeconds(6), () -> "no zombie child of jfpm: " + describe(childrenOf(master)));

            Procs.signal(master, "TERM");
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)), "graceful stop as PID 1");
            jfpm.awaitLog("\\[pool " + POOL + "\\] child \\d+ exited with code 0", Duration.ofSeconds(1));
        }
    }

    private static long awaitOne(Jfpm jfpm, java.util.function.Supplier<List<Long>> pids, String what) {
        long[] found = {-1};
        jfpm.pollUntil(() -> {
            List<Long> p = pids.get();
            if (p.size() == 1) {
                found[0] = p.get(0);
                return true;
            }
            return false;
        }, Duration.ofSeconds(15), what);
        return found[0];
    }

    static List<Long> childrenOf(long parent) {
        List<Long> kids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : dir) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (Procs.ppid(pid).orElse(-1L) == parent) {
                    kids.add(pid);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("list /proc: " + e, e);
        }
        return kids;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The pid as the innermost namespace sees it (last field of NSpid in /proc/PID/status). */
    private static String nsPid(long pid) throws IOException {
        Optional<String> line = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("NSpid:")).findFirst();
        String[] f = line.orElseThrow(() -> new AssertionError("no NSpid for " + pid)).trim().split("\\s+");
        return f[f.length - 1];
    }

    private static String describe(List<Long> pids) {
        StringBuilder b = new StringBuilder();
        for (long p : pids) {
            b.append(p).append('(').append(comm(p)).append(' ').append(Procs.state(p).orElse('?')).append(") ");
        }
        return b.toString();
    }
}
