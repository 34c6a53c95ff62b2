package org.jfpm.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jfpm.scoreboard.ReadBudget;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * A pool's live status, read on the caller's thread without a message to the pool actor: the status
 * server answers {@code /status}, {@code /metrics} and {@code /api/pools} without waiting for the
 * pool's thread (and the master's) to be scheduled, which on a loaded machine cost more than the
 * rendering itself.
 *
 * <p>How it stays the master's view: the pool actor {@linkplain #publish publishes} an immutable
 * roster whenever its children or its current generation change (a spawn, a reap, a reload), so
 * the pids are still the master's own spawns, in slot order, and the pool's identity and master-owned
 * header words still come from its memory ({@link PoolIdentity#of}, {@link
 * org.jfpm.scoreboard.Scoreboard#masterHeader()}, both thread-safe). {@link #read()} then copies each
 * listed slot under its seqlock, with one {@link ReadBudget} per read, and joins the RSS the pool
 * sampled on its last tick. The slots are as fresh as they are when the actor reads them; the roster
 * is at most one actor message behind the actor (a child reaped a moment ago may be listed once more,
 * its slot then read as the master freed it).
 *
 * <p>Thread-safety: {@link #publish}, {@link #countSpawn} and {@link #countExit} on the pool's thread only; {@link #read()} on any thread, any
 * number at once.
 */
public final class LiveStatus {

    /** One worker as the master knows it: its pid, slot and generation (the {@link Child} is only a key for its RSS). */
    private record Entry(Child key, long pid, int slot, ScoreboardReader reader, boolean current) {
    }

    private record Roster(Generation current, PoolIdentity identity, List<Entry> entries, RssSamples<Child> rss,
                          TemplateInfo template) {
    }

    private volatile Roster roster;
    /** Workers started and reaped since the pool actor started: monotonic, written on the pool's thread only. */
    private volatile long spawned;
    private volatile long exited;

    /** A status with no worker yet, for the pool about to start with generation {@code first}. */
    public LiveStatus(Generation first) {
        roster = new Roster(first, PoolIdentity.of(first), List.of(), null, null);
    }

    /** The pool's name (the current generation's configured one). */
    public String pool() {
        return roster.identity().name();
    }

    /**
     * The status now: every listed worker's slot copy (an unstable one, or one claiming another pid,
     * as {@link WorkerStatus#unreadable}), the master's header, the sampled RSS.
     */
    public PoolStatus read() {
        Roster r = roster;
        ReadBudget budget = ReadBudget.perView();
        List<WorkerStatus> workers = new ArrayList<>(r.entries().size());
        long busy = 0;
        for (Entry e : r.entries()) {
            SlotSnapshot s = e.reader().slot(e.slot(), budget).orElse(null);
            long rss = r.rss() == null ? -1 : r.rss().of(e.key());
            if (s == null || (s.pid() != 0 && s.pid() != e.pid())) {
                // unstable, or claims another pid: listed (a worker cannot hide), as Unknown
                workers.add(WorkerStatus.unreadable(e.pid(), e.slot(), e.key().generation.number(), rss));
                continue;
            }
            workers.add(new WorkerStatus(e.pid(), s, rss));
            if (e.current() && s.pid() == e.pid() && RequestTimeouts.isInRequest(s.stage())) {
                busy++;
            }
        }
        r.current().scoreboard().updateMaxActive(busy);
        return new PoolStatus(r.identity(), r.current().scoreboard().masterHeader(), workers, epochMicros(), true,
                r.template(), spawned, exited);
    }

    /** Publishes the pool's workers ({@code inSlotOrder}: newest generation first, then by slot) and its current generation. */
    void publish(Generation current, List<Child> inSlotOrder, RssSamples<Child> rss, TemplateInfo template) {
        Objects.requireNonNull(current, "current");
        Entry[] entries = new Entry[inSlotOrder.size()];
        for (int i = 0; i < entries.length; i++) {
            Child c = inSlotOrder.get(i);
            entries[i] = new Entry(c, c.pid(), c.slot, c.generation.reader(), c.generation == current);
        }
        roster = new Roster(current, PoolIdentity.of(current), List.of(entries), rss, template);
    }

    /** A worker was started (not the template). Pool's thread only. */
    @SuppressWarnings("NonAtomicOperationOnVolatileField") // one writer: the pool's thread
    void countSpawn() {
        spawned++;
    }

    /** A worker was reaped (not the template). Pool's thread only. */
    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void countExit() {
        exited++;
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }
}
