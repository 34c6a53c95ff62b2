package org.jfpm.supervisor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.jfpm.os.DirLock;
import org.jfpm.os.JvmSignals;
import org.jfpm.os.Leftovers;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.PrivateDir;
import org.jfpm.os.ProcFs;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Reaper;
import org.jfpm.os.SpawnThread;
import org.jfpm.os.SystemdSockets;
import org.jfpm.os.Spawner;
import org.jfpm.pool.Generation;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.scoreboard.Launcher;
import org.jfpm.scoreboard.PreloadLibrary;
import org.jfpm.supervisor.config.FastCgiStatus;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.jfpm.supervisor.status.FastCgiStatusServer;
import org.jfpm.supervisor.status.History;
import org.jfpm.supervisor.status.StatusServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jfpm in the foreground: opens every pool's listening socket and scoreboard and binds the
 * status server (failing fast, before any worker exists), starts the OS threads and the actor
 * system, forwards signals to the master, and cleans up after the master has stopped every pool.
 *
 * <p>Ownership: the supervisor owns the listening sockets (closed here, after the last worker is
 * gone) and the OS service threads; each PoolActor owns its scoreboard file once started.
 */
public final class Supervisor {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration STATUS_BIND_TIMEOUT = Duration.ofSeconds(30);
    /** The status server's bound on a source's answer (the master's answers at once). */
    private static final Duration STATUS_SOURCE_TIMEOUT = Duration.ofSeconds(3);
    private static final String STATUS_LISTEN_KEY = "jfpm.status.listen";
    /** Leftover workers of a dead jfpm: SIGTERM, then SIGKILL after this. */
    private static final Duration LEFTOVER_GRACE = Duration.ofSeconds(2);

    private Supervisor() {
    }

    /**
     * Runs until TERM/INT; returns the process exit code: 0 after a normal stop, 78 when a configured
     * listen address cannot be bound, 1 on another fatal error.
     */
    public static int run(SupervisorConfig config) {
        return run(config, () -> config);
    }

