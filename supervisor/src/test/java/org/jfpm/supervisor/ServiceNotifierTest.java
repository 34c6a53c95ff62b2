package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jfpm.supervisor.ServiceNotifier.Counts;
import org.jfpm.supervisor.ServiceNotifier.State;
import org.junit.jupiter.api.Test;

class ServiceNotifierTest {

    private final List<String> sent = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ServiceNotifier notifier = new ServiceNotifier(sent::add, clock::get);

    private List<String> drain() {
        List<String> copy = List.copyOf(sent);
        sent.clear();
        return copy;
    }

    @Test
    void readyOnceWhenEveryPoolServesWithTheStatus() {
        notifier.pools(2);
        notifier.counts(new Counts(2, 0, 3, 0)); // before READY: remembered, not sent
        assertEquals(List.of(), drain(), "nothing before start-up is over");
        notifier.ready();
        notifier.ready();
        assertEquals(List.of("READY=1\nSTATUS=2 pools, 0 idle, 3 active"), drain());
        assertEquals(State.READY, notifier.state());
    }

    @Test
    void readyBeforeAnyCountsSaysHowManyPoolsServe() {
        notifier.pools(1);
        notifier.ready();
        assertEquals(List.of("READY=1\nSTATUS=serving 1 pool"), drain());
    }

    @Test
    void statusLinesOnlyWhenTheTextChanges() {
        notifier.ready();
        drain();
        notifier.counts(new Counts(2, 7, 1, 0));
        notifier.counts(new Counts(2, 7, 1, 0));
        notifier.counts(new Counts(2, 6, 2, 3));
        notifier.counts(new Counts(1, 1, 0, 0));
        assertEquals(List.of("STATUS=2 pools, 7 idle, 1 active", "STATUS=2 pools, 6 idle, 2 active, 3 queued",
                "STATUS=1 pool, 1 idle, 0 active"), drain());
    }

    @Test
    void aReloadIsReloadingWithTheMonotonicTimeThenReady() {
        notifier.counts(new Counts(1, 2, 0, 0));
        notifier.ready();
        drain();
        clock.set(123_456_789);
        notifier.reloading();
        notifier.counts(new Counts(1, 4, 0, 0)); // no STATUS while reloading: RELOADING=1 carries its own
        notifier.reloaded(null);
        assertEquals(List.of("RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=reloading the configuration",
                "READY=1\nSTATUS=1 pool, 4 idle, 0 active"), drain());
    }

    @Test
    void aRejectedReloadIsReadyAgainAndTheStatusSaysSoUntilOneSucceeds() {
        notifier.counts(new Counts(1, 2, 0, 0));
        notifier.ready();
        notifier.reloading();
        drain();
        notifier.reloaded("2 error(s) in the configuration");
        notifier.counts(new Counts(1, 1, 1, 0));
        assertEquals(List.of("READY=1\nSTATUS=1 pool, 2 idle, 0 active; last reload rejected: 2 error(s) in the configuration",
                "STATUS=1 pool, 1 idle, 1 active; last reload rejected: 2 error(s) in the configuration"), drain());
        notifier.reloading();
        notifier.reloaded(null);
        assertEquals("READY=1\nSTATUS=1 pool, 1 idle, 1 active", drain().get(1));
    }

    @Test
    void aSighupDuringStartUpIsPartOfTheStartUp() {
        notifier.reloading();
        notifier.reloaded(null);
        assertEquals(List.of(), drain(), "no RELOADING=1 before READY=1");
        notifier.ready();
        assertEquals(1, drain().size());
    }

    @Test
    void stoppingOnceAndNothingButStatusAfterIt() {
        notifier.counts(new Counts(1, 2, 1, 0));
        notifier.ready();
        drain();
        notifier.stopping(true);
        notifier.stopping(true);
        notifier.reloading();
        notifier.reloaded(null);
        notifier.ready();
        notifier.counts(new Counts(1, 0, 1, 0));
        notifier.stopping(false); // a second TERM/INT: fast
        assertEquals(List.of("STOPPING=1\nSTATUS=stopping (graceful): 3 worker(s) left",
                "STATUS=stopping (graceful): 1 worker(s) left", "STATUS=stopping (fast): 1 worker(s) left"), drain());
        assertEquals(State.STOPPING, notifier.state());
    }

    @Test
    void aStopDuringStartUpIsStopping() {
        notifier.stopping(false);
        notifier.ready();
        assertEquals(List.of("STOPPING=1\nSTATUS=stopping (fast)"), drain());
    }

    @Test
    void watchdogPingsAtHalfTheTimeout() {
        assertEquals(Optional.of(Duration.ofSeconds(15)), ServiceNotifier.watchdogPing(Optional.of(Duration.ofSeconds(30))));
        assertEquals(Optional.empty(), ServiceNotifier.watchdogPing(Optional.empty()));
        assertEquals(Optional.empty(), ServiceNotifier.watchdogPing(Optional.of(Duration.ZERO)));
        notifier.watchdog();
        assertEquals(List.of("WATCHDOG=1"), drain());
    }

    @Test
    void aFailingSinkNeverThrowsAndKeepsTrying() {
        List<String> delivered = new ArrayList<>();
        boolean[] down = {true};
        ServiceNotifier n = new ServiceNotifier(m -> {
            if (down[0]) {
                throw new IllegalStateException("sendto(/run/systemd/notify): Connection refused (errno 111)");
            }
            delivered.add(m);
        }, () -> 0L);
        n.ready();
        n.watchdog();
        down[0] = false;
        n.watchdog();
        assertEquals(List.of("WATCHDOG=1"), delivered);
    }

    @Test
    void withoutASinkNothingIsSentButTheStateIsKept() {
        ServiceNotifier none = ServiceNotifier.none();
        assertFalse(none.enabled());
        none.ready();
        none.stopping(true);
        assertEquals(State.STOPPING, none.state());
        assertTrue(notifier.enabled());
    }

    @Test
    void nothingIsSentOnceClosed() {
        notifier.ready();
        drain();
        notifier.close();
        notifier.counts(new Counts(1, 1, 0, 0));
        notifier.watchdog();
        notifier.stopping(true);
        assertEquals(List.of(), drain());
    }

    @Test
    void countsDescribeThemselves() {
        assertEquals("2 pools, 7 idle, 1 active", new Counts(2, 7, 1, 0).describe());
        assertEquals("1 pool, 0 idle, 5 active, 12 queued", new Counts(1, 0, 5, 12).describe());
    }
}
