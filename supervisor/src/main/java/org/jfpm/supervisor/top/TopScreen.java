package org.jfpm.supervisor.top;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfpm.supervisor.status.PoolFields;

/**
 * The text of one {@code jfpm top} screen, computed from the pools read at one refresh: pure, so it is
 * tested without a terminal. {@link #lines} lays the screen out into {@code width} × {@code height}
 * cells; {@link #ansi} draws it over the previous screen (cursor home, each line cleared to its end,
 * the rest cleared), {@link #plain} prints it for scripts ({@code --batch}, {@code --once}).
 *
 * <pre>
 * jfpm top  10:02:03  every 1s  sort: state  pools: all   q quit  s sort  p pool
 *  www  dynamic  processes 3 (active 1, idle 2, max children 5)  listen queue 0/511 (max 2)       (reverse video)
 *  accepted conn 1234  12.5 req/s  max active 3  max children reached 0  slow requests 0
 * SLOT     PID STATE            REQS     DUR  CPU%     RSS REQUEST                               (bold; sort column reversed)
 *    1   48213 Running            17   2.51s     -   38.2M GET /sleep?ms=3000 (/srv/www/hello.php)
 * </pre>
 */
final class TopScreen {

    enum Style { PLAIN, BOLD, REVERSE }

    /** A line of text (clean, at most the screen's width); cells {@code [markFrom, markTo)} are drawn reversed. */
    record Line(String text, Style style, int markFrom, int markTo) {
        Line(String text, Style style) {
            this(text, style, 0, 0);
        }
    }

    /**
     * What the screen shows besides the pools.
     *
     * @param clock    the refresh's local time, e.g. {@code 10:02:03}
     * @param interval seconds between refreshes
     * @param sort     the rows' order
     * @param pool     the one pool shown, or null for all
     * @param keys     show the key help (interactive)
     */
    record View(String clock, double interval, SortKey sort, String pool, boolean keys) {
    }

    static final String ESC = "\u001b[";
    /**
     * Alternate screen on, cursor hidden, auto-wrap off (a character the terminal draws wider than
     * {@link Cells#width} says then cuts its line short instead of wrapping it and scrolling the screen).
     */
    static final String ENTER = ESC + "?1049h" + ESC + "?25l" + ESC + "?7l" + ESC + "H" + ESC + "2J";
    /** Attributes reset, auto-wrap on, cursor shown, alternate screen off: the terminal as it was. */
    static final String LEAVE = ESC + "0m" + ESC + "?7h" + ESC + "?25h" + ESC + "?1049l";

    private static final String[] COLUMNS = {"SLOT", "PID", "STATE", "REQS", "DUR", "CPU%", "RSS", "REQUEST"};

    private TopScreen() {
    }

    /**
     * The screen, cut to {@code width} cells a line and {@code height} lines (the last one then says how
     * many were left out); {@code pools} already filtered to what the view shows.
     */
    static List<Line> lines(View view, List<TopPool> pools, int width, int height) {
        List<Line> out = new ArrayList<>();
        StringBuilder title = new StringBuilder("jfpm top  ").append(Cells.clean(view.clock()))
                .append("  every ").append(seconds(view.interval()))
                .append("  sort: ").append(view.sort().label())
                .append("  pools: ").append(view.pool() == null ? "all" : Cells.clean(view.pool()));
        if (view.keys()) {
            title.append("   q quit  s sort  p pool  space refresh");
        }
        out.add(new Line(title.toString(), Style.PLAIN));
        if (pools.isEmpty()) {
            out.add(new Line("no pool to show", Style.PLAIN));
        }
        for (TopPool pool : pools) {
            out.add(new Line("", Style.PLAIN));
            poolLines(pool, view.sort(), out);
        }
        return fit(out, width, height);
    }

