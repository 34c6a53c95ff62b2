package org.jfpm.bench;

import java.io.IOException;
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

/**
 * php-cgi's own start-to-first-response, the floor of any exec-based ondemand spawn: a fresh
 * loopback listening socket, php-cgi spawned with it on fd 0 (jfpm's {@link Spawner}, so the same
 * posix_spawn path jfpm uses, but no scoreboard and no preload library), a FastCGI request sent right
 * after the spawn returns (the kernel queues the connection until php-cgi accepts), timed from just
 * before the spawn to the end of the response. The worker is then stopped and reaped.
 */
final class PhpCgiStart implements AutoCloseable {
    private final String phpCgi;
    private final Processes processes;
    private final Spawner spawner = new Spawner();
    private final Reaper reaper = new Reaper();

    PhpCgiStart(String phpCgi, Processes processes) {
        this.phpCgi = phpCgi;
        this.processes = processes;
    }

    /** One cold start; returns milliseconds from spawn to the complete response. */
    double measure(String script) throws IOException {
        try (ListenSocket socket = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 16, -1, null, null)) {
            Endpoint.Tcp endpoint = new Endpoint.Tcp(socket.boundPort());
            SpawnSpec spec = SpawnSpec.of(List.of(phpCgi),
                    Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "PHP_FCGI_MAX_REQUESTS", "0"))
                    .withStdin(socket.fd());
            long t0 = System.nanoTime();
            ChildProcess child = spawner.spawn(spec);
            processes.adopt(child.pid());
            CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
            reaper.watch(child, exit::complete);
            try {
                FastCgiClient.Response r;
                try (Endpoint.Connection c = endpoint.connect()) {
                    r = FastCgiClient.request(c, FastCgiClient.getParams(script));
                }
                long t1 = System.nanoTime();
                if (!r.body().startsWith("pid=" + child.pid())) {
                    throw new IllegalStateException("php-cgi (pid " + child.pid() + ") answered: " + r.stdout() + r.stderr());
                }
                return (t1 - t0) / 1e6;
            } finally {
                stop(child, exit);
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
    }
}
