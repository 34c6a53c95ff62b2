package org.jfpm.pool;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.jfpm.os.ChildProcess;
import org.jfpm.os.ExitStatus;
import org.jfpm.os.Pipe;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Signals;
import org.jfpm.os.SpawnSpec;
import org.jfpm.os.TemplateControl;

/**
 * A generation's template ({@code spawn-mode = fork}): a worker process spawned like the others,
 * with the scoreboard on fd 3 and its control socket on fd 4 ({@code JFPM_TEMPLATE_FD}) and no slot,
 * that stops at its first {@code accept()} and forks the generation's workers from then on. It is
 * no worker: it never accepts, has no slot, and is not in {@link Children}. Owned by the pool actor.
 */
final class Template {

    static final String ENV_TEMPLATE_FD = "JFPM_TEMPLATE_FD";

    enum State { STARTING, READY, REFUSED }

    final Generation generation;
    final ChildProcess process;
    final TemplateControl control;
    final long startedNanos = System.nanoTime();
    State state = State.STARTING;
    ReadinessWatcher.Arming armed;
    boolean retired;

    Template(Generation generation, ChildProcess process, TemplateControl control) {
        this.generation = generation;
        this.process = process;
        this.control = control;
    }

    long pid() {
        return process.pid();
    }

    boolean ready() {
        return state == State.READY && !retired;
    }

    /** Closes the control socket (the template exits 0 when it sees it) and SIGKILLs it; idempotent. */
    void retire(ReadinessWatcher readiness) {
        if (retired) {
            return;
        }
        retired = true;
        if (armed != null) {
            readiness.disarm(armed);
            armed = null;
        }
        control.close();
        process.signal(Signals.SIGKILL);
    }

    /**
     * The template's spawn: the generation's worker environment without a slot, plus its control fd (4)
     * and, with an access log, the log on fd 5 (the library keeps it open; forked workers inherit it).
     */
    static SpawnSpec spec(Generation g, TemplateControl control) {
        Map<String, String> env = new java.util.LinkedHashMap<>(g.launchEnv());
        env.put(ENV_TEMPLATE_FD, "4");
        List<Integer> fds = List.of(g.scoreboard().fd(), control.childEnd());
        if (g.accessLog() != null) {
            env.put(WorkerLaunch.ACCESS_LOG_FD_ENV, WorkerLaunch.TEMPLATE_ACCESS_LOG_FD);
            fds = List.of(g.scoreboard().fd(), control.childEnd(), g.accessLog().fd());
        }
        return new SpawnSpec(g.config().command(), env, g.listener().fd(), -1, -1, g.config().chdir(),
                g.launchPrefix(), fds);
    }

    /** Spawns {@code g}'s template on the spawn thread; the child is watched by the reaper at once. */
    static CompletableFuture<Template> start(Generation g, PoolRuntime runtime, LongFunction<Consumer<ExitStatus>> onExit) {
        return CompletableFuture.supplyAsync(() -> {
            TemplateControl control = TemplateControl.open();
            Pipe out = null;
            Pipe err = null;
            try {
                SpawnSpec spec = spec(g, control);
                if (g.config().catchWorkersOutput()) {
                    out = Pipe.open();
                    err = Pipe.open();
                    spec = spec.withStdout(out.writeFd()).withStderr(err.writeFd());
                }
                ChildProcess p = runtime.spawner().spawn(spec);
                control.closeChildEnd();
                runtime.reaper().watch(p, onExit.apply(p.pid()));
                if (out != null) {
                    out.closeWriteEnd();
                    err.closeWriteEnd();
                    WorkerOutput.start(out, g.pool(), p.pid(), "stdout");
                    WorkerOutput.start(err, g.pool(), p.pid(), "stderr");
                }
                return new Template(g, p, control);
            } catch (RuntimeException | Error e) {
                control.close();
                if (out != null) {
                    out.close();
                }
                if (err != null) {
                    err.close();
                }
                throw e;
            }
        }, runtime.spawnExecutor());
    }
}
