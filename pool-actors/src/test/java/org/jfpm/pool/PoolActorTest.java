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
import java.util.function.Predicate;
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

    private PoolConfig config(PmConfig pm, String script, boolean catchOutput) {
        return new PoolConfig("t", List.of("/usr/bin/python3", "-c", script), socket.address(), 64, -1, "", "", "",
                "", null, true, Map.of(), Accounting.PRELOAD, Signals.SIGTERM, catchOutput, 0, 0, Duration.ZERO,
                Duration.ZERO, pm);
    }

    private ActorRef<PoolActor.Command> start(PoolConfig config, Scoreboard sb) throws IOException {
        PoolRuntime runtime = new PoolRuntime(Duration.ofSeconds(2), PreloadLibrary.extract(dir.resolve("lib")),
                Launcher.extract(dir.resolve("lib")), System.getenv(), new Spawner(), spawnThread, reaper, readiness);
        return KIT.spawn(PoolActor.create(config, socket, sb, runtime));
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

        TestProbe<PoolActor.StopProgress> stopped = KIT.createTestProbe();
        pool.tell(new PoolActor.Stop(true, stopped.getRef()));
        assertEquals(new PoolActor.ListenerReleased("t"), stopped.receiveMessage(Duration.ofSeconds(10)));
        assertEquals(new PoolActor.Stopped("t"), stopped.receiveMessage(Duration.ofSeconds(10)));
        for (WorkerStatus w : after.workers()) {
            assertFalse(ProcFs.isAlive(w.pid()), "worker " + w.pid() + " survived the stop");
        }
        assertFalse(Files.exists(file), "scoreboard file removed");
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

        TestProbe<PoolActor.StopProgress> stopped = KIT.createTestProbe();
        pool.tell(new PoolActor.Stop(false, stopped.getRef()));
        stopped.fishForMessage(Duration.ofSeconds(10), m -> m instanceof PoolActor.Stopped
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    }

    @Test
    void catchWorkersOutputLogsEachLineWithPoolAndPid() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(WorkerOutput.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
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
            TestProbe<PoolActor.StopProgress> stopped = KIT.createTestProbe();
            pool.tell(new PoolActor.Stop(false, stopped.getRef()));
            stopped.fishForMessage(Duration.ofSeconds(10), m -> m instanceof PoolActor.Stopped
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
        } finally {
            logger.detachAppender(appender);
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
}
