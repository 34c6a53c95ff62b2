package org.jfpm.it;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Concurrent requests in flight: started together, collected with a deadline. */
final class Load<T> implements AutoCloseable {

    private final ExecutorService pool;
    private final List<CompletableFuture<T>> futures = new ArrayList<>();

    private Load(int n, Supplier<T> request) {
        pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "it-load");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < n; i++) {
            futures.add(CompletableFuture.supplyAsync(request, pool));
        }
    }

    /** {@code n} concurrent requests made with {@code request}. */
    static <T> Load<T> start(int n, Supplier<T> request) {
        return new Load<>(n, request);
    }

    /** {@code n} concurrent {@code GET path} on {@code address}. */
    static Load<Http.Response> get(int n, SocketAddress address, String path) {
        return start(n, () -> Http.get(address, path, Duration.ofSeconds(30)));
    }

    /** Every result, in start order; fails with the first request's error. */
    List<T> await(Duration timeout) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<T> results = new ArrayList<>();
            for (CompletableFuture<T> f : futures) {
                results.add(f.join());
            }
            return results;
        } catch (ExecutionException e) {
            throw new AssertionError("a concurrent request failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("concurrent requests not done within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
