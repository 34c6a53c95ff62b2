package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.ProcFs;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Reaper;
import org.jfpm.os.Signals;
import org.jfpm.os.SpawnThread;
import org.jfpm.os.Spawner;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.Launcher;
import org.jfpm.scoreboard.PreloadLibrary;
import org.jfpm.scoreboard.Scoreboard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PoolActor with real python3 accept-loop workers, a real socket, a real scoreboard. */
class PoolActorTest {

    /** A plain-HTTP accept loop on the inherited socket (fd 0), one connection at a time. */
    private static final String WORKER = String.join("\n",
            "import os, socket, time",
            "s = socket.socket(fileno=0)",
            "n = 0",
            "while True:",
            "    c, _ = s.accept()",
            "    n += 1",
            "    data = c.recv(4096).decode()",
            "    path = data.split(' ')[1] if ' ' in data else '/'",
            "    if path.startswith('/sleep'):",
            "        time.sleep(int(path.split('=')[1]) / 1000)",
            "    body = 'pid %d request %d\\n' % (os.getpid(), n)",
            "    c.sendall(('HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s' % (len(body), body)).encode())",
            "    c.close()");

    private static final ActorTestKit KIT = ActorTestKit.create();

    @TempDir
    Path dir;
    private Reaper reaper;
    private ReadinessWatcher readiness;
    private SpawnThread spawnThread;
    private ListenSocket socket;
    private TestProbe<PoolActor.Event> events;

