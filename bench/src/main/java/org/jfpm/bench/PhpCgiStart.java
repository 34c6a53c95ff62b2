package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jfpm.os.ChildProcess;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.Reaper;
import org.jfpm.os.Signals;
import org.jfpm.os.SpawnSpec;
import org.jfpm.os.Spawner;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PreloadLibrary;
import org.jfpm.scoreboard.Scoreboard;

/**
 * php-cgi's own start-to-first-response, the floor of any exec-based ondemand spawn: a fresh
 * loopback listening socket, php-cgi spawned with it on fd 0 (jfpm's {@link Spawner}, the same
 * posix_spawn path jfpm uses), a FastCGI request sent right after the spawn returns (the kernel
 * queues the connection until php-cgi accepts), timed from just before the spawn to the end of the
 * response. The worker's CPU time is read before it is stopped and reaped.
 *
 * <p>With {@code preload}, php-cgi also gets jfpm's accept-hook library and a slot of a scoreboard
 * of its own, exactly the environment jfpm gives a worker: this isolates what the library costs.
 */
final class PhpCgiStart implements AutoCloseable {
    /** Milliseconds from spawn to the complete response, and the worker's CPU time by then. */
    record Sample(double ms, double workerCpuMs) {
    }

    private final String phpCgi;
    private final Processes processes;
    private final Spawner spawner = new Spawner();
    private final Reaper reaper = new Reaper();
    private final Path library;
    private final Scoreboard board;

    PhpCgiStart(String phpCgi, Processes processes, Path scoreboardDir) throws IOException {
        this.phpCgi = phpCgi;
        this.processes = processes;
        this.library = PreloadLibrary.extract(scoreboardDir);
        this.board = Scoreboard.create(scoreboardDir, "baseline", PmMode.ONDEMAND, Accounting.PRELOAD, 1, 1);
    }

    /** One cold start of php-cgi answering {@code script}, with or without the preload library. */
    Sample measure(String script, boolean preload) throws IOException {
        try (ListenSocket socket = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 16, -1, null, null)) {
            Endpoint.Tcp endpoint = new Endpoint.Tcp(socket.boundPort());
            Map<String, String> env = new HashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("PHP_FCGI_MAX_REQUESTS", "0");
            int slot = -1;
            if (preload) {
                slot = board.allocate(1);
                env.put("JFPM_POOL", "baseline");
                env.put("JFPM_SCOREBOARD", board.path().toString());
                env.put("JFPM_SLOT", Integer.toString(slot));
                env.put(PreloadLibrary.LD_PRELOAD, PreloadLibrary.ldPreload(library, null));
            }
            SpawnSpec spec = SpawnSpec.of(List.of(phpCgi), env).withStdin(socket.fd());
            long t0 = System.nanoTime();
            ChildProcess child = spawner.spawn(spec);
            processes.adopt(child.pid());
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            reaper.watch(child, exit::complete);
            try {
                FastCgiRecords.Response r;
                try (Endpoint.Connection c = endpoint.connect()) {
                    r = FastCgiRecords.exchange(c.in(), c.out(), FastCgiRecords.params(script, ""));
                }
                long t1 = System.nanoTime();
                if (!r.body().startsWith("pid=" + child.pid())) {
                    throw new IllegalStateException("php-cgi (pid " + child.pid() + ") answered: " + r.stdout() + r.stderr());
                }
                return new Sample((t1 - t0) / 1e6, Cpu.nanos(child.pid()) / 1e6);
            } finally {
                stop(child, exit);
                if (slot >= 0) {
                    board.free(slot);
                }
            }
        }
    }

    private static void stop(ChildProcess child, CompletableFuture<ExitStatus> exit) {
        child.signal(Signals.SIGTERM);
        try {
            exit.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            child.signal(Signals.SIGKILL);
            exit.orTimeout(5, TimeUnit.SECONDS).join();
        } catch (InterruptedException e) {
            child.signal(Signals.SIGKILL);
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("reaping php-cgi pid " + child.pid() + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        reaper.close();
        board.delete();
    }
}
