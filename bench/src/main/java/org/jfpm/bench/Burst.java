package org.jfpm.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fires {@code n} concurrent {@code GET /sleep.php?ms=...} through nginx at once and samples the
 * server every 10 ms while they run. The connections to nginx are opened first; the burst starts
 * when every client writes its request at the same gate.
 */
final class Burst {
    private static final Pattern BODY = Pattern.compile("pid=(\\d+) start=([0-9.]+) end=([0-9.]+)");
    static final long SAMPLE_NANOS = 10_000_000L;

    /**
     * One sample: ms since the burst start, live workers, busy workers (-1 = unknown), and the
     * master's CPU time so far in ms (read every 10th sample; the others repeat it).
     */
    record Sample(double ms, int workers, int busy, double masterCpuMs) {
    }

    /** One request: PHP's start and end and the client's end, in ms since the burst start. */
    record Request(long pid, double phpStartMs, double phpEndMs, double doneMs) {
    }

    record Result(List<Sample> samples, List<Request> requests) {
        /** First sample with at least {@code n} workers, or NaN. */
        double firstWorkers(int n) {
            return samples.stream().filter(s -> s.ms() >= 0 && s.workers() >= n).mapToDouble(Sample::ms).findFirst().orElse(Double.NaN);
        }

        /** First sample with at least {@code n} busy workers (scoreboard), or NaN. */
        double firstBusy(int n) {
            return samples.stream().filter(s -> s.ms() >= 0 && s.busy() >= n).mapToDouble(Sample::ms).findFirst().orElse(Double.NaN);
        }

        int peakWorkers() {
            return samples.stream().mapToInt(Sample::workers).max().orElse(0);
        }

        /** When the last of the requests started running in PHP. */
        double lastPhpStart() {
            return requests.stream().mapToDouble(Request::phpStartMs).max().orElse(Double.NaN);
        }

        /** True when every request was running at {@link #lastPhpStart()}: all served concurrently. */
        boolean allConcurrent() {
            return lastPhpStart() < requests.stream().mapToDouble(Request::phpEndMs).min().orElse(Double.NaN);
        }

        double allDone() {
            return requests.stream().mapToDouble(Request::doneMs).max().orElse(Double.NaN);
        }

        long distinctPids() {
            return requests.stream().mapToLong(Request::pid).distinct().count();
        }

        /** Workers alive at {@code ms} (the last sample at or before it). */
        /** The master's CPU time (ms) from the burst start until {@code ms} (at a 100 ms granularity). */
        double masterCpuUntil(double ms) {
            double start = Double.NaN;
            double end = Double.NaN;
            for (Sample s : samples) {
                if (s.ms() >= 0 && Double.isNaN(start)) {
                    start = s.masterCpuMs();
                }
                if (s.ms() >= 0 && s.ms() <= ms + 100) {
                    end = s.masterCpuMs();
                }
            }
            return end - start;
        }

        int workersAt(double ms) {
            int w = 0;
            for (Sample s : samples) {
                if (s.ms() > ms) {
                    break;
                }
                w = s.workers();
            }
            return w;
        }
    }

    private Burst() {
    }

    /**
     * Runs the burst against {@code 127.0.0.1:nginxPort}.
     *
     * @param workers counts live workers (called on the sampling thread only)
     * @param busy    counts busy workers, or returns -1
     */
    static Result run(int nginxPort, int n, int sleepMs, IntSupplier workers, IntSupplier busy, LongSupplier masterCpuNanos)
            throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), nginxPort);
                s.setTcpNoDelay(true);
                s.setSoTimeout(sleepMs + 300_000);
                sockets.add(s);
            }
            byte[] request = ("GET /sleep.php?ms=" + sleepMs + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(n);
            long[] t0 = new long[1];
            Instant[] t0Wall = new Instant[1];
            String[] responses = new String[n];
            long[] doneNanos = new long[n];
            Exception[] failures = new Exception[n];
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                Thread t = new Thread(() -> {
                    try {
                        gate.await();
                        OutputStream out = sockets.get(k).getOutputStream();
                        out.write(request);
                        out.flush();
                        InputStream in = sockets.get(k).getInputStream();
                        responses[k] = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        doneNanos[k] = System.nanoTime();
                    } catch (Exception e) {
                        failures[k] = e;
                    } finally {
                        done.countDown();
                    }
                }, "burst-client-" + i);
                t.setDaemon(true);
                t.start();
                clients.add(t);
            }
            List<Sample> samples = new ArrayList<>();
            Sampler sampler = new Sampler(workers, busy, masterCpuNanos, samples);
            sampler.start();
            Thread.sleep(50);
            t0Wall[0] = Instant.now();
            t0[0] = System.nanoTime();
            sampler.origin = t0[0];
            gate.countDown();
            if (!done.await(sleepMs + 300_000L, TimeUnit.MILLISECONDS)) {
                sampler.halt();
                throw new IllegalStateException("the burst's requests did not finish within " + (sleepMs + 300_000) + " ms");
            }
            sampler.halt();
            List<Request> requests = new ArrayList<>();
            double wall0 = t0Wall[0].getEpochSecond() + t0Wall[0].getNano() / 1e9;
            for (int i = 0; i < n; i++) {
                if (failures[i] != null) {
                    throw new IllegalStateException("request " + i + " failed: " + failures[i], failures[i]);
                }
                String r = responses[i];
                if (!r.startsWith("HTTP/1.1 200")) {
                    throw new IllegalStateException("request " + i + " answered: " + r.lines().findFirst().orElse("(nothing)"));
                }
                Matcher m = BODY.matcher(r);
                if (!m.find()) {
                    throw new IllegalStateException("request " + i + ": unexpected body: " + r);
                }
                requests.add(new Request(Long.parseLong(m.group(1)),
                        (Double.parseDouble(m.group(2)) - wall0) * 1000,
                        (Double.parseDouble(m.group(3)) - wall0) * 1000,
                        (doneNanos[i] - t0[0]) / 1e6));
            }
            return new Result(List.copyOf(samples), requests);
        } finally {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
    }

    /** Samples every 10 ms on its own thread, at a fixed rate. */
    private static final class Sampler extends Thread {
        private final IntSupplier workers;
        private final IntSupplier busy;
        private final LongSupplier cpu;
        private final List<Sample> samples;
        private volatile boolean running = true;
        volatile long origin = Long.MAX_VALUE;

        Sampler(IntSupplier workers, IntSupplier busy, LongSupplier cpu, List<Sample> samples) {
            super("burst-sampler");
            setDaemon(true);
            this.workers = workers;
            this.busy = busy;
            this.cpu = cpu;
            this.samples = samples;
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            double cpuMs = cpu.getAsLong() / 1e6;
            int count = 0;
            boolean started = false;
            while (running) {
                long now = System.nanoTime();
                int w = workers.getAsInt();
                int b = busy.getAsInt();
                long o = origin;
                double ms = o == Long.MAX_VALUE ? -1 : (now - o) / 1e6;
                if (ms >= 0 && !started || ++count % 10 == 0) {
                    started |= ms >= 0;
                    cpuMs = cpu.getAsLong() / 1e6;
                }
                synchronized (samples) {
                    samples.add(new Sample(ms, w, b, cpuMs));
                }
                next += SAMPLE_NANOS;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        }

        void halt() throws InterruptedException {
            running = false;
            join(Duration.ofSeconds(5).toMillis());
        }
    }
}
