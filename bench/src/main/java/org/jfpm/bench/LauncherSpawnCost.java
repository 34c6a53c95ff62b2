package org.jfpm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.Reaper;
import org.jfpm.os.SpawnSpec;
import org.jfpm.os.Spawner;
import org.jfpm.scoreboard.Launcher;

/**
 * What {@code jfpm-launch} adds to a spawn: spawn + exit + reap of {@code /bin/true}, directly and
 * behind the launcher, alternating, N rounds each (default 300). Prints median and p90 in ms.
 * Run: {@code java -cp "$(cat bench/target/classpath.txt):bench/target/classes" org.jfpm.bench.LauncherSpawnCost [N]}.
 */
public final class LauncherSpawnCost {
    private LauncherSpawnCost() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path dir = Files.createTempDirectory("jfpm-bench-");
        Path launcher = Launcher.extract(dir);
        long self = ProcessHandle.current().pid();
        List<String> direct = List.of("/bin/true");
        List<String> launched = new ArrayList<>(Launcher.prefix(launcher, self));
        launched.add("/bin/true");
        Spawner spawner = new Spawner();
        try (Reaper reaper = new Reaper()) {
            for (int i = 0; i < 50; i++) { // warm-up
                once(spawner, reaper, direct);
                once(spawner, reaper, launched);
            }
            double[] a = new double[n];
            double[] b = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = once(spawner, reaper, direct);
                b[i] = once(spawner, reaper, launched);
            }
            report("direct   /bin/true", a);
            report("launcher /bin/true", b);
            Arrays.sort(a);
            Arrays.sort(b);
            System.out.printf("added by jfpm-launch: median %.3f ms%n", b[n / 2] - a[n / 2]);
        } finally {
            Files.deleteIfExists(launcher);
            Files.deleteIfExists(dir);
        }
    }

    private static double once(Spawner spawner, Reaper reaper, List<String> argv) throws Exception {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        long t0 = System.nanoTime();
        reaper.watch(spawner.spawn(SpawnSpec.of(argv, Map.of("PATH", "/usr/bin:/bin"))), exit::complete);
        ExitStatus st = exit.get(10, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (!(st instanceof ExitStatus.Exited e) || e.code() != 0) {
            throw new IllegalStateException(argv + " ended " + st.describe());
        }
        return (t1 - t0) / 1e6;
    }

    private static void report(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf("%s: n=%d median %.3f ms, p90 %.3f ms%n", what, s.length, s[s.length / 2],
                s[(int) (s.length * 0.9)]);
    }
}
