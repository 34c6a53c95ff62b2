package org.jfpm.supervisor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.jfpm.os.JvmSignals;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.ProcFs;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Reaper;
import org.jfpm.os.Spawner;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PreloadLibrary;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.jfpm.supervisor.status.StatusServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jfpm in the foreground: opens every pool's listening socket and scoreboard (failing fast,
 * before any worker exists), starts the OS threads and the actor system, forwards signals to the
 * master, and cleans up after the master has stopped every pool.
 *
 * <p>Ownership: the supervisor owns the listening sockets (closed here, after the last worker is
 * gone) and the OS service threads; each PoolActor owns its scoreboard file once started.
 */
public final class Supervisor {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    private static final Duration STATUS_BIND_TIMEOUT = Duration.ofSeconds(30);

    private Supervisor() {
    }

    /** Runs until TERM/INT; returns the process exit code (0 after a normal stop, 1 on a fatal error). */
    public static int run(SupervisorConfig config) {
        Logging.setLevel(config.logLevel());
        List<ListenSocket> sockets = new ArrayList<>();
        List<Scoreboard> scoreboards = new ArrayList<>();
        List<Master.PoolSetup> setups = new ArrayList<>();
        Reaper reaper = null;
        ReadinessWatcher readiness = null;
        ExecutorService spawnThread = null;
        PidFile pidFile = null;
        try {
            if (config.pidFile() != null) { // first: a second jfpm on this pid file must not touch anything
                pidFile = PidFile.acquire(config.pidFile(), ProcFs.selfPid());
            }
            if (config.emergencyRestartThreshold() > 0) {
                LOG.warn("emergency-restart-threshold = {} is not active in this version (it needs graceful reload);"
                        + " crash loops are braked by the per-pool respawn backoff", config.emergencyRestartThreshold());
            }
            Path preload = needsPreload(config) ? PreloadLibrary.extract(preloadDir()) : null;
            Files.createDirectories(config.scoreboardDir());
            for (PoolConfig pool : config.pools()) {
                ListenSocket socket = ListenSocket.open(pool.listen(), pool.listenBacklog(), pool.listenMode(),
                        pool.listenOwner(), pool.listenGroup());
                sockets.add(socket);
                Scoreboard sb = Scoreboard.create(config.scoreboardDir(), pool.name(), pool.pm().mode(),
                        pool.accounting(), pool.pm().maxChildren(), pool.scoreboardSlots());
                scoreboards.add(sb);
                handToWorkers(sb.path(), pool);
                setups.add(new Master.PoolSetup(pool, socket, sb));
                LOG.info("[pool {}] listening on {} ({} pm, max children {}, accounting {})", pool.name(),
                        pool.listen(), pool.pm().mode().configName(), pool.pm().maxChildren(),
                        pool.accounting().configName());
            }
            reaper = new Reaper();
            readiness = new ReadinessWatcher();
            spawnThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "jfpm-spawner");
                t.setDaemon(true);
                return t;
            });
            PoolRuntime runtime = new PoolRuntime(config.processControlTimeout(), preload, System.getenv(),
                    new Spawner(), spawnThread, reaper, readiness);
            LOG.info("jfpm is running, pid {}", ProcFs.selfPid());
            // signals first: a TERM during start-up must not kill the JVM behind the workers' back
            SignalForwarder signals = new SignalForwarder();
            JvmSignals.install(Set.of("TERM", "INT", "HUP", "USR1"), signals);
            AtomicInteger exitStatus = new AtomicInteger(0);
            ActorSystem<Master.Command> system = ActorSystem.create(Master.create(setups, runtime, exitStatus), "jfpm",
                    pekkoConfig(config.logLevel()));
            scoreboards.clear(); // the pool actors own them now
            signals.deliverTo(system);
            boolean stoppedEarly = false;
            if (config.statusListen().isPresent()) {
                ListenAddress.Tcp addr = config.statusListen().get();
                try {
                    StatusServer.start(system, addr.host(), addr.port(), new MasterStatusSource(system))
                            .toCompletableFuture().get(STATUS_BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    stoppedEarly = stoppedWithin(system, Duration.ofSeconds(2)); // a stop during start-up
                    if (!stoppedEarly) {
                        LOG.error("status server cannot listen on {}: {}", addr, cause.getMessage());
                    }
                }
            }
            if (!stoppedEarly && !system.getWhenTerminated().toCompletableFuture().isDone()) {
                LOG.info("ready to handle connections ({} pool(s): {})", setups.size(),
                        String.join(", ", config.pools().stream().map(PoolConfig::name).toList()));
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
        } catch (IOException | RuntimeException e) {
            LOG.error("fatal: {}", e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.debug("fatal error", e);
            return 1;
        } finally {
            for (Scoreboard sb : scoreboards) {
                sb.delete();
            }
            for (ListenSocket s : sockets) {
                s.close();
            }
            if (readiness != null) {
                readiness.close();
            }
            if (reaper != null) {
                reaper.close();
            }
            if (spawnThread != null) {
                spawnThread.shutdownNow();
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

    private static boolean stoppedWithin(ActorSystem<?> system, Duration wait) throws InterruptedException {
        try {
            system.getWhenTerminated().toCompletableFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
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

    /**
     * Workers write their own slot: when they run as another user (pool {@code user}/{@code group}),
     * the scoreboard file becomes theirs (mode stays 0644: the master maps it read-write as root).
     */
    private static void handToWorkers(Path scoreboard, PoolConfig pool) throws IOException {
        if (pool.user().isEmpty() && pool.group().isEmpty()) {
            return;
        }
        UserPrincipalLookupService users = scoreboard.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(scoreboard, PosixFileAttributeView.class);
        if (!pool.user().isEmpty()) {
            view.setOwner(users.lookupPrincipalByName(pool.user()));
        }
        if (!pool.group().isEmpty()) {
            view.setGroup(users.lookupPrincipalByGroupName(pool.group()));
        }
    }

    private static boolean needsPreload(SupervisorConfig config) {
        return config.pools().stream().anyMatch(p -> p.accounting() == Accounting.PRELOAD);
    }

    /** Not in /dev/shm: it may be mounted noexec, and the dynamic loader must map the library executable. */
    private static Path preloadDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "jfpm-" + System.getProperty("user.name"));
    }

    /** Pekko's settings: logging as {@link Logging} sets it up, no JVM shutdown hook (jfpm handles TERM itself). */
    private static Config pekkoConfig(String logLevel) {
        return ConfigFactory.parseString("""
                pekko {
                  log-dead-letters = 0
                  jvm-shutdown-hooks = off
                  coordinated-shutdown.run-by-jvm-shutdown-hook = off
                  coordinated-shutdown.terminate-actor-system = on
                  actor.default-dispatcher.fork-join-executor.parallelism-max = 4
                }
                """).withFallback(Logging.pekkoConfig(logLevel));
    }
}
