package org.jfpm.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.jfpm.os.SdNotify;
import org.jfpm.supervisor.status.StatusSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jfpm's link to the service manager that runs it: the {@link ServiceNotifier} over
 * {@code NOTIFY_SOCKET}, and the two timers that feed it once the actor system runs:
 * <ul>
 * <li>status: every {@value #STATUS_SECONDS} s (the first after 1 s) the pools' counts, read as the
 *     status server reads them (the pools' published rosters);</li>
 * <li>watchdog (when {@code WATCHDOG_USEC} is set for this pid): every half timeout, ask the master
 *     actor for its pools and send {@code WATCHDOG=1} when it answers within that time. A master that
 *     no longer processes messages therefore stops the pings, and systemd's {@code WatchdogSec=}
 *     restarts jfpm.</li>
 * </ul>
 * Without {@code NOTIFY_SOCKET} the notifier sends nothing and no timer runs.
 */
final class ServiceManagerLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceManagerLink.class);
    static final long STATUS_SECONDS = 5;
    private static final Duration FIRST_STATUS = Duration.ofSeconds(1);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(3);

    private final SdNotify socket;
    private final ServiceNotifier notifier;
    private final Optional<Duration> watchdogPing;
    private final List<Cancellable> timers = new ArrayList<>();
    private final AtomicBoolean statusPending = new AtomicBoolean();
    private final AtomicBoolean pingPending = new AtomicBoolean();

    private ServiceManagerLink(SdNotify socket, ServiceNotifier notifier, Optional<Duration> watchdogPing) {
        this.socket = socket;
        this.notifier = notifier;
        this.watchdogPing = watchdogPing;
    }

    /** From {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID}; an unusable address is logged and ignored. */
    static ServiceManagerLink fromEnvironment(Map<String, String> env, long selfPid) {
        Optional<SdNotify> socket;
        try {
            socket = SdNotify.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}; not notifying the service manager", e.getMessage());
            socket = Optional.empty();
        }
        if (socket.isEmpty()) {
            return new ServiceManagerLink(null, ServiceNotifier.none(), Optional.empty());
        }
        SdNotify s = socket.get();
        ServiceNotifier notifier = new ServiceNotifier(s::send, SdNotify::monotonicMicros);
        Optional<Duration> ping = ServiceNotifier.watchdogPing(SdNotify.watchdogTimeout(env, selfPid));
        LOG.info("notifying the service manager at {}{}", s.address(),
                ping.map(p -> " (watchdog: WATCHDOG=1 every " + p.toMillis() + " ms)").orElse(""));
        return new ServiceManagerLink(s, notifier, ping);
    }

    ServiceNotifier notifier() {
        return notifier;
    }

    /** Starts the status and watchdog timers on {@code system}'s scheduler (nothing without a socket). */
    synchronized void startTimers(ActorSystem<Master.Command> system, StatusSource pools) {
        if (socket == null) {
            return;
        }
        timers.add(system.scheduler().scheduleAtFixedRate(FIRST_STATUS, Duration.ofSeconds(STATUS_SECONDS),
                () -> refreshStatus(pools), system.executionContext()));
        watchdogPing.ifPresent(every -> timers.add(system.scheduler().scheduleAtFixedRate(Duration.ZERO, every,
                () -> ping(system, every), system.executionContext())));
    }

    private void refreshStatus(StatusSource pools) {
        if (!statusPending.compareAndSet(false, true)) {
            return;
        }
        pools.pools().toCompletableFuture().orTimeout(STATUS_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((statuses, error) -> {
                    statusPending.set(false);
                    if (error == null) {
                        notifier.counts(ServiceNotifier.Counts.of(statuses));
                    } else {
                        LOG.debug("status for the service manager unavailable: {}", error.toString());
                    }
                });
    }

    private void ping(ActorSystem<Master.Command> system, Duration within) {
        if (!pingPending.compareAndSet(false, true)) {
            LOG.warn("watchdog: the master has not answered the previous ping; no WATCHDOG=1");
            return;
        }
        AskPattern.<Master.Command, Master.Pools>ask(system, Master.GetPools::new, within, system.scheduler())
                .whenComplete((answer, error) -> {
                    pingPending.set(false);
                    if (error == null) {
                        notifier.watchdog();
                    } else {
                        LOG.warn("watchdog: the master did not answer within {} ms; no WATCHDOG=1", within.toMillis());
                    }
                });
    }

    /** Stops the timers and closes the socket. */
    @Override
    public synchronized void close() {
        timers.forEach(Cancellable::cancel);
        timers.clear();
        notifier.close();
        if (socket != null) {
            socket.close();
        }
    }
}
