package org.jfpm.supervisor.top;

import java.util.List;
import org.jfpm.supervisor.status.PoolFields;

/**
 * One pool as {@code jfpm top} shows it at one refresh: either {@code fields} and {@code rows}, or an
 * {@code error} (the file is missing or not a scoreboard) and nothing else.
 *
 * @param name       the pool name the file was looked up by (never the header's)
 * @param error      why the pool could not be read, or null
 * @param fields     the status page's pool fields, read from the file
 * @param reqPerSec  accepted connections per second since the last refresh, NaN when unknown
 * @param masterNote the master is stopped, gone or silent (clean text), or null
 * @param unreadable slots without a stable copy (a writer died mid-write, or keeps the slot garbled): not shown as rows
 * @param rows       one per in-use slot with a stable copy, in slot order
 */
record TopPool(String name, String error, PoolFields fields, double reqPerSec, String masterNote, int unreadable,
               List<TopRow> rows) {

    TopPool {
        rows = List.copyOf(rows);
    }

    static TopPool failed(String name, String error) {
        return new TopPool(name, error, null, Double.NaN, null, 0, List.of());
    }
}
