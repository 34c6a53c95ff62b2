package org.jfpm.supervisor.top;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jfpm.os.JvmSignals;

/**
 * {@code jfpm top}: a live view of the pools and their workers, refreshed every {@code interval}
 * seconds, read straight from the scoreboard files as {@code jfpm status} reads them, so it keeps
 * updating while the master is hung or SIGSTOPped.
 *
 * <p>Interactive when stdin and stdout are a terminal ({@link #isTerminal}) and {@code --batch} is not given: the alternate
 * screen, keys {@code q} (quit), {@code s} (next sort column), {@code p} (next pool, then all),
 * space (refresh now); the screen follows the terminal's size (SIGWINCH). Otherwise (scripts, pipes)
 * each refresh prints the screen as plain text, followed by a blank line.
 */
public final class TopCommand {

    /**
     * @param pools      the pools to show, in order
     * @param interval   seconds between refreshes
     * @param iterations refreshes before exiting; 0 = until {@code q}
     * @param batch      plain text, no keys, even on a terminal
     * @param sort       the initial sort order (a {@link SortKey} label)
     */
    public record Options(List<String> pools, double interval, int iterations, boolean batch, String sort) {
        public Options {
            pools = List.copyOf(pools);
        }
    }

    /** Width of a plain-text screen: lines are cut there so a garbage URI cannot make megabyte lines. */
    static final int BATCH_WIDTH = 400;

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Options options;
    private final TopReader reader;
    private SortKey sort;
    /** -1: all pools, else the index of the one shown. */
    private int selected = -1;

    TopCommand(Options options, Path scoreboardDir) {
        this.options = options;
        this.reader = new TopReader(scoreboardDir, TopReader.Procs.SYSTEM);
        SortKey k = SortKey.named(options.sort());
        this.sort = k == null ? SortKey.STATE : k;
    }

    /** The sort labels {@code --sort} accepts. */
    public static String sortLabels() {
        return SortKey.labels();
    }

    /** True when {@code name} is a sort label. */
    public static boolean isSortLabel(String name) {
        return SortKey.named(name) != null;
    }

    /**
     * Runs until {@code q} (or Ctrl-C), or for {@code options.iterations()} refreshes.
     *
     * @return 0, or 1 when the last refresh found no pool readable (in batch mode) or the terminal failed
     */
    public static int run(Path scoreboardDir, Options options, PrintStream out, PrintStream err) {
        TopCommand top = new TopCommand(options, scoreboardDir);
        boolean interactive = !options.batch() && isTerminal(0) && isTerminal(1);
        if (interactive) {
            try {
                return top.interactive(out);
            } catch (IOException e) {
                err.println("ERROR: jfpm top cannot use the terminal: " + e.getMessage() + " (try --batch)");
                return 1;
            }
        }
        return top.batch(out);
    }

    private int batch(PrintStream out) {
        boolean readable = false;
        long intervalNanos = intervalNanos();
        long next = System.nanoTime();
        for (int i = 0; options.iterations() == 0 || i < options.iterations(); i++) {
            if (i > 0) {
                sleepUntil(next);
            }
            long now = System.nanoTime();
            next = now + intervalNanos;
            List<TopPool> pools = reader.read(options.pools(), System.currentTimeMillis() * 1000L, now);
            readable = pools.stream().anyMatch(p -> p.error() == null);
            out.print(TopScreen.plain(TopScreen.lines(view(false), shown(pools), BATCH_WIDTH, Integer.MAX_VALUE)));
            out.println();
            out.flush();
            if (out.checkError()) {
                return 0; // the reader went away (| head)
            }
        }
        return readable ? 0 : 1;
    }

    private int interactive(PrintStream out) throws IOException {
        AtomicBoolean resized = new AtomicBoolean();
        JvmSignals winch = null;
        try (Terminal term = Terminal.enter(out)) {
            try {
                winch = JvmSignals.install(List.of("WINCH"), s -> resized.set(true));
            } catch (IllegalArgumentException e) {
                winch = null; // size is then read at every refresh
            }
            int[] size = term.size();
            long intervalNanos = intervalNanos();
            int frames = 0;
            while (true) {
                long now = System.nanoTime();
                long next = now + intervalNanos;
                List<TopPool> pools = reader.read(options.pools(), System.currentTimeMillis() * 1000L, now);
                if (winch == null || resized.getAndSet(false)) {
                    size = term.size();
                }
                if (!term.draw(frame(pools, size))) {
                    return 0;
                }
                frames++;
                if (options.iterations() > 0 && frames >= options.iterations()) {
                    return 0;
                }
                // keys until the next refresh; s and p redraw the same data at once
                while (true) {
                    long wait = next - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    int key = term.key(Math.min(wait, 100_000_000L));
                    if (key < 0) {
                        if (resized.getAndSet(false)) {
                            size = term.size();
                            term.draw(frame(pools, size));
                        }
                        continue;
                    }
                    Action a = onKey(key);
                    if (a == Action.QUIT) {
                        return 0;
                    }
                    if (a == Action.REFRESH) {
                        break;
                    }
                    if (a == Action.REDRAW) {
                        term.draw(frame(pools, size));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            if (winch != null) {
                winch.close();
            }
        }
    }

    enum Action { NONE, QUIT, REDRAW, REFRESH }

    /** What a key does: {@code q}/{@code Q}/Ctrl-C/Ctrl-D quit, {@code s} next sort, {@code p} next pool, space refresh. */
    Action onKey(int key) {
        switch (key) {
            case 'q', 'Q', 3, 4 -> {
                return Action.QUIT;
            }
            case 's', 'S' -> {
                sort = sort.next();
                return Action.REDRAW;
            }
            case 'p', 'P' -> {
                int n = options.pools().size();
                selected = n <= 1 ? -1 : selected + 1 >= n ? -1 : selected + 1;
                return Action.REDRAW;
            }
            case ' ' -> {
                return Action.REFRESH;
            }
            default -> {
                return Action.NONE;
            }
        }
    }

    private String frame(List<TopPool> pools, int[] size) {
        return TopScreen.ansi(TopScreen.lines(view(true), shown(pools), size[1], size[0]), size[1]);
    }

    SortKey sort() {
        return sort;
    }

    /** The pool shown alone, or null for all. */
    String selectedPool() {
        return selected < 0 ? null : options.pools().get(selected);
    }

    private TopScreen.View view(boolean keys) {
        String pool = selected >= 0 ? options.pools().get(selected) : options.pools().size() == 1 ? options.pools().get(0) : null;
        return new TopScreen.View(LocalTime.now().format(CLOCK), options.interval(), sort, pool, keys);
    }

    private List<TopPool> shown(List<TopPool> pools) {
        if (selected < 0) {
            return pools;
        }
        String name = options.pools().get(selected);
        return pools.stream().filter(p -> p.name().equals(name)).toList();
    }

    /**
     * Whether fd {@code fd} of this process is a terminal: its {@code /proc/self/fd} link names a tty
     * device. Not {@code System.console()}, which from JDK 22 on is non-null with redirected streams too.
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private long intervalNanos() {
        return Math.max(1_000_000L, (long) (options.interval() * 1e9));
    }

    private static void sleepUntil(long deadline) {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
            try {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
