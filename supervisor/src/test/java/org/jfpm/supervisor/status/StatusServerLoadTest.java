package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 concurrent requests against a StatusServer whose source reads a real mmap'd scoreboard
 * while another thread keeps spawning, running and burying "workers" in it: every answer is a
 * 200 built from one consistent snapshot: its idle, active and total counts match the processes the
 * same answer lists (by state), and stay within the board's slots.
 */
class StatusServerLoadTest {

    private static final int REQUESTS = 200;
    private static final int SLOTS = 16;

    @TempDir
    Path dir;

    @Test
    void everyAnswerUnderLoadIsA200FromOneConsistentSnapshot() throws Exception {
        Scoreboard board = Scoreboard.create(dir, "www", PmMode.DYNAMIC, Accounting.SDK, 8, SLOTS);
        ScoreboardReader reader = board.reader();
        ExecutorService sourceThreads = Executors.newFixedThreadPool(2);
        StatusSource source = () -> CompletableFuture.supplyAsync(
                () -> List.of(ScoreboardStatus.read(reader, System.currentTimeMillis() * 1000L, org.jfpm.os.ProcFs::rssBytes)), sourceThreads);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "status-load-test", ConfigFactory.parseString("pekko.loglevel = WARNING"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong mutations = new AtomicLong();
        Thread mutator = new Thread(() -> mutate(board, stop, mutations), "scoreboard-mutator");
        try {
            StatusServer server = StatusServer.start(system, "127.0.0.1", 0, source).toCompletableFuture().get(20, TimeUnit.SECONDS);
            mutator.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (mutations.get() < 1000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(mutations.get() >= 1000, "the mutator is running");

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://127.0.0.1:" + server.localAddress().getPort();
            String[] paths = {"/status/www?json&full", "/status/www?json", "/api/pools", "/metrics?format=openmetrics", "/status/www?xml&full", "/status/www?full"};
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            List<String> asked = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String path = paths[i % paths.length];
                asked.add(path);
                answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long mutationsDuringRequests = mutations.get();

            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<String> r = answers.get(i).join();
                assertEquals(200, r.statusCode(), asked.get(i) + ": " + r.body());
                assertConsistent(asked.get(i), r.body());
            }
            server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(mutationsDuringRequests > 1000, "the scoreboard kept changing: " + mutationsDuringRequests);
        } finally {
            stop.set(true);
            mutator.join(10_000);
            sourceThreads.shutdownNow();
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            board.delete();
        }
    }

    /**
     * The counts against what the same answer lists: total = processes listed, idle = those in state
     * Idle, active = the others; where no process is listed, counts within the board's slots.
     */
    private static void assertConsistent(String path, String body) {
        long idle;
        long active;
        long total;
        List<String> states = null;
        if (path.startsWith("/status/www?json") || path.equals("/api/pools")) {
            Map<?, ?> pool = MiniJson.object(body);
            if (path.equals("/api/pools")) {
                pool = (Map<?, ?>) ((List<?>) pool.get("pools")).get(0);
            }
            idle = (Long) pool.get("idle processes");
            active = (Long) pool.get("active processes");
            total = (Long) pool.get("total processes");
            if (pool.containsKey("processes")) {
                states = ((List<?>) pool.get("processes")).stream().map(w -> (String) ((Map<?, ?>) w).get("state")).toList();
            }
        } else if (path.startsWith("/metrics")) {
            assertEquals(List.of(), OpenMetricsChecker.problems(body));
            idle = metric(body, "phpfpm_idle_processes");
            active = metric(body, "phpfpm_active_processes");
            total = metric(body, "phpfpm_total_processes");
            long idleSeries = Pattern.compile("(?m)^phpfpm_process_state\\{[^}]*state=\"Idle\"\\} 1$").matcher(body).results().count();
            long children = Pattern.compile("(?m)^phpfpm_process_state\\{[^}]*state=\"Idle\"\\} [01]$").matcher(body).results().count();
            assertEquals(total, children, "one child (slot) per process listed:\n" + body);
            assertEquals(idle, idleSeries, "idle = children in state Idle:\n" + body);
        } else if (path.contains("xml")) {
            idle = tag(body, "idle-processes");
            active = tag(body, "active-processes");
            total = tag(body, "total-processes");
            states = all(body, "<state>([^<]*)</state>");
            try {
                StatusStructureTest.xml(body);
            } catch (Exception e) {
                throw new AssertionError("malformed XML under load: " + body, e);
            }
        } else {
            idle = line(body, "idle processes");
            active = line(body, "active processes");
            total = line(body, "total processes");
            states = all(body, "(?m)^state:\\s+(.*)$");
            for (String state : states) {
                assertTrue(java.util.Arrays.stream(RequestStage.values()).anyMatch(s -> s.statusName().equals(state)), state);
            }
        }
        assertTrue(total >= 0 && total <= SLOTS, path + ": total within the board's " + SLOTS + " slots\n" + body);
        assertTrue(idle >= 0 && idle <= total && active >= 0 && active <= total, path + ": idle, active within total\n" + body);
        if (states != null) {
            long listedIdle = states.stream().filter(RequestStage.ACCEPTING.statusName()::equals).count();
            assertEquals(states.size(), total, path + ": total = processes listed\n" + body);
            assertEquals(listedIdle, idle, path + ": idle = processes listed as Idle\n" + body);
            assertEquals(states.size() - listedIdle, active, path + ": active = processes listed in another state\n" + body);
        }
    }

    private static List<String> all(String body, String regex) {
        return Pattern.compile(regex).matcher(body).results().map(m -> m.group(1)).toList();
    }

    private static long metric(String body, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\{pool=\"www\"[^}]*\\} (\\d+)$").matcher(body);
        assertTrue(m.find(), name);
        return Long.parseLong(m.group(1));
    }

    private static long tag(String body, String name) {
        Matcher m = Pattern.compile("<" + name + ">(\\d+)</" + name + ">").matcher(body);
        assertTrue(m.find(), name);
        return Long.parseLong(m.group(1));
    }

    private static long line(String body, String label) {
        Matcher m = Pattern.compile("(?m)^" + label + ":\\s+(\\d+)$").matcher(body);
        assertTrue(m.find(), label);
        return Long.parseLong(m.group(1));
    }

    /** Spawns, runs and buries "workers" (slot writers in this JVM) as fast as it can, like a busy pool. */
    private static void mutate(Scoreboard board, AtomicBoolean stop, AtomicLong mutations) {
        Random random = new Random(42);
        SlotWriter[] writers = new SlotWriter[board.slotCount()];
        try {
            while (!stop.get()) {
                int i = random.nextInt(writers.length);
                SlotWriter w = writers[i];
                if (w == null) {
                    int slot = board.allocate(1);
                    if (slot >= 0) {
                        writers[slot] = SlotWriter.attach(board.path(), slot);
                    }
                } else {
                    switch (random.nextInt(7)) {
                        case 0 -> w.accepting();
                        case 1 -> w.accepted();
                        case 2 -> w.requestInfo("GET", "/p/" + random.nextInt(1000), "q=" + random.nextInt(), "/srv/index.php", 10, "u");
                        case 3 -> w.executing();
                        case 4 -> w.finished();
                        case 5 -> {
                            w.close();
                            board.free(w.slot());
                            writers[i] = null;
                        }
                        default -> {
                            board.heartbeat();
                            board.setListenQueue(random.nextInt(5), 511);
                            board.updateMaxActive(random.nextInt(16));
                        }
                    }
                }
                if (mutations.incrementAndGet() % 64 == 0) {
                    Thread.sleep(1);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (SlotWriter w : writers) {
                if (w != null) {
                    w.close();
                }
            }
        }
    }
}
