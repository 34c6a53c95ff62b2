package org.jfpm.pool.policy;

import static org.jfpm.pool.policy.Fixtures.busy;
import static org.jfpm.pool.policy.Fixtures.idle;
import static org.jfpm.pool.policy.Fixtures.retiring;
import static org.jfpm.pool.policy.Fixtures.staticPm;
import static org.jfpm.pool.policy.Fixtures.unaccounted;
import static org.jfpm.pool.policy.Fixtures.view;
import static org.jfpm.pool.policy.Fixtures.wornOut;
import static org.jfpm.pool.policy.Row.row;

import java.util.stream.Stream;
import org.jfpm.pool.PmConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StaticPolicyTest {

    private static final PmConfig PM = staticPm(4, 0);
    private static final PmConfig RECYCLING = staticPm(4, 100);
    private static final Policy P = StaticPolicy.initial();

    static Stream<Row> rows() {
        return Stream.of(
                row("start: spawns max-children", P, view(PM), false, "spawn 4"),
                row("start on a tick: the same", P, view(PM), true, "spawn 4"),
                row("full pool: nothing", P, view(PM, busy(1), busy(2), idle(3, 5), idle(4, 5)), true),
                row("a worker exited: respawn one", P, view(PM, busy(1), busy(2), idle(3, 5)), false, "spawn 1"),
                row("pending spawns count", P, view(PM, busy(1), busy(2)).pending(2), false),
                row("pending spawns count, partly", P, view(PM, busy(1)).pending(1), false, "spawn 2"),
                row("a retiring worker counts for nothing", P,
                        view(PM, busy(1), busy(2), busy(3), retiring(idle(4, 1))), false, "spawn 1"),
                row("max-requests: retire the worn-out worker, the running-count rule replaces it", P,
                        view(RECYCLING, busy(1), wornOut(busy(2), 100), idle(3, 1), idle(4, 1)), false,
                        "bury 2 GRACEFUL", "spawn 1"),
                row("max-requests: one request short of the limit stays", P,
                        view(RECYCLING, busy(1), Fixtures.requests(busy(2), 99), idle(3, 1), idle(4, 1)), false),
                row("max-requests: a retiring worn-out worker is not buried again", P,
                        view(RECYCLING, busy(1), retiring(wornOut(busy(2), 100)), idle(3, 1), idle(4, 1)), false,
                        "spawn 1"),
                row("waiting connections do not change static", P,
                        view(PM, busy(1), busy(2), busy(3), busy(4)).waiting(10).readable(), false),
                row("never buries for idleness", P,
                        view(PM, idle(1, 600), idle(2, 600), idle(3, 600), idle(4, 600)), true),
                row("a view over max-children (stale): spawns nothing, buries nothing", P,
                        view(PM, busy(1), busy(2), busy(3), busy(4), busy(5)), true),
                row("accounting = none: the same running-count rule", P,
                        view(PM, unaccounted(1, 30)).noAccounting(), true, "spawn 3"),
                row("accounting = none: request counts are unknown, max-requests retires nothing", P,
                        view(RECYCLING, wornOut(unaccounted(1, 30), 100), unaccounted(2, 30), unaccounted(3, 30),
                                unaccounted(4, 30)).noAccounting(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        row.check();
    }
}
