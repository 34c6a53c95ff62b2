package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The per-tick RSS samples the status page shows: keyed by worker identity, never by pid; one sample at a time. */
class RssSamplesTest {

    /** A worker as the samples see it: only its pid. */
    private record Worker(long pid) {
    }

    private static final Executor NOW = Runnable::run;

    private static RssSamples<Worker> samples(Executor executor) {
        return new RssSamples<>(executor, Worker::pid, pid -> pid * 1000);
    }

    @Test
    void aWorkerNotSampledYetIsUnknown() {
        RssSamples<Worker> rss = samples(NOW);
        assertEquals(-1, rss.of(new Worker(7)));
    }

    @Test
    void aSampleGivesEachWorkerItsFigureUntilTheNextSampleLeavesItOut() {
        RssSamples<Worker> rss = samples(NOW);
        Worker a = new Worker(7);
        Worker b = new Worker(8);
        assertTrue(rss.refresh(List.of(a, b)));
        assertEquals(7000, rss.of(a));
        assertEquals(8000, rss.of(b));
        assertTrue(rss.refresh(List.of(b)));
        assertEquals(-1, rss.of(a), "a worker gone since is dropped");
        assertEquals(8000, rss.of(b));
    }

    @Test
    void aRecycledPidDoesNotInheritTheOldWorkersFigure() {
        RssSamples<Worker> rss = samples(NOW);
        Worker old = new Worker(7);
        rss.refresh(List.of(old));
        Worker recycled = new Worker(7); // equal as a record, another worker: identity is what counts
        assertEquals(7000, rss.of(old));
        assertEquals(-1, rss.of(recycled));
    }

    @Test
    void aRefreshWhileTheLastSampleStillRunsIsSkipped() {
        List<Runnable> queued = new ArrayList<>();
        RssSamples<Worker> rss = samples(queued::add);
        Worker a = new Worker(7);
        assertTrue(rss.refresh(List.of(a)));
        assertFalse(rss.refresh(List.of(a)), "skipped: the first sample has not run");
        assertEquals(1, queued.size());
        assertEquals(-1, rss.of(a), "nothing published before the sample has run");
        queued.remove(0).run();
        assertEquals(7000, rss.of(a));
        assertTrue(rss.refresh(List.of(a)), "the next tick samples again");
    }

    @Test
    void aRejectedSampleDoesNotBlockTheNextOne() {
        boolean[] reject = {true};
        RssSamples<Worker> rss = samples(r -> {
            if (reject[0]) {
                throw new RejectedExecutionException("shutting down");
            }
            r.run();
        });
        Worker a = new Worker(7);
        rss.refresh(List.of(a));
        reject[0] = false;
        assertTrue(rss.refresh(List.of(a)));
        assertEquals(7000, rss.of(a));
    }

    @Test
    void theSampleCopiesTheListItIsGiven() {
        List<Runnable> queued = new ArrayList<>();
        RssSamples<Worker> rss = samples(queued::add);
        Worker a = new Worker(7);
        List<Worker> live = new ArrayList<>(List.of(a));
        rss.refresh(live);
        live.clear(); // the pool's own collection changes before the sampler runs
        queued.remove(0).run();
        assertEquals(7000, rss.of(a));
    }
}