    /**
     * As {@link #run(SupervisorConfig)}; a reload (SIGHUP) reads the configuration again from {@code source}.
     */
    public static int run(SupervisorConfig config, Master.ConfigSource source) {
        Logging.setLevel(config.logLevel());
        try {
            Logging.setOutput(config.log()); // first: everything from here on goes to jfpm.log-file
        } catch (IOException e) {
            LOG.error("jfpm.log-file = \"{}\": {}", config.log().describe(), e.getMessage());
            return ExitCodes.CONFIG;
        }
        List<Generation> generations = new ArrayList<>();
        Listeners listeners = null;
        AccessLogs accessLogs = null;
        Reaper reaper = null;
        ReadinessWatcher readiness = null;
        SpawnThread spawnThread = null;
        PrivateDir nativeDir = null;
        DirLock dirLock = null;
        PidFile pidFile = null;
        ServiceManagerLink serviceManager = null;
        FastCgiStatusServer fastCgiStatus = null;
        AtomicInteger exitStatus = new AtomicInteger(0);
        boolean started = false;
        try {
            if (config.pidFile() != null) { // first: a second jfpm on this pid file must not touch anything
                pidFile = PidFile.acquire(config.pidFile(), ProcFs.selfPid());
            }
            SystemdSockets passed = SystemdSockets.current();
            passed.adopt(); // CLOEXEC: only workers get one, as their fd 0
            if (passed.passed()) {
                LOG.info("systemd passed {} socket(s): {}", passed.fds().size(), passed.describe());
            }
            Path nativeBase = Path.of(System.getProperty("java.io.tmpdir"));
            PrivateDir.removeStale(nativeBase);
            nativeDir = PrivateDir.create(nativeBase);
            // always: a reload may add a pool with accounting = preload
            Path preload = PreloadLibrary.extract(nativeDir.path());
            Path launcher = Launcher.extract(nativeDir.path());
            Files.createDirectories(config.scoreboardDir());
            dirLock = DirLock.acquire(config.scoreboardDir()); // one live jfpm per scoreboard-dir
            Leftovers.stop(config.scoreboardDir(), LEFTOVER_GRACE);
            Leftovers.removeStaleScoreboards(config.scoreboardDir());
            OsThreadDeath death = new OsThreadDeath(exitStatus);
            reaper = new Reaper(ProcFs.selfPid() == 1, death.of("jfpm-reaper"));
            death.reaper = reaper;
            readiness = new ReadinessWatcher(death.of("jfpm-readiness"));
            spawnThread = new SpawnThread();
            PoolRuntime runtime = new PoolRuntime(config.processControlTimeout(), preload, launcher, System.getenv(),
                    new Spawner(), spawnThread, reaper, readiness);
            listeners = new Listeners(spawnThread);
            accessLogs = new AccessLogs(spawnThread);
            GenerationFactory factory = new GenerationFactory(config.scoreboardDir(), runtime, listeners, accessLogs);
            for (PoolConfig pool : config.pools()) {
                generations.add(factory.create(pool, 1));
            }
            for (PoolConfig pool : config.pools()) {
                LOG.info("[pool {}] listening on {} ({} pm, max children {}, accounting {})", pool.name(),
                        pool.listen(), pool.pm().mode().configName(), pool.pm().maxChildren(),
                        pool.accounting().configName());
            }
            LOG.info("jfpm is running, pid {}", ProcFs.selfPid());
            serviceManager = ServiceManagerLink.fromEnvironment(System.getenv(), ProcFs.selfPid());
            ServiceNotifier notifier = serviceManager.notifier();
            notifier.pools(config.pools().size());
            // signals first: a TERM during start-up must not kill the JVM behind the workers' back
            SignalForwarder signals = new SignalForwarder();
            JvmSignals.install(Set.of("TERM", "INT", "HUP", "USR1"), signals);
            PoolDirectory directory = new PoolDirectory();
            MasterStatusSource statusSource = new MasterStatusSource(directory);
            fastCgiStatus = FastCgiStatusServer.start(statusSource, ZoneId.systemDefault());
            FastCgiStatusServer fcgi = fastCgiStatus;
            ActorSystem<Master.Command> system = ActorSystem.create(
                    Master.create(config, factory, listeners, source, runtime, exitStatus, directory, notifier,
                            next -> fcgi.apply(next.fastCgiStatus(), false)), "jfpm",
                    pekkoConfig(config.logLevel()));
            death.attach(system);
            try {
                startFastCgiStatus(fcgi, config);
                if (config.statusListen().isPresent()) {
                    probeStatusListen(config.statusListen().get());
                }
            } catch (RuntimeException e) {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
                if (exitStatus.get() != 0) {
                    return exitStatus.get(); // an OS thread died and terminated the system: logged
                }
                throw e;
            }
            // the pools start before the HTTP status server, whose start-up (~200 ms, most of it loading
            // pekko-http) would otherwise delay the first worker; a status address that cannot be bound
            // then stops them again, as a fast stop would
            system.tell(new Master.Start(generations));
            started = true; // the pool actors own the generations now
            try {
                if (config.statusListen().isPresent()) {
                    startStatusServer(system, config.statusListen().get(), statusSource);
                }
            } catch (RuntimeException e) {
                system.tell(new Master.Abort("the status server cannot start"));
                system.getWhenTerminated().toCompletableFuture().join();
                if (exitStatus.get() != 0) {
                    return exitStatus.get();
                }
                throw e;
            }
            signals.deliverTo(system); // after Start: a signal held during start-up finds the pools
            if (!system.getWhenTerminated().toCompletableFuture().isDone()) {
                LOG.info("ready to handle connections ({} pool(s): {})", generations.size(),
                        String.join(", ", config.pools().stream().map(PoolConfig::name).toList()));
                notifier.ready();
                serviceManager.startTimers(system, new MasterStatusSource(directory));
            }
            system.getWhenTerminated().toCompletableFuture().join();
            return exitStatus.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("interrupted while starting");
            return 1;
        } catch (PidFile.Unavailable e) {
            LOG.error("{}", e.getMessage());
            return 1;
        } catch (ListenUnavailable | FileUnavailable e) {
            LOG.error("{}", e.getMessage());
            return ExitCodes.CONFIG;
        } catch (IOException | RuntimeException e) {
            LOG.error("fatal: {}", e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.debug("fatal error", e);
            return 1;
        } finally {
            if (serviceManager != null) {
                serviceManager.close();
            }
            if (fastCgiStatus != null) {
                fastCgiStatus.close();
            }
            if (!started) {
                for (Generation g : generations) {
                    g.scoreboard().delete();
                }
            }
            if (readiness != null) {
                readiness.close();
            }
            if (reaper != null) {
                reaper.close();
            }
            if (spawnThread != null) {
                spawnThread.close(); // last: workers' death signal follows this thread
            }
            if (listeners != null) {
                listeners.closeAll();
            }
            if (accessLogs != null) {
                accessLogs.closeAll();
            }
            if (nativeDir != null) {
                nativeDir.close();
            }
            if (dirLock != null) {
                dirLock.close();
            }
            if (pidFile != null) {
                try {
                    pidFile.close();
                } catch (IOException e) {
                    LOG.warn("cannot remove pid file {}: {}", pidFile.path(), e.getMessage());
                }
            }
        }
    }

    /**
     * Binds {@code jfpm.status.listen} for a moment and closes it again, before any worker starts: an
     * address in use or not on this host fails start-up then, as PHP-FPM fails before forking. The real
     * bind comes later (after the pools start); losing the address in between is handled there.
     *
     * @throws ListenUnavailable the address cannot be bound
     */
    private static void probeStatusListen(ListenAddress.Tcp addr) {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(new InetSocketAddress(addr.host(), addr.port()), 1);
        } catch (IOException e) {
            throw new ListenUnavailable(STATUS_LISTEN_KEY, addr, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * Binds {@code jfpm.status.listen}, then starts sampling the pools for its {@code /api/history}.
     *
     * @throws ListenUnavailable the address cannot be bound
     * @throws IllegalStateException the server did not start otherwise
     */
    private static void startStatusServer(ActorSystem<Master.Command> system, ListenAddress.Tcp addr,
                                          MasterStatusSource source)
            throws InterruptedException {
        History history = new History();
        try {
            StatusServer.start(system, addr.host(), addr.port(), source, history, ZoneId.systemDefault(), STATUS_SOURCE_TIMEOUT)
                    .toCompletableFuture().get(STATUS_BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            system.systemActorOf(HistorySampler.create(source, history, Duration.ofMillis(History.INTERVAL_MS)), "history",
                    Props.empty());
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException b) {
                    throw new ListenUnavailable(STATUS_LISTEN_KEY, addr, withoutEndpoint(b.getMessage()), b);
                }
            }
            throw new IllegalStateException("status server cannot listen on " + addr + ": " + cause, cause);
        }
    }

    /**
     * Binds every pool's {@code status-listen}; warns about a {@code ping-path} without one (PHP-FPM
     * answers it from a worker on the pool's own socket; jfpm's workers cannot).
     *
     * @throws ListenUnavailable a status-listen cannot be bound
     */
    private static void startFastCgiStatus(FastCgiStatusServer fcgi, SupervisorConfig config) {
        for (FastCgiStatus s : config.fastCgiStatus()) {
            if (s.listen().isEmpty() && !s.pingPath().isEmpty()) {
                LOG.warn("[pool {}] ping-path {} is answered only on status-listen, which is off: requests for it on {} go to the "
                        + "workers", s.pool(), s.pingPath(), config.pool(s.pool()).map(p -> p.listen().toString()).orElse("listen"));
            }
        }
        try {
            fcgi.apply(config.fastCgiStatus(), true);
        } catch (FastCgiStatusServer.Unavailable u) {
            throw new ListenUnavailable(FastCgiStatus.listenKey(u.status().pool()), u.status().listen().orElseThrow(), u.reason(), u);
        }
    }

    /** Pekko's {@code [/127.0.0.1:9001] Address already in use} without the endpoint (the key's value names it). */
    private static String withoutEndpoint(String message) {
        if (message == null) {
            return "cannot bind";
        }
        int end = message.startsWith("[") ? message.indexOf("] ") : -1;
        return end < 0 ? message : message.substring(end + 2);
    }

    /**
     * What happens when the reaper or readiness thread really dies: exits or connections would go
     * unseen and a stop would hang, so jfpm gives up at once: logs, SIGKILLs every watched worker,
     * terminates the actor system and exits with status 1. Runs on the dying thread.
     */
    private static final class OsThreadDeath {
        private final AtomicInteger exitStatus;
        private volatile Reaper reaper;
        private ActorSystem<?> system;
        private boolean died;

        OsThreadDeath(AtomicInteger exitStatus) {
            this.exitStatus = exitStatus;
        }

        java.util.function.Consumer<Throwable> of(String thread) {
            return cause -> died(thread, cause);
        }

        private void died(String thread, Throwable cause) {
            LOG.error("fatal: thread {} died ({}); killing every worker and exiting", thread, cause.toString());
            exitStatus.set(1);
            Reaper r = reaper;
            if (r != null) {
                LOG.error("sent SIGKILL to {} worker(s)", r.killAll());
            }
            synchronized (this) {
                died = true;
                if (system != null) {
                    system.terminate();
                }
            }
        }

        /** The system to terminate; terminated at once if a thread already died. */
        synchronized void attach(ActorSystem<?> s) {
            system = s;
            if (died) {
                s.terminate();
            }
        }
    }

    /** Holds signals that arrive before the master exists, then forwards every signal to it. */
    private static final class SignalForwarder implements java.util.function.Consumer<String> {
        private final List<String> early = new ArrayList<>();
        private ActorSystem<Master.Command> master;

        @Override
        public synchronized void accept(String name) {
            if (master == null) {
                early.add(name);
            } else {
                master.tell(new Master.SignalReceived(name));
            }
        }

        synchronized void deliverTo(ActorSystem<Master.Command> system) {
            master = system;
            early.forEach(name -> system.tell(new Master.SignalReceived(name)));
            early.clear();
        }
    }

    /** Pekko's settings: logging as {@link Logging} sets it up, no JVM shutdown hook (jfpm handles TERM itself). */
    private static Config pekkoConfig(String logLevel) {
        return ConfigFactory.parseString("""
                pekko {
                  log-dead-letters = 0
                  # timers without Pekko's 10 ms wheel tick: an idle master does not wake (ExactScheduler)
                  scheduler.implementation = "org.jfpm.supervisor.ExactScheduler"
                  jvm-shutdown-hooks = off
                  coordinated-shutdown.run-by-jvm-shutdown-hook = off
                  coordinated-shutdown.terminate-actor-system = on
                  actor.default-dispatcher.fork-join-executor.parallelism-max = 4
                  # the pools' once-a-second /proc RSS sampling (RssSamples) is all that runs here: Pekko's
                  # default of 16 threads grew the master by one thread per tick up to 16 (LeakTest)
                  actor.default-blocking-io-dispatcher.thread-pool-executor.fixed-pool-size = 2
                  # its executor is shut down shutdown-timeout after its last task: at Pekko's 1 s that was a timer
                  # every second (the sampling runs once a second) and threads torn down and made again
                  actor.default-blocking-io-dispatcher.shutdown-timeout = 1h
                }
                """).withFallback(Logging.pekkoConfig(logLevel));
    }
}
