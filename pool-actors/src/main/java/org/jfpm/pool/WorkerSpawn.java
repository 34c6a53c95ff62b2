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
import org.jfpm.os.TemplateControl;

/**
 * One worker spawn, run on the runtime's spawn thread: forked from the generation's template when
 * there is one that answers, else exec'd. The child is watched by the reaper before
 * anything else can fail, and killed if anything after the spawn fails or its ticket was cancelled
 * meanwhile, so no child is ever left that nobody watches or owns.
 */
final class WorkerSpawn {

    /** How long a template may take to answer a fork request before the spawn falls back to exec. */
    static final java.time.Duration FORK_TIMEOUT = java.time.Duration.ofSeconds(2);

    private WorkerSpawn() {
    }

    /** A spawned child, and why the template could not fork it when one was asked to (else null). */
    record Result(ChildProcess process, boolean forked, String forkError) {
    }

    /**
     * @param template the template to fork from, or null to exec {@code spec}
     * @param onExit   the reaper callback for a pid (runs on the reaper thread)
     * @return completes with the child, or exceptionally (also for an {@link Error}) with why there is none
     */
    static CompletableFuture<Result> start(SpawnTicket ticket, SpawnSpec spec, TemplateControl template, long generation,
                                           PoolConfig config, PoolRuntime runtime,
                                           LongFunction<Consumer<ExitStatus>> onExit) {
        return CompletableFuture.supplyAsync(() -> run(ticket, spec, template, generation, config, runtime, onExit),
                runtime.spawnExecutor());
    }

    private static Result run(SpawnTicket ticket, SpawnSpec spec, TemplateControl template, long generation,
                              PoolConfig config, PoolRuntime runtime, LongFunction<Consumer<ExitStatus>> onExit) {
        if (ticket.cancelled()) {
            throw new IllegalStateException("spawn cancelled: the pool is stopping");
        }
        boolean capture = config.catchWorkersOutput();
        Pipe out = null;
        Pipe err = null;
        ChildProcess p = null;
        String forkError = null;
        boolean forked = false;
        try {
            SpawnSpec s = spec;
            if (capture) {
                out = Pipe.open();
                err = Pipe.open();
                s = spec.withStdout(out.writeFd()).withStderr(err.writeFd());
            }
            if (template != null) {
                try {
                    p = template.fork(ticket.slot, generation, capture ? out.writeFd() : -1, capture ? err.writeFd() : -1,
                            FORK_TIMEOUT);
                    forked = true;
                } catch (RuntimeException e) {
                    forkError = e.getMessage() == null ? e.toString() : e.getMessage();
                }
            }
            if (p == null) {
                p = runtime.spawner().spawn(s);
            }
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
        return new Result(p, forked, forkError);
    }

    static String describe(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
