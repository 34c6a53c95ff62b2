package org.jfpm.supervisor.top;

import java.util.Comparator;
import java.util.Locale;

/**
 * The sort orders of {@code jfpm top}'s worker rows, cycled by the {@code s} key in this order. Each
 * breaks ties by slot index, so rows do not jump between refreshes.
 */
enum SortKey {
    /** Workers in a request first (longest first), then starting ones, then idle ones by slot: who is busy now. */
    STATE("state", Comparator.comparingInt(TopRow::rank)
            .thenComparing((a, b) -> a.inRequest() ? Long.compare(b.durationUs(), a.durationUs()) : 0)),
    PID("pid", Comparator.comparingLong(TopRow::pid)),
    REQUESTS("requests", Comparator.comparingLong(TopRow::requests).reversed()),
    DURATION("duration", Comparator.comparingLong(TopRow::durationUs).reversed()),
    CPU("cpu", Comparator.comparingDouble((TopRow r) -> Double.isNaN(r.cpuPercent()) ? -1 : r.cpuPercent()).reversed()),
    RSS("rss", Comparator.comparingLong(TopRow::rssBytes).reversed()),
    SLOT("slot", (a, b) -> 0);

    private final String label;
    private final Comparator<TopRow> order;

    SortKey(String label, Comparator<TopRow> primary) {
        this.label = label;
        this.order = primary.thenComparingInt(TopRow::slot);
    }

    /** The name shown in the title and accepted by {@code --sort}. */
    String label() {
        return label;
    }

    Comparator<TopRow> order() {
        return order;
    }

    /** The key after this one, for the {@code s} key; wraps around. */
    SortKey next() {
        SortKey[] all = values();
        return all[(ordinal() + 1) % all.length];
    }

    /** The key named {@code name} (case-insensitive), or null. */
    static SortKey named(String name) {
        for (SortKey k : values()) {
            if (k.label.equals(name.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        return null;
    }

    /** The labels, comma-separated, for help and errors. */
    static String labels() {
        StringBuilder b = new StringBuilder();
        for (SortKey k : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(k.label);
        }
        return b.toString();
    }
}
