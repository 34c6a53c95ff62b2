package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.jfpm.os.ProcFs;
import org.jfpm.os.ReadinessWatcher;
import org.jfpm.os.Reaper;
import org.jfpm.os.SpawnThread;
import org.jfpm.os.Spawner;
import org.jfpm.pool.PoolActor;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.supervisor.config.ConfigLoader;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master with real python workers: a failed pool actor is started again on the same socket, within limits. */
class MasterTest {

    private static final String WORKER = String.join("\n",
            "import os, socket",
            "s = socket.socket(fileno=0)",
            "while True:",
            "    c, _ = s.accept()",
            "    c.recv(4096)",
            "    body = 'pid %d' % os.getpid()",
            "    c.sendall(('HTTP/1.0 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n%s' % (len(body), body)).encode())",
            "    c.close()");

    private static final ActorTestKit KIT = ActorTestKit.create();

    @TempDir
    Path dir;
    private Reaper reaper;
    private ReadinessWatcher readiness;
    private SpawnThread spawnThread;
    private Listeners listeners;
    private int port;

    @BeforeEach
    void setUp() throws IOException {
        reaper = new Reaper();
        readiness = new ReadinessWatcher();
        spawnThread = new SpawnThread();
        listeners = new Listeners(spawnThread);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() {
        listeners.closeAll();
        readiness.close();
        reaper.close();
        spawnThread.close();
    }

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private ActorRef<Master.Command> startMaster(AtomicInteger exitStatus) throws Exception {
        String hocon = "jfpm { scoreboard-dir = \"" + dir + "\", status.listen = \"\", pools { www { command = "
                + "[\"/usr/bin/python3\", \"-c\", \"\"\"" + WORKER + "\"\"\"], listen = \"127.0.0.1:" + port
                + "\", accounting = none, pm { mode = static, max-children = 2 } } } }";
        SupervisorConfig config = ConfigLoader.fromString(hocon, "test");
        PoolRuntime runtime = new PoolRuntime(Duration.ofSeconds(2), null, null, System.getenv(), new Spawner(),
                spawnThread, reaper, readiness);
        GenerationFactory factory = new GenerationFactory(dir, runtime, listeners);
        List<org.jfpm.pool.Generation> first = List.of(factory.create(config.pools().get(0), 1));
        ActorRef<Master.Command> master = KIT.spawn(Master.create(config, factory, listeners, () -> config, runtime, exitStatus));
        master.tell(new Master.Start(first));
        return master;
    }

    private List<ActorRef<PoolActor.Command>> pools(ActorRef<Master.Command> master) {
        TestProbe<Master.Pools> probe = KIT.createTestProbe();
        master.tell(new Master.GetPools(probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(5)).refs();
    }

    private PoolStatus await(ActorRef<Master.Command> master, Predicate<PoolStatus> ok, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        PoolStatus last = null;
        while (System.nanoTime() < deadline) {
            List<ActorRef<PoolActor.Command>> refs = pools(master);
            if (refs.size() == 1) {
                TestProbe<PoolStatus> probe = KIT.createTestProbe();
                refs.get(0).tell(new PoolActor.GetStatus(probe.getRef()));
                try {
                    last = probe.receiveMessage(Duration.ofSeconds(1));
                } catch (AssertionError deadActor) {
                    continue; // asked an actor that has just failed
                }
                if (ok.test(last)) {
                    return last;
                }
            }
            Thread.sleep(50);
        }
        fail("timed out waiting for " + what + "; last: " + last);
        return null;
    }

    /** What the worker's fd 0 is, e.g. {@code socket:[123456]}: the listening socket's inode. */
    private static String socketOf(long pid) throws IOException {
        return java.nio.file.Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0")).toString();
    }

    private String get() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFailedPoolActorIsStartedAgainOnTheSameSocket() throws Exception {
        AtomicInteger exit = new AtomicInteger();
        ActorRef<Master.Command> master = startMaster(exit);
        List<Long> before = await(master, s -> s.total() == 2, "2 workers").workers().stream()
                .map(WorkerStatus::pid).toList();
        ActorRef<PoolActor.Command> failing = pools(master).get(0);
        String socketBefore = socketOf(before.get(0));
        failing.tell(new PoolActor.GetStatus(null)); // a bug in a handler: the pool actor fails
        PoolStatus after = await(master, s -> s.total() == 2
                && s.workers().stream().noneMatch(w -> before.contains(w.pid())), "2 new workers");
        assertNotEquals(failing, pools(master).get(0), "a new pool actor");
        for (WorkerStatus w : after.workers()) {
            assertEquals(socketBefore, socketOf(w.pid()), "the new worker's fd 0 is the same listening socket");
        }
        for (long pid : before) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ProcFs.isAlive(pid) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(ProcFs.isAlive(pid), "old worker " + pid + " was killed");
        }
        assertTrue(get().startsWith("HTTP/1.0 200"));
        assertEquals(0, exit.get());
        master.tell(new Master.SignalReceived("INT"));
        KIT.createTestProbe().expectTerminated(master, Duration.ofSeconds(10));
    }

    @Test
    void aPoolThatKeepsFailingStopsJfpmWithStatus1() throws Exception {
        AtomicInteger exit = new AtomicInteger();
        ActorRef<Master.Command> master = startMaster(exit);
        TestProbe<Object> watcher = KIT.createTestProbe();
        for (int i = 0; i <= RestartLimit.MAX; i++) {
            await(master, s -> s.total() == 2, "2 workers");
            pools(master).get(0).tell(new PoolActor.GetStatus(null));
            if (i < RestartLimit.MAX) {
                ActorRef<PoolActor.Command> failed = pools(master).get(0);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (pools(master).contains(failed) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
        }
        watcher.expectTerminated(master, Duration.ofSeconds(20));
        assertEquals(1, exit.get(), "the fourth failure within a minute ends jfpm with status 1");
    }
}
