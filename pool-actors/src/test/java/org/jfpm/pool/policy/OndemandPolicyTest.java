package org.jfpm.pool.policy;

import static org.jfpm.pool.policy.Fixtures.T0;
import static org.jfpm.pool.policy.Fixtures.busy;
import static org.jfpm.pool.policy.Fixtures.idle;
import static org.jfpm.pool.policy.Fixtures.ondemandPm;
import static org.jfpm.pool.policy.Fixtures.retiring;
import static org.jfpm.pool.policy.Fixtures.seconds;
import static org.jfpm.pool.policy.Fixtures.starting;
import static org.jfpm.pool.policy.Fixtures.unaccounted;
import static org.jfpm.pool.policy.Fixtures.view;
import static org.jfpm.pool.policy.Fixtures.wornOut;
import static org.jfpm.pool.policy.Row.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.jfpm.pool.PmConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OndemandPolicyTest {

    /** max 5, process-idle-timeout 10 s. */
    private static final PmConfig PM = ondemandPm(5, Duration.ofSeconds(10), 0);
    private static final PmConfig RECYCLING = ondemandPm(5, Duration.ofSeconds(10), 100);
    private static final String REACHED = "WARNING [pool www] server reached max_children setting (5), consider raising it";

    private static final Policy FRESH = OndemandPolicy.initial();

    private static Policy quietSince(double secondsAgo) {
        return OndemandPolicy.startedWith(T0 - seconds(secondsAgo), false);
    }

    static Stream<Row> rows() {
        return Stream.of(
                row("at rest: no workers, nothing", FRESH, view(PM), true),
                row("readable, no worker: spawn one", FRESH, view(PM).readable(), false, "spawn 1"),
                row("a burst of 4 waiting: spawn 4 at once, not one per edge", FRESH,
                        view(PM).readable().waiting(4), false, "spawn 4"),
                row("waiting covered by a starting worker and a pending spawn", quietSince(1),
                        view(PM, starting(1)).pending(1).waiting(2), false),
                row("readable while a worker is starting: nothing", quietSince(1),
                        view(PM, starting(1)).readable(), false),
                row("readable with an idle worker: nothing", quietSince(1),
                        view(PM, idle(1, 3), busy(2)).readable(), false),
                row("waiting beyond the idle workers: spawn the rest", quietSince(1),
                        view(PM, idle(1, 3), busy(2)).waiting(3), false, "spawn 2"),
                row("capped by max-children", quietSince(1),
                        view(PM, busy(1), busy(2), busy(3)).waiting(4), false, "spawn 2"),
                row("at max-children: counted and logged once, ondemand wording", quietSince(1),
                        view(PM, busy(1), busy(2), busy(3), busy(4), busy(5)).readable(), false,
                        "max-children 5", REACHED),
                row("at max-children, episode already counted: silent",
                        OndemandPolicy.startedWith(T0 - seconds(1), true),
                        view(PM, busy(1), busy(2), busy(3), busy(4), busy(5)).readable(), false),
                row("tick: bury EVERY idle worker older than process-idle-timeout", quietSince(60),
                        view(PM, idle(1, 11), busy(2), idle(3, 5), idle(4, 30), idle(5, 10.5)), true,
                        "bury 1 GRACEFUL", "bury 4 GRACEFUL", "bury 5 GRACEFUL"),
                row("tick: the oldest-started idle worker being recent does not shield the others", quietSince(60),
                        view(PM, idle(1, 1, 3600), idle(2, 30, 40)), true, "bury 2 GRACEFUL"),
                row("no reaping between ticks", quietSince(60), view(PM, idle(1, 11), idle(4, 30)), false),
                row("no reaping while connections wait", quietSince(60),
                        view(PM, idle(1, 11), idle(4, 30)).waiting(1), true),
                row("a retiring idle worker is not buried again", quietSince(60),
                        view(PM, retiring(idle(1, 30)), idle(2, 1)), true),
                row("max-requests: retire, and no replacement while nothing waits", quietSince(60),
                        view(RECYCLING, wornOut(idle(1, 1), 100), busy(2)), false, "bury 1 GRACEFUL"),
                row("max-requests with a connection waiting: retire and replace", quietSince(1),
                        view(RECYCLING, wornOut(busy(1), 100), busy(2)).waiting(1), false,
                        "bury 1 GRACEFUL", "spawn 1"),
                row("none: readable, no worker: spawn one", FRESH, view(PM).readable().noAccounting(), false, "spawn 1"),
                row("none: a worker younger than 1 s covers the readable socket", quietSince(1),
                        view(PM, unaccounted(1, 0.3)).readable().noAccounting(), false),
                row("none: queue of 3, nothing young: spawn 3", quietSince(1),
                        view(PM, unaccounted(1, 30)).waiting(3).noAccounting(), false, "spawn 3"),
                row("none: quiet longer than the timeout: bury ONE, the least recently spawned", quietSince(20),
                        view(PM, unaccounted(1, 30), unaccounted(2, 60), unaccounted(3, 20)).noAccounting(), true,
                        "bury 2 GRACEFUL"),
                row("none: quiet, but every worker is younger than the timeout", quietSince(20),
                        view(PM, unaccounted(1, 5)).noAccounting(), true),
                row("none: not quiet for long enough", quietSince(5),
                        view(PM, unaccounted(1, 30), unaccounted(2, 60)).noAccounting(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        row.check();
    }

    @Test
    void aWaitingConnectionRestartsTheQuietPeriodWithoutAccounting() {
        Policy policy = quietSince(30);
        PoolView busy = view(PM, unaccounted(1, 60), unaccounted(2, 60)).waiting(1).noAccounting().build();
        Policy.Decision d = policy.decide(busy, false);
        assertEquals(List.of("spawn 1"), Fixtures.render(d.actions()));
        PoolView calm = view(PM, unaccounted(1, 60), unaccounted(2, 60), unaccounted(3, 55))
                .at(T0 + seconds(5)).noAccounting().build();
        assertEquals(List.of(), Fixtures.render(d.next().decide(calm, true).actions()), "quiet for 5 s only");
        PoolView later = view(PM, unaccounted(1, 60), unaccounted(2, 60), unaccounted(3, 55))
                .at(T0 + seconds(11)).noAccounting().build();
        assertEquals(List.of("bury 1 GRACEFUL"), Fixtures.render(d.next().decide(later, true).actions()));
    }
}