    private static void poolLines(TopPool pool, SortKey sort, List<Line> out) {
        String name = Cells.clean(pool.name());
        if (pool.error() != null) {
            out.add(new Line(" " + name + "  " + Cells.clean(pool.error()), Style.REVERSE));
            return;
        }
        PoolFields f = pool.fields();
        out.add(new Line(" " + name + "  " + Cells.clean(f.processManager())
                + "  processes " + f.totalProcesses() + " (active " + f.activeProcesses() + ", idle " + f.idleProcesses()
                + ", max children " + f.maxChildren() + ")"
                + "  listen queue " + (f.listenQueueLen() > 0 ? f.listenQueue() + "/" + f.listenQueueLen()
                        + " (max " + f.maxListenQueue() + ")" : "-"), Style.REVERSE));
        StringBuilder counters = new StringBuilder(" accepted conn ").append(f.acceptedConn())
                .append("  ").append(rate(pool.reqPerSec())).append(" req/s")
                .append("  max active ").append(f.maxActiveProcesses())
                .append("  max children reached ").append(f.maxChildrenReached())
                .append("  slow requests ").append(f.slowRequests());
        if (f.terminatedRequests() > 0) {
            counters.append("  terminated ").append(f.terminatedRequests());
        }
        if (pool.unreadable() > 0) {
            counters.append("  unreadable slots ").append(pool.unreadable());
        }
        out.add(new Line(counters.toString(), Style.PLAIN));
        if (pool.masterNote() != null) {
            out.add(new Line(" " + Cells.clean(pool.masterNote()), Style.BOLD));
        }
        List<TopRow> rows = new ArrayList<>(pool.rows());
        rows.sort(sort.order());
        List<String[]> cells = new ArrayList<>();
        for (TopRow r : rows) {
            cells.add(new String[] {Integer.toString(r.slot()), Long.toString(r.pid()), r.state(),
                    Long.toString(r.requests()), duration(r.durationUs()), percent(r.cpuPercent()), bytes(r.rssBytes()),
                    r.request()});
        }
        int[] w = new int[COLUMNS.length];
        for (int c = 0; c < w.length; c++) {
            w[c] = COLUMNS[c].length();
        }
        w[4] = 7;
        w[5] = 5;
        w[6] = 6;
        for (String[] row : cells) {
            for (int c = 0; c < w.length - 1; c++) {
                w[c] = Math.max(w[c], Math.min(c == 2 ? 28 : 20, Cells.width(row[c])));
            }
        }
        int sorted = switch (sort) {
            case SLOT -> 0;
            case PID -> 1;
            case STATE -> 2;
            case REQUESTS -> 3;
            case DURATION -> 4;
            case CPU -> 5;
            case RSS -> 6;
        };
        StringBuilder heading = new StringBuilder();
        int markFrom = 0;
        int markTo = 0;
        for (int c = 0; c < COLUMNS.length; c++) {
            if (c > 0) {
                heading.append(' ');
            }
            if (c == sorted) {
                markFrom = heading.length();
            }
            heading.append(c == COLUMNS.length - 1 ? COLUMNS[c] : c == 2 ? Cells.padRight(COLUMNS[c], w[c]) : Cells.padLeft(COLUMNS[c], w[c]));
            if (c == sorted) {
                markTo = heading.length();
            }
        }
        out.add(new Line(heading.toString(), Style.BOLD, markFrom, markTo));
        for (String[] row : cells) {
            StringBuilder b = new StringBuilder();
            for (int c = 0; c < COLUMNS.length; c++) {
                if (c > 0) {
                    b.append(' ');
                }
                b.append(c == COLUMNS.length - 1 ? row[c] : c == 2 ? Cells.padRight(row[c], w[c]) : Cells.padLeft(row[c], w[c]));
            }
            out.add(new Line(b.toString(), Style.PLAIN));
        }
        if (rows.isEmpty()) {
            out.add(new Line(" (no workers)", Style.PLAIN));
        }
    }

