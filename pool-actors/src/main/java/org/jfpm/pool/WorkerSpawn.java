package org.jfpm.pool;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.jfpm.os.ChildProcess;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.Pipe;
import org.jfpm.os.Signals;
import org.jfpm.os.SpawnSpec;

/**
 * One worker spawn, run on the runtime's spawn thread. The child is watched by the reaper before
 * anything else can fail, and killed if anything after the spawn fails or its ticket was cancelled
 * meanwhile, so no child is ever left that nobody watches or owns.
 */
final class WorkerSpawn {

    private WorkerSpawn() {
    }

    /**
     * @param onExit the reaper callback for a pid (runs on the reaper thread)
     * @return completes with the child, or exceptionally (also for an {@link Error}) with why there is none
     */
    static CompletableFuture<ChildProcess> start(SpawnTicket ticket, SpawnSpec spec, PoolConfig config,
                                                 PoolRuntime runtime, LongFunction<Consumer<ExitStatus>> onExit) {
        return CompletableFuture.supplyAsync(() -> run(ticket, spec, config, runtime, onExit), runtime.spawnExecutor());
    }

    private static ChildProcess run(SpawnTicket ticket, SpawnSpec spec, PoolConfig config, PoolRuntime runtime,
                                    LongFunction<Consumer<ExitStatus>> onExit) {
        if (ticket.cancelled()) {
            throw new IllegalStateException("spawn cancelled: the pool is stopping");
        }
        boolean capture = config.catchWorkersOutput();
        Pipe out = null;
        Pipe err = null;
        ChildProcess p = null;
        try {
            SpawnSpec s = spec;
            if (capture) {
                out = Pipe.open();
                err = Pipe.open();
                s = spec.withStdout(out.writeFd()).withStderr(err.writeFd());
            }
            p = runtime.spawner().spawn(s);
            runtime.reaper().watch(p, onExit.apply(p.pid()));
            if (capture) {
                out.closeWriteEnd();
                err.closeWriteEnd();
                WorkerOutput.start(out, config.name(), p.pid(), "stdout");
                out = null;
                WorkerOutput.start(err, config.name(), p.pid(), "stderr");
                err = null;
            }
        } catch (RuntimeException | Error e) {
            if (p != null) {
                p.signal(Signals.SIGKILL);
            }
            if (out != null) {
                out.close();
            }
            if (err != null) {
                err.close();
            }
            throw e;
        }
        if (!ticket.complete(p)) {
            throw new IllegalStateException("spawn cancelled: the pool is stopping (child " + p.pid() + " killed)");
        }
        return p;
    }

    static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
