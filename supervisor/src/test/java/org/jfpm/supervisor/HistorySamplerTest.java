package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.supervisor.status.History;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sampler: one timer, one sample of every pool per tick, from the status page's source; a source that fails or waits costs a sample, nothing else. */
class HistorySamplerTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static PoolStatus pool(String name, long accepted) {
        PoolHeaderSnapshot h = new PoolHeaderSnapshot(name, PmMode.STATIC, Accounting.PRELOAD, 1, 1, 1, 8, 4, accepted, 0, 0, 0, 0, 0, 0,
                511);
        return new PoolStatus(h, List.of(), 1, true);
    }

    private static long samples(History h, String pool) {
        StringBuilder b = new StringBuilder();
        h.renderJson(pool, b);
        return (Long) MiniJson.object(b.toString()).get("samples");
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void samplesEveryPoolOnEveryTick() throws Exception {
        History history = new History();
        AtomicInteger asked = new AtomicInteger();
        ActorRef<HistorySampler.Command> sampler = KIT.spawn(HistorySampler.create(() -> {
            asked.incrementAndGet();
            return CompletableFuture.completedFuture(List.of(pool("www", asked.get()), pool("api", 0)));
        }, history, Duration.ofMillis(20)));
        await(() -> samples(history, "www") >= 5 && samples(history, "api") >= 5, "5 samples of both pools");
        assertTrue(asked.get() >= 5);
        KIT.stop(sampler);
    }

    @Test
    void aFailingOrLateSourceCostsASampleAndTheSamplerKeepsGoing() throws Exception {
        History history = new History();
        AtomicInteger tick = new AtomicInteger();
        ActorRef<HistorySampler.Command> sampler = KIT.spawn(HistorySampler.create(() -> switch (tick.incrementAndGet() % 3) {
            case 0 -> CompletableFuture.failedFuture(new IllegalStateException("master is stopping"));
            case 1 -> new CompletableFuture<>(); // never answers
            default -> CompletableFuture.completedFuture(List.of(pool("www", 0)));
        }, history, Duration.ofMillis(20)));
        await(() -> tick.get() >= 9, "9 ticks");
        assertTrue(history.has("www"));
        long n = samples(history, "www");
        assertTrue(n >= 2 && n <= (tick.get() + 2) / 3, "one sample per answering tick: " + n + " of " + tick.get());
        KIT.stop(sampler);
    }

    @Test
    void aPoolGoneFromTheSourceLosesItsHistory() throws Exception {
        History history = new History();
        AtomicInteger tick = new AtomicInteger();
        ActorRef<HistorySampler.Command> sampler = KIT.spawn(HistorySampler.create(() -> CompletableFuture.completedFuture(
                tick.incrementAndGet() < 3 ? List.of(pool("www", 0), pool("old", 0)) : List.of(pool("www", 0))),
                history, Duration.ofMillis(20)));
        await(() -> tick.get() >= 4, "4 ticks");
        await(() -> !history.has("old"), "the removed pool dropped");
        assertFalse(history.has("old"));
        assertTrue(history.has("www"));
        KIT.stop(sampler);
    }
}
