package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.jfpm.scoreboard.FastCgiRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with php-cgi workers busy: every request a worker has accepted completes with its full
 * answer and the master exits 0 within {@code process-control-timeout}. And a measurement: what
 * becomes of connections still queued in the listen backlog (complete requests nobody accepted yet)
 * when the last holder of the listening socket closes it. Figures in docs/signals.md.
 */
class GracefulStopTest {

    private static final int WORKERS = 4;
    private static final int QUEUED = 8;
    private static final Duration PROCESS_CONTROL_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private Path script;

    private Jfpm start() throws IOException {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        script = docroot.resolve("slow.php");
        // 1.5 s of sleep that a signal cannot cut short: php-cgi's TERM handler interrupts usleep()
        // (EINTR), and a single usleep(1500000) would return at once and answer early
        Files.writeString(script, "<?php $end = microtime(true) + 1.5;\n"
                + "while (($left = $end - microtime(true)) > 0) { usleep((int) ($left * 1e6)); }\n"
                + "echo 'slept pid=' . getmypid() . \" done\\n\";\n");
        return Jfpm.in(tmp).set("process-control-timeout", PROCESS_CONTROL_TIMEOUT.toSeconds() + "s")
                .pool(PoolSpec.named("php", Workers.phpCgi(), "preload").staticPm(WORKERS)).start();
    }

    private byte[] slowRequest() {
        return FastCgiRecords.request(FastCgiRecords.params(script.toString(), ""), new byte[0], false);
    }

    /** {@code n} slow requests in flight, returned once the scoreboard shows every worker busy on one. */
    private Load<String> occupyEveryWorker(Jfpm jfpm) {
        jfpm.awaitIdle("php", WORKERS, Duration.ofSeconds(20));
        SocketAddress address = jfpm.pool("php").address();
        Load<String> busy = Load.start(WORKERS, () -> outcome(address, slowRequest()));
        jfpm.pollUntil(() -> jfpm.inUse("php").stream().filter(s -> s.requests() > 0 && !s.isIdle()).count() == WORKERS,
                Duration.ofSeconds(10), "all " + WORKERS + " workers busy on slow.php");
        return busy;
    }

    @Test
    void requestsInFlightAtTermCompleteAndTheMasterExitsZeroInTime() throws IOException {
        try (Jfpm jfpm = start(); Load<String> busy = occupyEveryWorker(jfpm)) {
            long term = System.nanoTime();
            jfpm.signal("TERM");
            List<String> answers = busy.await(REQUEST_TIMEOUT);
            int exit = jfpm.awaitExit(PROCESS_CONTROL_TIMEOUT.plusSeconds(5));
            long stopMs = (System.nanoTime() - term) / 1_000_000;
            System.out.printf("graceful stop: %d requests in flight at TERM -> %s; exit %d after %d ms%n",
                    WORKERS, answers, exit, stopMs);
            assertEquals(List.of("answered", "answered", "answered", "answered"), answers,
                    "every accepted request got its full answer\n" + jfpm.dump());
            assertEquals(0, exit, "exit code after SIGTERM");
            assertTrue(stopMs < PROCESS_CONTROL_TIMEOUT.toMillis(),
                    "the master exited " + stopMs + " ms after TERM, within process-control-timeout " + PROCESS_CONTROL_TIMEOUT);
        }
    }

    @Test
    void connectionsQueuedInTheBacklogAtTermMeasured() throws IOException {
        try (Jfpm jfpm = start(); Load<String> busy = occupyEveryWorker(jfpm)) {
            SocketAddress address = jfpm.pool("php").address();
            int port = jfpm.pool("php").port();
            Queue<Long> endedAt = new ConcurrentLinkedQueue<>();
            try (Load<String> queued = Load.start(QUEUED, () -> {
                String o = outcome(address, slowRequest());
                endedAt.add(System.nanoTime());
                return o;
            })) {
                jfpm.pollUntil(() -> Procs.tcpAcceptQueue(port) == QUEUED, Duration.ofSeconds(10),
                        () -> QUEUED + " connections in the accept queue of port " + port + " (now "
                                + Procs.tcpAcceptQueue(port) + ")");
                long term = System.nanoTime();
                jfpm.signal("TERM");
                List<String> accepted = busy.await(REQUEST_TIMEOUT);
                List<String> backlog = queued.await(REQUEST_TIMEOUT);
                int exit = jfpm.awaitExit(PROCESS_CONTROL_TIMEOUT.plusSeconds(5));
                Map<String, Long> counts = backlog.stream()
                        .collect(Collectors.groupingBy(o -> o, TreeMap::new, Collectors.counting()));
                LongSummaryStatistics ms = endedAt.stream().mapToLong(t -> (t - term) / 1_000_000).summaryStatistics();
                System.out.printf("backlog at TERM: %d accepted -> %s; %d queued -> %s, %d..%d ms after TERM; exit %d%n",
                        WORKERS, accepted, QUEUED, counts, ms.getMin(), ms.getMax(), exit);
                assertEquals(List.of("answered", "answered", "answered", "answered"), accepted,
                        "every accepted request got its full answer\n" + jfpm.dump());
                assertEquals(0, exit, "exit code after SIGTERM");
                assertEquals(QUEUED, backlog.size());
            }
        }
    }

    /**
     * One FastCGI exchange, classified: {@code answered} (a complete answer from slow.php), {@code
     * reset} (ECONNRESET), {@code eof} (closed with nothing sent), or {@code other: ...}.
     */
    private static String outcome(SocketAddress address, byte[] request) {
        byte[] raw;
        try {
            raw = Http.exchange(address, request, REQUEST_TIMEOUT, "FastCGI slow.php");
        } catch (AssertionError e) {
            Throwable cause = e.getCause();
            String msg = cause == null ? e.getMessage() : String.valueOf(cause.getMessage());
            return msg.toLowerCase().contains("reset") ? "reset" : "other: " + e.getMessage();
        }
        if (raw.length == 0) {
            return "eof";
        }
        try {
            FastCgiRecords.Response r = FastCgiRecords.readResponse(new ByteArrayInputStream(raw));
            return r.body().matches("slept pid=\\d+ done\\n") && !r.stdout().startsWith("Status:")
                    ? "answered" : "other: " + r.stdout();
        } catch (IOException e) {
            return "other: " + raw.length + " bytes, " + e.getMessage();
        }
    }
}
