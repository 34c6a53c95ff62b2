package org.jfpm.supervisor;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jfpm.pool.PoolStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What jfpm tells its service manager and when ({@code sd_notify(3)}; docs/systemd.md): the policy.
 * The messages go to a {@link Sink} ({@link org.jfpm.os.SdNotify} under systemd).
 *
 * <pre>
 *   STARTING --ready()--> READY --reloading()--> RELOADING --reloaded(..)--> READY ...
 *       any state --stopping(..)--> STOPPING (final: no READY or RELOADING after it)
 * </pre>
 *
 * <ul>
 * <li>{@link #ready()}: {@code READY=1} with the status, once every pool is serving (jfpm logs
 *     "ready to handle connections").</li>
 * <li>{@link #reloading()}: {@code RELOADING=1} with {@code MONOTONIC_USEC=} (CLOCK_MONOTONIC, which
 *     systemd 253+'s {@code Type=notify-reload} matches against its own reload request); then
 *     {@link #reloaded(String)}: {@code READY=1} again, also when the reload was rejected (the old
 *     configuration keeps serving; the status says it was rejected until a reload succeeds).</li>
 * <li>{@link #stopping(boolean)}: {@code STOPPING=1}, once.</li>
 * <li>{@link #counts(Counts)}: {@code STATUS=} with the pools' counts when the text changed (the
 *     supervisor feeds it on a timer); each state change above carries the current status too.</li>
 * <li>{@link #watchdog()}: {@code WATCHDOG=1} (the supervisor calls it every {@link #watchdogPing}
 *     once the master actor has answered).</li>
 * </ul>
 *
 * <p>A message that cannot be sent is logged (the first of a run of failures at WARN) and dropped:
 * notifications never stop jfpm. Thread-safe: the master actor, the supervisor's thread and the
 * scheduler call it.
 */
final class ServiceNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceNotifier.class);

    /** Where messages go; throws when one cannot be sent. */
    @FunctionalInterface
    interface Sink {
        void send(String state);
    }

    enum State { STARTING, READY, RELOADING, STOPPING }

    /**
     * What STATUS= shows of the pools.
     *
     * @param pools  configured pools (a removed pool still draining is not counted, its workers are)
     * @param idle   workers waiting in accept, every generation
     * @param active every other worker (in a request, or starting)
     * @param queued connections waiting in the pools' accept queues
     */
    record Counts(int pools, long idle, long active, long queued) {

        static final Counts NONE = new Counts(0, 0, 0, 0);

        /** The counts of the statuses the pool actors gave (the master's pools, then draining ones). */
        static Counts of(List<PoolStatus> statuses) {
            Set<String> names = new HashSet<>();
            long idle = 0;
            long active = 0;
            long queued = 0;
            for (PoolStatus s : statuses) {
                names.add(s.identity().name());
                idle += s.idle();
                active += s.active();
                queued += Math.max(0, s.header().listenQueue());
            }
            return new Counts(names.size(), idle, active, queued);
        }

        /** "2 pools, 7 idle, 1 active" (and ", 3 queued" when connections wait). */
        String describe() {
            return pools + (pools == 1 ? " pool, " : " pools, ") + idle + " idle, " + active + " active"
                    + (queued > 0 ? ", " + queued + " queued" : "");
        }
    }

    private final Sink sink;
    private final LongSupplier monotonicMicros;
    private State state = State.STARTING;
    private Counts counts = Counts.NONE;
    private boolean countsKnown;
    private String note;
    private String graceful;
    private String lastStatus;
    private boolean failing;
    private boolean closed;

    /**
     * @param sink            where messages go (null: nowhere, for a jfpm not run by a service manager)
     * @param monotonicMicros CLOCK_MONOTONIC in µs, for {@code MONOTONIC_USEC=}
     */
    ServiceNotifier(Sink sink, LongSupplier monotonicMicros) {
        this.sink = sink;
        this.monotonicMicros = Objects.requireNonNull(monotonicMicros, "monotonicMicros");
    }

    /** A notifier that sends nothing. */
    static ServiceNotifier none() {
        return new ServiceNotifier(null, () -> 0L);
    }

    /** True when messages go somewhere. */
    boolean enabled() {
        return sink != null;
    }

    /**
     * How often to send {@code WATCHDOG=1} for a watchdog {@code timeout} ({@code WATCHDOG_USEC}): half
     * of it, as sd_watchdog_enabled(3) advises.
     */
    static Optional<Duration> watchdogPing(Optional<Duration> timeout) {
        return timeout.filter(t -> !t.isNegative() && !t.isZero()).map(t -> t.dividedBy(2));
    }

    synchronized State state() {
        return state;
    }

    /** Start-up is over: every pool serves. */
    synchronized void ready() {
        if (state != State.STARTING) {
            return;
        }
        state = State.READY;
        send("READY=1\nSTATUS=" + remember(status()));
    }

    /** A reload (SIGHUP) begins. Only once ready: a reload during start-up is part of the start-up (READY=1 follows). */
    synchronized void reloading() {
        if (state != State.READY) {
            return;
        }
        state = State.RELOADING;
        send("RELOADING=1\nMONOTONIC_USEC=" + monotonicMicros.getAsLong() + "\nSTATUS=" + remember(status()));
    }

    /**
     * The reload is over: applied ({@code rejection} null), or rejected, with why (e.g.
     * "2 error(s) in /etc/jfpm/jfpm.conf"); the running pools serve either way.
     */
    synchronized void reloaded(String rejection) {
        if (state != State.RELOADING) {
            return;
        }
        note = rejection == null ? null : "last reload rejected: " + rejection;
        state = State.READY;
        send("READY=1\nSTATUS=" + remember(status()));
    }

    /** A stop begins ({@code graceful}: TERM); a later fast stop only changes the status. */
    synchronized void stopping(boolean graceful) {
        String kind = graceful ? "graceful" : "fast";
        if (state == State.STOPPING) {
            if (!kind.equals(this.graceful)) {
                this.graceful = kind;
                sendStatusIfChanged();
            }
            return;
        }
        state = State.STOPPING;
        this.graceful = kind;
        send("STOPPING=1\nSTATUS=" + remember(status()));
    }

    /** The pools' counts now (from the status timer): a {@code STATUS=} line when the text changed. */
    synchronized void counts(Counts now) {
        counts = Objects.requireNonNull(now, "now");
        countsKnown = true;
        sendStatusIfChanged();
    }

    /** The master is alive: {@code WATCHDOG=1}. */
    synchronized void watchdog() {
        send("WATCHDOG=1");
    }

    /** Sends nothing from now on (the socket is about to close; a late status timer must not reach it). */
    synchronized void close() {
        closed = true;
    }

    /** The STATUS= text for the current state. */
    synchronized String status() {
        return switch (state) {
            case STARTING -> "starting";
            case READY -> (countsKnown ? counts.describe() : "serving " + plural(counts.pools(), "pool"))
                    + (note == null ? "" : "; " + note);
            case RELOADING -> "reloading the configuration";
            case STOPPING -> "stopping (" + graceful + ")" + (countsKnown
                    ? ": " + (counts.idle() + counts.active()) + " worker(s) left" : "");
        };
    }

    /** Sets the number of configured pools before any status arrived (for the READY=1 status). */
    synchronized void pools(int n) {
        if (!countsKnown) {
            counts = new Counts(n, 0, 0, 0);
        }
    }

    private void sendStatusIfChanged() {
        if (state == State.STARTING || state == State.RELOADING) {
            return; // those carry their own fixed status
        }
        String s = status();
        if (!s.equals(lastStatus)) {
            send("STATUS=" + remember(s));
        }
    }

    private String remember(String status) {
        lastStatus = status;
        return status;
    }

    private static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private void send(String message) {
        if (sink == null || closed) {
            return;
        }
        try {
            sink.send(message);
            if (failing) {
                failing = false;
                LOG.info("notifying the service manager works again");
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("cannot notify the service manager ({}): {}; going on without", firstLine(message),
                        e.getMessage() == null ? e.toString() : e.getMessage());
            } else {
                LOG.debug("cannot notify the service manager ({}): {}", firstLine(message), e.toString());
            }
        }
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