    @BeforeEach
    void setUp() {
        reaper = new Reaper();
        readiness = new ReadinessWatcher();
        spawnThread = new SpawnThread();
        socket = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 64, -1, "", "");
    }

    @AfterEach
    void tearDown() {
        socket.close();
        readiness.close();
        reaper.close();
        spawnThread.close();
    }

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private PoolConfig config(PmConfig pm) {
        return config(pm, WORKER, false);
    }

    /** A C accept loop with php-cgi's stop-signal semantics (graceful_worker.c), compiled once per test. */
    private PoolConfig gracefulConfig(PmConfig pm) throws Exception {
        Path binary = dir.resolve("graceful_worker");
        if (!Files.exists(binary)) {
            Path source = Path.of(PoolActorTest.class.getResource("/graceful_worker.c").toURI());
            Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", binary.toString(), source.toString())
                    .inheritIO().start();
            assertTrue(cc.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && cc.exitValue() == 0, "cc compiled it");
        }
        return new PoolConfig("t", List.of(binary.toString()), socket.address(), 64, -1, "", "", "",
                "", null, true, Map.of(), Accounting.PRELOAD, Signals.SIGTERM, false, 0, 0, Duration.ZERO,
                Duration.ZERO, pm);
    }

    private PoolConfig config(PmConfig pm, String script, boolean catchOutput) {
        return new PoolConfig("t", List.of("/usr/bin/python3", "-c", script), socket.address(), 64, -1, "", "", "",
                "", null, true, Map.of(), Accounting.PRELOAD, Signals.SIGTERM, catchOutput, 0, 0, Duration.ZERO,
                Duration.ZERO, pm);
    }

    private PoolRuntime runtime(java.util.concurrent.Executor spawns) throws IOException {
        return new PoolRuntime(Duration.ofSeconds(2), PreloadLibrary.extract(dir.resolve("lib")),
                Launcher.extract(dir.resolve("lib")), System.getenv(), new Spawner(), spawns, reaper, readiness);
    }

    private ActorRef<PoolActor.Command> start(PoolConfig config, Scoreboard sb) throws IOException {
        return start(config, sb, runtime(spawnThread));
    }

    private ActorRef<PoolActor.Command> start(PoolConfig config, Scoreboard sb, PoolRuntime runtime) {
        events = KIT.createTestProbe();
        return KIT.spawn(PoolActor.create(Generation.of(1, config, socket, sb, runtime), runtime,
                EmergencyRestart.off(), events.getRef()));
    }

    private void stopAndAwait(ActorRef<PoolActor.Command> pool, boolean graceful) {
        pool.tell(new PoolActor.Stop(graceful));
        events.fishForMessage(Duration.ofSeconds(10), m -> m instanceof PoolActor.Stopped
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    }

    private PoolStatus awaitStatus(ActorRef<PoolActor.Command> pool, Predicate<PoolStatus> ok, String what) {
        TestProbe<PoolStatus> probe = KIT.createTestProbe();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        PoolStatus last = null;
        while (System.nanoTime() < deadline) {
            pool.tell(new PoolActor.GetStatus(probe.getRef()));
            last = probe.receiveMessage(Duration.ofSeconds(5));
            if (ok.test(last)) {
                return last;
            }
            probe.expectNoMessage(Duration.ofMillis(50));
        }
        fail("timed out waiting for " + what + "; last status: " + last);
        return last;
    }

    private String get(String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", socket.boundPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static PmConfig staticPm(int n) {
        return new PmConfig(PmMode.STATIC, n, 0, 0, 0, 32, Duration.ofSeconds(10), 0);
    }

    @Test
    void staticPoolServesRespawnsAKilledWorkerIntoItsSlotAndStopsCleanly() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        Path file = sb.path();
        ActorRef<PoolActor.Command> pool = start(config(staticPm(2)), sb);

        PoolStatus ready = awaitStatus(pool, s -> s.total() == 2 && s.idle() == 2, "2 idle workers");
        assertTrue(get("/").contains("request 1"));

        WorkerStatus victim = ready.workers().get(0);
        assertTrue(ProcFs.isAlive(victim.pid()));
        new ProcessBuilder("kill", "-KILL", Long.toString(victim.pid())).start().waitFor();
        PoolStatus after = awaitStatus(pool, s -> s.total() == 2 && s.idle() == 2
                && s.workers().stream().noneMatch(w -> w.pid() == victim.pid()), "a replacement worker");
        WorkerStatus replacement = after.workers().stream()
                .filter(w -> w.slot().index() == victim.slot().index()).findFirst().orElseThrow();
        assertNotEquals(victim.pid(), replacement.pid());
        assertEquals(replacement.pid(), replacement.slot().pid(), "the replacement attached to the freed slot");
        assertEquals(0, ready.exited(), "nothing reaped before the kill");
        assertEquals(2, ready.spawned());
        PoolStatus counted = awaitStatus(pool, s -> s.exited() == 1, "the reap counted");
        assertEquals(3, counted.spawned(), "the two workers and the replacement counted as spawned");

        pool.tell(new PoolActor.Stop(true));
        assertEquals(new PoolActor.ListenerReleased("t", 1, socket), events.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(new PoolActor.Stopped("t"), events.receiveMessage(Duration.ofSeconds(10)));
        for (WorkerStatus w : after.workers()) {
            assertFalse(ProcFs.isAlive(w.pid()), "worker " + w.pid() + " survived the stop");
        }
        assertFalse(Files.exists(file), "scoreboard file removed");
    }

    /**
     * The status server reads a pool through its LiveStatus on its own threads, without a message to the
     * actor: it lists the same workers as GetStatus (the master's pids, in slot order), follows a reap and
     * a respawn, and a worker's request shows there live (its slot, not a copy the actor made).
     */
    @Test
    void theLiveStatusReadOnAnotherThreadFollowsTheActorsWorkers() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        events = KIT.createTestProbe();
        PoolRuntime runtime = runtime(spawnThread);
        Generation g = Generation.of(1, config(staticPm(2)), socket, sb, runtime);
        LiveStatus live = new LiveStatus(g);
        assertEquals("t", live.pool());
        assertEquals(0, live.read().total(), "nothing spawned yet");
        ActorRef<PoolActor.Command> pool = KIT.spawn(PoolActor.create(g, runtime, EmergencyRestart.off(), events.getRef(), live));

        PoolStatus asked = awaitStatus(pool, s -> s.total() == 2 && s.idle() == 2, "2 idle workers");
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            PoolStatus read = other.submit(live::read).get();
            assertEquals(asked.workers().stream().map(WorkerStatus::pid).toList(), read.workers().stream().map(WorkerStatus::pid).toList());
            assertEquals(List.of(0, 1), read.workers().stream().map(w -> w.slot().index()).toList(), "in slot order");
            assertEquals("t", read.identity().name());
            assertTrue(read.fromMaster());

            assertTrue(get("/").contains("request 1"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (other.submit(live::read).get().header().acceptedConn() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            PoolStatus served = other.submit(live::read).get();
            assertEquals(1, served.header().acceptedConn());
            assertEquals(1, served.workers().stream().mapToLong(w -> w.slot().requests()).sum(), "the slots as the worker wrote them");

            long victim = read.workers().get(0).pid();
            new ProcessBuilder("kill", "-KILL", Long.toString(victim)).start().waitFor();
            deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            PoolStatus after = other.submit(live::read).get();
            while ((after.total() != 2 || after.idle() != 2 || after.workers().stream().anyMatch(w -> w.pid() == victim))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
                after = other.submit(live::read).get();
            }
            assertTrue(after.workers().stream().noneMatch(w -> w.pid() == victim), "the reaped worker is gone: " + after);
            assertEquals(2, after.total(), "and its replacement listed: " + after);
        } finally {
            other.shutdownNow();
        }
        stopAndAwait(pool, false);
    }

    /** The status carries each worker's RSS, sampled on the pool's 1 s tick (not read per status request). */
    @Test
    void theStatusShowsEachWorkersRssWithinATickOfItsSpawn() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        ActorRef<PoolActor.Command> pool = start(config(staticPm(2)), sb);
        awaitStatus(pool, s -> s.total() == 2 && s.idle() == 2, "2 idle workers");
        long t0 = System.nanoTime();
        PoolStatus sampled = awaitStatus(pool, s -> s.total() == 2 && s.workers().stream().allMatch(w -> w.rssBytes() > 0),
                "every worker with an RSS");
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(waitedMs < 3000, "sampled within a few ticks: waited " + waitedMs + " ms");
        for (WorkerStatus w : sampled.workers()) {
            long now = ProcFs.rssBytes(w.pid());
            assertTrue(w.rssBytes() > now / 4 && w.rssBytes() < now * 4,
                    "worker " + w.pid() + ": sampled " + w.rssBytes() + " vs /proc now " + now);
        }
        stopAndAwait(pool, false);
    }

    /** max active processes counts workers in a request only: starting workers and spawns in flight never count. */
    @Test
    void tenSequentialRequestsGiveMaxActiveProcessesOne() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 3, 6);
        ActorRef<PoolActor.Command> pool = start(config(staticPm(3)), sb);
        awaitStatus(pool, s -> s.total() == 3 && s.idle() == 3, "3 idle workers");
        for (int i = 0; i < 10; i++) {
            assertTrue(get("/").contains("200 OK"));
        }
        PoolStatus after = awaitStatus(pool, s -> s.idle() == 3 && s.header().acceptedConn() == 10, "10 requests served");
        assertEquals(1, after.header().maxActiveProcesses(), "one request at a time");
        assertEquals(1, sb.reader().header().maxActiveProcesses(), "the file's word too");
        stopAndAwait(pool, false);
    }

    @Test
    void ondemandSpawnsOnAWaitingConnectionAndReapsIdleWorkers() throws Exception {
        PmConfig pm = new PmConfig(PmMode.ONDEMAND, 4, 0, 0, 0, 32, Duration.ofSeconds(1), 0);
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.ONDEMAND, Accounting.PRELOAD, 4, 8);
        ActorRef<PoolActor.Command> pool = start(config(pm), sb);
        assertEquals(0, awaitStatus(pool, s -> true, "a status").total());

        assertTrue(get("/").contains("request 1"), "the first request is served by a worker spawned for it");
        awaitStatus(pool, s -> s.total() == 1, "one worker");
        awaitStatus(pool, s -> s.total() == 0, "the idle worker reaped after process-idle-timeout");

        stopAndAwait(pool, false);
    }

    @Test
    void catchWorkersOutputLogsEachLineWithPoolAndPid() throws Exception {
        LogCapture capture = new LogCapture(WorkerOutput.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = capture.appender;
        try {
            String chatty = "import sys\nprint('hello on stdout', flush=True)\n"
                    + "sys.stderr.write('oops on stderr\\n'); sys.stderr.flush()\n" + WORKER;
            Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 1, 2);
            ActorRef<PoolActor.Command> pool = start(config(staticPm(1), chatty, true), sb);
            long pid = awaitStatus(pool, s -> s.total() == 1 && s.idle() == 1, "1 idle worker").workers().get(0).pid();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            List<String> expected = List.of(
                    "[pool t] child " + pid + " said into stdout: \"hello on stdout\"",
                    "[pool t] child " + pid + " said into stderr: \"oops on stderr\"");
            while (!messages(appender).containsAll(expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(messages(appender).containsAll(expected), "logged: " + messages(appender));
            stopAndAwait(pool, false);
        } finally {
            capture.close();
        }
    }

    private static List<String> messages(
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender) {
        synchronized (appender.list) {
            return appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void aFailingPoolActorLeavesNoOrphanWorkersAndNoScoreboard() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        Path file = sb.path();
        ActorRef<PoolActor.Command> pool = start(config(staticPm(2)), sb);
        List<Long> pids = awaitStatus(pool, s -> s.total() == 2, "2 workers").workers().stream()
                .map(WorkerStatus::pid).toList();
        TestProbe<Object> watcher = KIT.createTestProbe();

        pool.tell(new PoolActor.GetStatus(null)); // a bug in a handler: the actor fails
        watcher.expectTerminated(pool, Duration.ofSeconds(10));

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pids.stream().anyMatch(ProcFs::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        for (long pid : pids) {
            assertFalse(ProcFs.isAlive(pid), "worker " + pid + " outlived its failed pool");
        }
        assertFalse(Files.exists(file), "scoreboard file removed");
    }

    /** Records what one class logs, for as long as it is open. */
    private static final class LogCapture implements AutoCloseable {
        private final ch.qos.logback.classic.Logger logger;
        final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();

        LogCapture(Class<?> source) {
            logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(source);
            appender.start();
            logger.addAppender(appender);
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
        }
    }

    /** Holds spawn tasks until opened: spawns stay "in flight" for as long as a test needs. */
    private static final class GatedExecutor implements java.util.concurrent.Executor {
        private final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void execute(Runnable task) {
            queued.incrementAndGet();
            thread.execute(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                task.run();
            });
        }

        void open() {
            gate.countDown();
        }

        void awaitQueued(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (queued.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(n, queued.get(), n + " spawns queued on the spawn thread");
        }

        void close() {
            open();
            thread.shutdown();
        }
    }

    /** Live processes whose parent is this JVM and whose command line contains {@code marker}. */
    private static List<Long> childrenWith(String marker) throws IOException {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .filter(pid -> pid != self)
                .toList();
    }

    private static void awaitNone(String marker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<Long> left = childrenWith(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = childrenWith(marker);
        }
        assertTrue(left.isEmpty(), "workers left behind: " + left);
    }

    @Test
    void theListenerIsReleasedOnlyAfterTheSpawnsInFlightAndTheirChildrenAreKilled() throws Exception {
        String marker = "# in-flight-" + System.nanoTime();
        GatedExecutor gated = new GatedExecutor();
        try {
            Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
            ActorRef<PoolActor.Command> pool = start(config(staticPm(2), WORKER + "\n" + marker, false), sb,
                    runtime(gated));
            gated.awaitQueued(2);
            pool.tell(new PoolActor.Stop(true));
            events.expectNoMessage(Duration.ofMillis(300)); // no release while a queued spawn may still dup2 the fd
            gated.open();
            assertEquals(new PoolActor.ListenerReleased("t", 1, socket), events.receiveMessage(Duration.ofSeconds(10)));
            assertEquals(new PoolActor.Stopped("t"), events.receiveMessage(Duration.ofSeconds(10)));
            awaitNone(marker);
        } finally {
            gated.close();
        }
    }

    @Test
    void aPoolThatFailsWithSpawnsInFlightOrphansNoWorker() throws Exception {
        String marker = "# failed-in-flight-" + System.nanoTime();
        GatedExecutor gated = new GatedExecutor();
        try {
            Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
            ActorRef<PoolActor.Command> pool = start(config(staticPm(2), WORKER + "\n" + marker, false), sb,
                    runtime(gated));
            gated.awaitQueued(2);
            TestProbe<Object> watcher = KIT.createTestProbe();
            pool.tell(new PoolActor.GetStatus(null)); // a bug in a handler: the actor fails
            watcher.expectTerminated(pool, Duration.ofSeconds(10));
            gated.open(); // the spawns run after the actor is gone: their Spawned messages go nowhere
            awaitNone(marker);
        } finally {
            gated.close();
        }
    }

    @Test
    void aChildWhoseWatchFailsIsKilledAndTheStopStillCompletes() throws Exception {
        String marker = "# unwatched-" + System.nanoTime();
        Reaper closed = new Reaper();
        closed.close();
        PoolRuntime broken = new PoolRuntime(Duration.ofSeconds(2), PreloadLibrary.extract(dir.resolve("lib")),
                null, System.getenv(), new Spawner(), spawnThread, closed, readiness);
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 1, 2);
        LogCapture capture = new LogCapture(PoolActor.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = capture.appender;
        try {
            ActorRef<PoolActor.Command> pool = start(config(staticPm(1), WORKER + "\n" + marker, false), sb, broken);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (messages(appender).stream().noneMatch(m -> m.contains("unable to spawn a child: reaper is closed"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(messages(appender).stream().anyMatch(m -> m.contains("reaper is closed")),
                    "a spawn whose watch failed: " + messages(appender));
            awaitNone(marker); // the spawn succeeded, the watch failed: the child was killed at once
            stopAndAwait(pool, false);
        } finally {
            capture.close();
        }
    }

    @Test
    void reloadStartsTheNewGenerationAndDrainsTheOldWithoutLosingARequest() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        PoolRuntime rt = runtime(spawnThread);
        ActorRef<PoolActor.Command> pool = start(gracefulConfig(staticPm(2)), sb, rt);
        List<Long> old = awaitStatus(pool, s -> s.total() == 2 && s.idle() == 2, "2 idle workers").workers()
                .stream().map(WorkerStatus::pid).toList();

        java.util.concurrent.atomic.AtomicBoolean run = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        Thread client = new Thread(() -> {
            while (run.get()) {
                try {
                    String answer = get("/");
                    if (answer.startsWith("HTTP/1.0 200")) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        System.err.println("reload test: bad answer '" + answer + "'");
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    System.err.println("reload test: " + e);
                }
            }
        });
        client.start();
        try {
            PoolConfig three = gracefulConfig(staticPm(3));
            Scoreboard sb2 = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 3, 6);
            pool.tell(new PoolActor.Reload(Generation.of(2, three, socket, sb2, rt)));
            PoolStatus after = awaitStatus(pool, s -> s.total() == 3
                    && s.workers().stream().noneMatch(w -> old.contains(w.pid()))
                    && s.workers().stream().allMatch(w -> w.slot().generation() == 2), "3 workers of generation 2");
            Set<Long> fresh = after.workers().stream().map(WorkerStatus::pid).collect(Collectors.toSet());
            assertEquals(3, fresh.size(), "3 distinct pids: " + after.workers());
            for (long pid : fresh) {
                assertEquals(Long.toString(ProcFs.selfPid()), ProcFs.status(pid).get("PPid"),
                        "worker " + pid + " is a live child of this JVM (/proc)");
            }
            assertEquals(new PoolActor.ListenerReleased("t", 1, socket), events.receiveMessage(Duration.ofSeconds(10)));
            for (long pid : old) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (ProcFs.isAlive(pid) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertFalse(ProcFs.isAlive(pid), "old worker " + pid + " drained");
            }
        } finally {
            run.set(false);
            client.join(20_000);
        }
        assertEquals(0, failed.get(), "requests failed across the reload (" + ok.get() + " succeeded)");
        assertTrue(ok.get() > 0);
        stopAndAwait(pool, true);
    }

    /** An Error escaping the spawn submission once left a spawn "in flight" forever, and Stop never completed. */
    @Test
    void anErrorFromTheSpawnThreadLeavesNoSpawnInFlightAndStopCompletes() throws Exception {
        java.util.concurrent.Executor refusing = task -> {
            throw new OutOfMemoryError("spawn thread refused the task (test)");
        };
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
        ActorRef<PoolActor.Command> pool = start(config(staticPm(2)), sb, runtime(refusing));
        assertEquals(0, awaitStatus(pool, s -> true, "a status: the actor is alive").total());
        pool.tell(new PoolActor.Stop(true));
        assertEquals(new PoolActor.ListenerReleased("t", 1, socket), events.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(new PoolActor.Stopped("t"), events.receiveMessage(Duration.ofSeconds(10)));
    }

    /** Found by the reload benchmark: a new generation whose workers cannot start must not drain the old one. */
    @Test
    void aReloadWhoseNewWorkersCannotStartKeepsTheOldGenerationServing() throws Exception {
        LogCapture capture = new LogCapture(PoolActor.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = capture.appender;
        try {
            Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
            PoolRuntime rt = runtime(spawnThread);
            ActorRef<PoolActor.Command> pool = start(config(staticPm(2)), sb, rt);
            List<Long> old = awaitStatus(pool, s -> s.total() == 2 && s.idle() == 2, "2 idle workers").workers()
                    .stream().map(WorkerStatus::pid).toList();
            PoolConfig broken = new PoolConfig("t", List.of("/nonexistent/worker"), socket.address(), 64, -1, "", "",
                    "", "", null, true, Map.of(), Accounting.PRELOAD, Signals.SIGTERM, false, 0, 0, Duration.ZERO,
                    Duration.ZERO, staticPm(2));
            Scoreboard sb2 = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.PRELOAD, 2, 4);
            pool.tell(new PoolActor.Reload(Generation.of(2, broken, socket, sb2, rt)));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            java.util.function.LongSupplier failures = () -> messages(appender).stream()
                    .filter(m -> m.contains("unable to spawn a child") || m.contains("exited with code 127")).count();
            while (failures.getAsLong() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(failures.getAsLong() >= 3, "the new generation tried and failed: " + messages(appender));
            assertEquals(new PoolActor.ListenerReleased("t", 1, socket), events.receiveMessage(Duration.ofSeconds(5)),
                    "generation 1 spawns no more, but it is not drained: its Stopped/drained would follow");
            for (long pid : old) {
                assertTrue(ProcFs.isAlive(pid), "old worker " + pid + " still serves");
            }
            assertTrue(get("/").startsWith("HTTP/1.0 200"), "and answers");
            stopAndAwait(pool, false);
        } finally {
            capture.close();
        }
    }

    /**
     * A worker that dies at once can be reaped before its spawn's result reaches the actor; that exit
     * must not be lost (the child would be counted for ever, and a stop would never complete).
     */
    @Test
    void workersThatExitAtOnceAreNeverLostTrackOf() throws Exception {
        Scoreboard sb = Scoreboard.create(dir, "t", PmMode.STATIC, Accounting.NONE, 4, 8);
        PoolConfig quick = new PoolConfig("t", List.of("/bin/true"), socket.address(), 64, -1, "", "", "", "", null,
                true, Map.of("PATH", "/usr/bin:/bin"), Accounting.NONE, Signals.SIGTERM, false, 0, 0, Duration.ZERO,
                Duration.ZERO, staticPm(4));
        LogCapture capture = new LogCapture(PoolActor.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = capture.appender;
        ActorRef<PoolActor.Command> pool;
        try {
            pool = start(quick, sb);
            java.util.function.LongSupplier exits = () -> messages(appender).stream()
                    .filter(m -> m.contains("exited with code 0")).count();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (exits.getAsLong() < 8 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(exits.getAsLong() >= 8, "workers came and went: " + messages(appender));
        } finally {
            capture.close();
        }
        pool.tell(new PoolActor.Stop(false));
        events.fishForMessage(Duration.ofSeconds(10), m -> m instanceof PoolActor.Stopped
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    }
}