    /** Every line cut to {@code width}; beyond {@code height} lines, the last shown says how many more there are. */
    static List<Line> fit(List<Line> lines, int width, int height) {
        int w = Math.max(1, width);
        int h = Math.max(1, height);
        List<Line> out = new ArrayList<>(Math.min(lines.size(), h));
        int shown = lines.size() <= h ? lines.size() : h - 1;
        for (int i = 0; i < shown; i++) {
            Line l = lines.get(i);
            String t = Cells.fit(l.text(), w);
            out.add(new Line(t, l.style(), Math.min(l.markFrom(), t.length()), Math.min(l.markTo(), t.length())));
        }
        if (shown < lines.size()) {
            int more = lines.size() - shown;
            out.add(new Line(Cells.fit("... " + more + " more line" + (more == 1 ? "" : "s") + " (p: one pool at a time)", w),
                    Style.BOLD));
        }
        return out;
    }

    /** The frame drawn over the previous one: home, each line then clear-to-end-of-line, then clear below. */
    static String ansi(List<Line> lines, int width) {
        StringBuilder b = new StringBuilder(ESC + "H");
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            String t = l.text();
            if (l.style() == Style.REVERSE) {
                t = Cells.padRight(t, width);
            }
            String on = switch (l.style()) {
                case PLAIN -> "";
                case BOLD -> ESC + "1m";
                case REVERSE -> ESC + "7m";
            };
            b.append(on);
            if (l.markTo() > l.markFrom()) {
                String back = l.style() == Style.REVERSE ? ESC + "27m" : ESC + "7m";
                String forth = l.style() == Style.REVERSE ? ESC + "7m" : ESC + "27m";
                b.append(t, 0, l.markFrom()).append(back).append(t, l.markFrom(), l.markTo()).append(forth)
                        .append(t.substring(l.markTo()));
            } else {
                b.append(t);
            }
            if (!on.isEmpty()) {
                b.append(ESC).append("0m");
            }
            b.append(ESC).append('K');
            if (i < lines.size() - 1) {
                b.append("\r\n");
            }
        }
        return b.append(ESC).append('J').toString();
    }

    /** The lines as plain text, one per line, without escapes. */
    static String plain(List<Line> lines) {
        StringBuilder b = new StringBuilder();
        for (Line l : lines) {
            b.append(l.text().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    /** A duration in µs for a column of 7: {@code 850us}, {@code 12ms}, {@code 2.51s}, {@code 12m05s}, {@code 3h02m}. */
    static String duration(long us) {
        if (us < 0) {
            return "-";
        }
        if (us < 1000) {
            return us + "us";
        }
        if (us < 1_000_000) {
            return us / 1000 + "ms";
        }
        if (us < 60_000_000) {
            return String.format(Locale.ROOT, "%.2fs", Math.floor(us / 10_000.0) / 100.0);
        }
        long s = us / 1_000_000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
    }

    /** Bytes for a column of 6: {@code 512K}, {@code 38.2M}, {@code 1.5G}; "-" when unknown. */
    static String bytes(long b) {
        if (b < 0) {
            return "-";
        }
        if (b < 1024) {
            return b + "B";
        }
        String[] units = {"K", "M", "G", "T", "P", "E"};
        double v = b / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v < 100 && u > 0 ? String.format(Locale.ROOT, "%.1f%s", v, units[u]) : Math.round(v) + units[u];
    }

    /** A CPU percentage, "-" when NaN; a worker's lie above 9999 % shows as {@code >9999}. */
    static String percent(double p) {
        if (Double.isNaN(p) || p < 0) {
            return "-";
        }
        return p > 9999 ? ">9999" : String.format(Locale.ROOT, "%.1f", p);
    }

    /** A rate, "-" when NaN. */
    static String rate(double r) {
        if (Double.isNaN(r) || r < 0) {
            return "-";
        }
        return r >= 1e9 ? ">1e9" : String.format(Locale.ROOT, "%.1f", r);
    }

    static String seconds(double s) {
        return s == Math.rint(s) ? (long) s + "s" : String.format(Locale.ROOT, "%.1fs", s);
    }
}
