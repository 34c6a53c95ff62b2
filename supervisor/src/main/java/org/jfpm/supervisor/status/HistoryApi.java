package org.jfpm.supervisor.status;

import java.util.List;

/**
 * {@code /api/history?pool=NAME}: one pool's last ten minutes at 1 s, oldest sample first, every
 * array of the same length as {@code time}:
 * <pre>{@code
 * {"pool":"www","interval ms":1000,"capacity":600,"samples":N,
 *  "time":[<epoch ms>...],
 *  "idle":[...],"active":[...],"total":[...],"listen queue":[...],
 *  "accepted":[...],"spawned":[...],"exited":[...],
 *  "totals":{"accepted conn":N,"spawned":N,"exited":N},
 *  "workers":[{"slot":0,"pid":1234,"now":true,"states":"iiibbbi..."}]}
 * }</pre>
 * {@code idle}, {@code active}, {@code total}: processes as the status page counts them;
 * {@code listen queue}: connections waiting; {@code accepted}, {@code spawned}, {@code exited}: how
 * many connections were accepted, workers started and workers reaped since the previous sample (0
 * for the first): req/s is {@code accepted[i] / (time[i] - time[i-1]) * 1000}. {@code totals}: the
 * counters at the newest sample (-1 before the first). {@code workers}: one lane per scoreboard slot
 * that held a worker in the window, {@code states} one letter per sample: {@code -} no worker,
 * {@code i} idle, {@code s} starting, {@code u} unknown (unreadable slot), {@code b} busy; {@code pid}
 * the worker last seen in the slot, {@code now} whether the slot holds one at the newest sample.
 */
public final class HistoryApi {

    private HistoryApi() {
    }

    /** {@code ring} null: a pool with no sample yet. */
    static void render(StringBuilder b, String pool, HistoryRing ring, int capacity, long intervalMs) {
        int n = ring == null ? 0 : ring.size();
        b.append("{\"pool\":\"").append(Escape.json(pool)).append('"');
        b.append(",\"interval ms\":").append(intervalMs);
        b.append(",\"capacity\":").append(capacity);
        b.append(",\"samples\":").append(n);
        b.append(",\"time\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.time(i));
        }
        b.append("],\"idle\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.idle(i));
        }
        b.append("],\"active\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.active(i));
        }
        b.append("],\"total\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.total(i));
        }
        b.append("],\"listen queue\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.listenQueue(i));
        }
        b.append("],\"accepted\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.accepted(i));
        }
        b.append("],\"spawned\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.spawned(i));
        }
        b.append("],\"exited\":[");
        for (int i = 0; i < n; i++) {
            comma(b, i).append(ring.exited(i));
        }
        b.append("],\"totals\":{\"accepted conn\":").append(ring == null ? -1 : ring.acceptedTotal())
                .append(",\"spawned\":").append(ring == null ? -1 : ring.spawnedTotal())
                .append(",\"exited\":").append(ring == null ? -1 : ring.exitedTotal());
        b.append("},\"workers\":[");
        int lanes = ring == null ? 0 : ring.lanes();
        boolean first = true;
        for (int l = 0; l < lanes; l++) {
            if (!used(ring, l, n)) {
                continue;
            }
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"slot\":").append(l).append(",\"pid\":").append(ring.lanePid(l))
                    .append(",\"now\":").append(ring.laneOccupied(l)).append(",\"states\":\"");
            for (int i = 0; i < n; i++) {
                b.append(HistoryRing.stateChar(ring.state(l, i)));
            }
            b.append("\"}");
        }
        b.append("]}");
    }

    /** The error body of a 400 or 404: what went wrong and the pools there are. */
    static String error(String message, List<String> pools) {
        StringBuilder b = new StringBuilder(64 + message.length());
        b.append("{\"error\":\"").append(Escape.json(message)).append("\",\"pools\":[");
        for (int i = 0; i < pools.size(); i++) {
            comma(b, i).append('"').append(Escape.json(pools.get(i))).append('"');
        }
        return b.append("]}").toString();
    }

    private static boolean used(HistoryRing ring, int lane, int n) {
        for (int i = 0; i < n; i++) {
            if (ring.state(lane, i) != HistoryRing.NONE) {
                return true;
            }
        }
        return false;
    }

    private static StringBuilder comma(StringBuilder b, int i) {
        if (i > 0) {
            b.append(',');
        }
        return b;
    }
}
