package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jfpm-launch} as a real process: it execs its program in place, the program dies with the
 * launcher's parent (PR_SET_PDEATHSIG), and a launcher whose parent is already gone when it starts
 * exits at once instead of running an orphan (the re-check {@code setpriv --pdeathsig} lacks).
 */
class LauncherTest {
    @TempDir
    Path dir;

    private final List<Long> toKill = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        toKill.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void execsTheProgramInPlaceWhenTheParentIsTheExpectedOne() throws Exception {
        Path launcher = Launcher.extract(dir);
        Process p = new ProcessBuilder(launcher.toString(), Long.toString(ProcessHandle.current().pid()),
                "sh", "-c", "echo $$; exit 7").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(7, p.exitValue(), "the program's own exit status: " + out);
        assertEquals(Long.toString(p.pid()), out, "the program runs with the launcher's pid");
    }

    @Test
    void setsLdPreloadForTheProgramOnlyWhenAsked() throws Exception {
        Path launcher = Launcher.extract(dir);
        List<String> argv = new java.util.ArrayList<>(Launcher.prefix(launcher, ProcessHandle.current().pid(), "/x/lib.so"));
        argv.addAll(List.of("sh", "-c", "echo \"$LD_PRELOAD\""));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        // sh itself loads /x/lib.so: ld.so only warns that it cannot be preloaded
        assertTrue(out.endsWith("/x/lib.so"), out);
        assertEquals(Launcher.prefix(launcher, 1), Launcher.prefix(launcher, 1, null));
        assertEquals(126, run(launcher.toString(), Long.toString(ProcessHandle.current().pid()), "--ld-preload=/x.so"),
                "an option and no program");
    }

    @Test
    void refusesAWrongParentPidAndBadUsage() throws Exception {
        Path launcher = Launcher.extract(dir);
        assertEquals(Launcher.EXIT_PARENT_GONE, run(launcher.toString(), "999999999", "true"), "a parent that is not ours");
        assertEquals(126, run(launcher.toString(), "x", "true"), "a pid that is not a number");
        assertEquals(126, run(launcher.toString(), Long.toString(ProcessHandle.current().pid())), "no program");
        assertEquals(127, run(launcher.toString(), Long.toString(ProcessHandle.current().pid()), "/nonexistent/prog"));
    }

    @Test
    void theProgramDiesWhenTheLaunchersParentIsKilled() throws Exception {
        Path launcher = Launcher.extract(dir);
        // outer: starts the launcher in the background (its parent = outer), prints its pid, then becomes sleep
        Process outer = new ProcessBuilder("sh", "-c", "'" + launcher + "' $$ sleep 300 & echo $!; exec sleep 300")
                .redirectErrorStream(true).start();
        toKill.add(outer.pid());
        long worker = Long.parseLong(firstLine(outer));
        toKill.add(worker);
        awaitComm(worker, "sleep");
        outer.destroyForcibly();
        awaitGone(worker, 2000, "the worker to die with its parent (PR_SET_PDEATHSIG)");
    }

    @Test
    void exitsAtOnceWhenItsParentIsGoneBeforeItStarts() throws Exception {
        Path launcher = Launcher.extract(dir);
        // outer starts an intermediate in the background and exits; the intermediate waits until outer is
        // gone (it has been re-parented), then execs the launcher with outer's pid as the expected parent.
        // Without the getppid() re-check the launcher would arm PDEATHSIG for a parent that never dies and
        // run "sleep 300" as an orphan.
        String inner = "while kill -0 $$ 2>/dev/null; do sleep 0.02; done; exec '" + launcher + "' $$ sleep 300";
        Process outer = new ProcessBuilder("sh", "-c", "sh -c \"" + inner + "\" & echo $!; exit 0")
                .redirectErrorStream(true).start();
        long orphan = Long.parseLong(firstLine(outer));
        toKill.add(orphan);
        assertTrue(outer.waitFor(10, TimeUnit.SECONDS));
        awaitGone(orphan, 2000, "the launcher whose parent was already gone to exit without running its program");
    }

    private static int run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "launcher returns");
        return p.exitValue();
    }

    private static String firstLine(Process p) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = p.getInputStream().read()) >= 0 && c != '\n'; ) {
            b.append((char) c);
        }
        return b.toString().trim();
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** Gone or a zombie (a zombie has exited and only waits for its new parent to reap it). */
    private static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    private static void awaitComm(long pid, String comm) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!comm.equals(comm(pid))) {
            if (System.nanoTime() > deadline) {
                fail("pid " + pid + " never became " + comm + " (comm: '" + comm(pid) + "')");
            }
            Thread.sleep(10);
        }
    }

    private static void awaitGone(long pid, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!gone(pid)) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + millis + " ms waiting for " + what + ": pid " + pid + " is still '" + comm(pid) + "'");
            }
            Thread.sleep(10);
        }
    }
}
