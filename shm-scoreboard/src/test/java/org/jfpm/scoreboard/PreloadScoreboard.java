package org.jfpm.scoreboard;

import java.nio.file.Path;

/**
 * A pool scoreboard for the preload tests, created and read with the real master API
 * ({@link Scoreboard}, {@link ScoreboardReader}), so that every test also checks that what the C
 * library writes is what the Java reader sees.
 */
final class PreloadScoreboard implements AutoCloseable {
    private final Scoreboard scoreboard;
    private final ScoreboardReader reader;

    private PreloadScoreboard(Scoreboard scoreboard) {
        this.scoreboard = scoreboard;
        this.reader = scoreboard.reader();
    }

    static PreloadScoreboard create(Path dir, String pool, int slots) {
        return new PreloadScoreboard(Scoreboard.create(dir, pool, PmMode.STATIC, Accounting.PRELOAD, slots, slots));
    }

    Path path() {
        return scoreboard.path();
    }

    /** Allocates the next free slot, as the master does before a spawn, and returns its index. */
    int allocate(long generation) {
        int i = scoreboard.allocate(generation);
        if (i < 0) {
            throw new IllegalStateException("no free slot in " + path());
        }
        return i;
    }

    long acceptedConn() {
        return reader.header().acceptedConn();
    }

    long maxActiveProcesses() {
        return reader.header().maxActiveProcesses();
    }

    long activeRequests() throws java.io.IOException {
        return FileWords.getLong(path(), ScoreboardLayout.HEADER_ACTIVE_REQUESTS_OFFSET);
    }

    /** A consistent copy of slot {@code i}; fails when the reader reports the slot unstable. */
    SlotSnapshot slot(int i) {
        return reader.slot(i).orElseThrow(() -> new IllegalStateException("slot " + i + " of " + path() + " is unstable"));
    }

    static long nowUs() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Override
    public void close() {
        scoreboard.delete();
    }
}
