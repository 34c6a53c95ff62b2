package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11.3: {@code jfpm top} in a real terminal (tmux, 160 × 50): it shows the pool's header and
 * its workers, a busy request as Running with its URI, keeps updating while the master is frozen
 * with SIGSTOP (a request that started after the freeze shows up), and {@code q} or Ctrl-C leave
 * the terminal exactly as it was ({@code stty -g} before and after).
 */
class TopTest {

    private static final String POOL = "www";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern CLOCK = Pattern.compile("^jfpm top {2}(\\d\\d:\\d\\d:\\d\\d)", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    @Test
    void showsTheWorkersLiveWhileTheMasterIsFrozenAndQuitsRestoringTheTerminal() throws IOException {
        try (Jfpm jfpm = Jfpm.in(tmp).pool(PoolSpec.named(POOL, Workers.javaHello(), "sdk").staticPm(2)).start()) {
            List<Long> pids = jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(30)).stream().map(SlotSnapshot::pid).toList();
            Path script = tmp.resolve("top.sh");
            String top = "'" + Jfpm.javaBin() + "' -jar '" + Jfpm.jar() + "' top --config '" + jfpm.config() + "' --interval 0.2";
            // a trap (not an ignore, which java would inherit) keeps the shell alive through Ctrl-C
            Files.writeString(script, String.join("\n",
                    "trap : INT",
                    "stty -g > stty.before",
                    top,
                    "echo \"top exited $?\"",
                    "stty -g > stty.after",
                    top,
                    "echo \"top exited again $?\"",
                    "stty -g > stty.after2",
                    "exec sleep 600", ""));
            try (Tmux tmux = Tmux.start(160, 50, tmp, "sh " + script)) {
                await(jfpm, tmux, s -> s.contains(" " + POOL + "  static  processes 2 (active 0, idle 2, max children 2)")
                        && pids.stream().allMatch(pid -> Pattern.compile("\\s" + pid + " Idle\\s").matcher(s).find()),
                        "the pool header and both idle workers");

                try (Load<Http.Response> slow = Load.get(1, jfpm.pool(POOL).address(), "/sleep?ms=6000")) {
                    await(jfpm, tmux, s -> Pattern.compile("\\s(" + pids.get(0) + "|" + pids.get(1)
                            + ") Running +1 .* GET /sleep\\?ms=6000 \\(").matcher(s).find()
                            && s.contains("processes 2 (active 1, idle 1"), "the busy request as Running with its URI");

                    jfpm.signal("STOP");
                    try {
                        jfpm.pollUntil(() -> Procs.state(jfpm.pid()).orElse('?') == 'T', Duration.ofSeconds(5),
                                "the master to be stopped");
                        String frozenAt = clock(tmux.screen());
                        try (Load<Http.Response> later = Load.get(1, jfpm.pool(POOL).address(), "/sleep?ms=3000")) {
                            await(jfpm, tmux, s -> s.contains("master " + jfpm.pid() + " is stopped (SIGSTOP or a debugger)")
                                    && Pattern.compile(" Running +1 .* GET /sleep\\?ms=3000 \\(").matcher(s).find()
                                    && s.contains("processes 2 (active 2, idle 0")
                                    && !clock(s).equals(frozenAt),
                                    "the screen to go on updating with the master frozen: a request started after the freeze");
                            save(tmux.screen(), "TopTest-frozen-master.txt");
                            assertEquals('T', Procs.state(jfpm.pid()).orElse('?'), "the master was frozen throughout");
                            jfpm.signal("CONT");
                            assertEquals(200, later.await(WAIT).get(0).status());
                        }
                    } finally {
                        jfpm.signal("CONT");
                    }
                    assertEquals(200, slow.await(WAIT).get(0).status());
                }
                await(jfpm, tmux, s -> !s.contains("is stopped") && s.contains("processes 2 (active 0, idle 2"),
                        "the view after SIGCONT: both workers idle, no note");

                tmux.keys("s");
                await(jfpm, tmux, s -> s.contains("sort: pid"), "s to move the sort to pid");

                tmux.keys("q");
                await(jfpm, tmux, s -> s.contains("top exited 0"), "q to quit with status 0");
                assertFalse(tmux.screen().contains("jfpm top  "), "the alternate screen is gone:\n" + tmux.screen());
                assertEquals(read("stty.before"), read("stty.after"), "the terminal's settings are restored after q");

                await(jfpm, tmux, s -> CLOCK.matcher(s).find() && s.contains("processes 2"), "the second run to draw");
                tmux.keys("C-c");
                await(jfpm, tmux, s -> s.contains("top exited again 130"), "Ctrl-C to end top (130: SIGINT)");
                assertEquals(read("stty.before"), read("stty.after2"), "the terminal's settings are restored after Ctrl-C");
                assertFalse(tmux.screen().contains("jfpm top  "), "the alternate screen is gone after Ctrl-C:\n" + tmux.screen());
            }
        }
    }

