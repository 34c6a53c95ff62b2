package org.jfpm.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Requests in a loop while a test changes things underneath (a reload): {@code threads} client
 * threads, each making one request after the other (each request its own connection, as the
 * callers' {@link Http#get} does), cycling through named kinds of request, every one recorded with
 * its start and end time, its answer or its error, until {@link #stop}.
 */
final class Traffic implements AutoCloseable {

    /** One request: which kind, when it started and ended ({@link System#nanoTime()}), the answer or the error. */
    record Result(String kind, long startNanos, long endNanos, String answer, String error) {
        boolean ok() {
            return error == null;
        }
    }

    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    /**
     * Starts {@code threads} client threads. Thread {@code i} makes its {@code k}-th request with kind
     * {@code (i + k) mod kinds}, so the kinds alternate on every thread and are spread across threads.
     * A request that throws counts as failed with the exception's message. Each thread pauses
     * {@code pause} between its requests (the machine is shared; the point is continuity, not load).
     */
    static Traffic start(int threads, Duration pause, Map<String, Supplier<String>> kinds) {
        return new Traffic(threads, pause, new LinkedHashMap<>(kinds));
    }

    private Traffic(int n, Duration pause, Map<String, Supplier<String>> kinds) {
        List<String> names = List.copyOf(kinds.keySet());
        for (int i = 0; i < n; i++) {
            int first = i;
            Thread t = new Thread(() -> {
                for (int k = first; running.get(); k++) {
                    String kind = names.get(k % names.size());
                    long start = System.nanoTime();
                    try {
                        String answer = kinds.get(kind).get();
                        results.add(new Result(kind, start, System.nanoTime(), answer, null));
                    } catch (RuntimeException | AssertionError e) {
                        results.add(new Result(kind, start, System.nanoTime(), null, String.valueOf(e.getMessage())));
                    }
                    Poll.sleep(pause);
                }
            }, "it-traffic-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** The results so far (requests still in flight are not among them). */
    List<Result> results() {
        return List.copyOf(results);
    }

    /** Stops the loop and waits (at most {@code timeout}) for the requests in flight; returns every result. */
    List<Result> stop(Duration timeout) {
        running.set(false);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (t.isAlive()) {
                throw new AssertionError(t.getName() + " still in a request " + timeout.toMillis() + " ms after stop");
            }
        }
        return results();
    }

    @Override
    public void close() {
        running.set(false);
    }
}