    /**
     * A worker filling the whole scoreboard with random bytes (header included), its pid field with a
     * bystander's pid and every third seqlock odd, while {@code top --batch} that had mapped the file
     * before refreshes every 0.1 s: top goes on printing, throws nothing, shows the lies as lies
     * (unreadable slots, the bystander's pid), and no byte the worker wrote reaches the output as a
     * control character.
     */
    @Test
    void aWorkerScribblingOverTheScoreboardCannotCrashTopOrReachTheTerminal() throws IOException, InterruptedException {
        Process bystander = new ProcessBuilder("sleep", "300").start();
        Path report = tmp.resolve("hostile.report");
        Files.writeString(report, "not yet\n"); // the worker attacks only when this file does not exist
        Path out = tmp.resolve("top.out");
        Path err = tmp.resolve("top.err");
        Process top = null;
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, Workers.hostilePython(), "preload").staticPm(3)
                        .set("spawn-mode", "exec")
                        .set("env", Map.of("HOSTILE_BYSTANDER", Long.toString(bystander.pid()),
                                "HOSTILE_REPORT", report.toString(), "HOSTILE_SECONDS", "2")))
                .start()) {
            SlotSnapshot first = jfpm.awaitIdle(POOL, 3, Duration.ofSeconds(30)).stream()
                    .filter(s -> s.index() == 0).findFirst().orElseThrow();
            top = new ProcessBuilder(Jfpm.javaBin(), "-jar", Jfpm.jar().toString(), "top", "--config", jfpm.config().toString(),
                    "--batch", "-d", "0.1").redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            jfpm.pollUntil(() -> read(out).contains("processes 3 (active 0, idle 3"), WAIT, () -> "top to map the file\n" + read(out));

            Files.delete(report);
            assertTrue(Procs.signal(first.pid(), "KILL"), "kill the worker of slot 0, so that its successor attacks");
            jfpm.pollUntil(() -> read(report).contains("done"), WAIT, () -> "the attack to run and end: " + read(report));
            long framesAfter = frames(read(out)) + 10;
            Process running = top;
            jfpm.pollUntil(() -> frames(read(out)) >= framesAfter || !running.isAlive(), WAIT,
                    () -> "ten more refreshes after the attack\n" + read(err));
            assertTrue(top.isAlive(), "top still runs; stderr:\n" + read(err));
            top.destroy();
            top.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);

            String output = read(out);
            save(output, "TopTest-hostile.txt");
            assertEquals("", read(err), "nothing thrown");
            assertTrue(output.contains("unreadable slots"), "the odd seqlocks are counted:\n" + output);
            assertTrue(Pattern.compile("\\s" + bystander.pid() + " Running ").matcher(output).find(),
                    "the bystander's pid, as the slots lie:\n" + output);
            int bad = output.chars().filter(c -> c != '\n' && (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0)).findFirst()
                    .orElse(-1);
            assertEquals(-1, bad, "no control character in the output");
        } finally {
            if (top != null) {
                top.destroyForcibly();
            }
            bystander.destroyForcibly();
        }
    }

    private static long frames(String output) {
        return output.lines().filter(l -> l.startsWith("jfpm top  ")).count();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface ScreenCheck {
        boolean holds(String screen);
    }

    private static void await(Jfpm jfpm, Tmux tmux, ScreenCheck check, String what) {
        String[] last = {""};
        jfpm.pollUntil(() -> check.holds(last[0] = tmux.screen()), WAIT, () -> what + "\nscreen:\n" + last[0]);
    }

    private static String clock(String screen) {
        Matcher m = CLOCK.matcher(screen);
        return m.find() ? m.group(1) : "";
    }

    private String read(String name) {
        return read(tmp.resolve(name)).trim();
    }

    private static void save(String screen, String name) {
        Path dir = Path.of(System.getProperty("jfpm.it.logs", "target/it-logs"));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name), screen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
