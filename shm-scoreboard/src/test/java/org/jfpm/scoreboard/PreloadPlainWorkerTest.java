package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The preload library in plain (not FastCGI) accept loops on an inherited socket: Python, and
 * unmodified Perl and C programs.
 */
class PreloadPlainWorkerTest {
    @TempDir
    Path dir;

    private Path library;
    private PreloadScoreboard scoreboard;
    private PreloadWorker worker;

    @BeforeEach
    void setUp() throws IOException {
        library = PreloadLibrary.extract(dir);
        scoreboard = PreloadScoreboard.create(dir, "plain", 2);
        assertEquals(0, scoreboard.allocate(7));
        assertEquals(1, scoreboard.allocate(7));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
        scoreboard.close();
    }

    private PreloadWorker startWorker(String script) throws IOException, InterruptedException {
        return startProgram(PreloadWorker.PYTHON, PreloadWorker.resource(script).toString());
    }

    private PreloadWorker startProgram(String... argv) throws IOException, InterruptedException {
        worker = PreloadWorker.start(dir, "worker", library,
                Map.of("JFPM_SCOREBOARD", scoreboard.path().toString(), "JFPM_SLOT", "1", "JFPM_PRELOAD_DEBUG", "1"),
                argv);
        return worker;
    }

    private SlotSnapshot slot() {
        return scoreboard.slot(1);
    }

    private String awaitSlot(java.util.function.Predicate<SlotSnapshot> p, String what) throws InterruptedException {
        worker.await(() -> p.test(slot()), what + " (slot: " + slot() + ")");
        return what;
    }

    static String ask(int port, String line) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void countsEveryRequestAndReturnsToIdle() throws Exception {
        startWorker("accept_worker.py");
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept");
        assertEquals(worker.pid(), slot().pid(), "pid written at load");
        assertEquals(0, slot().requests());
        long before = PreloadScoreboard.nowUs();

        int n = 5;
        for (int i = 0; i < n; i++) {
            assertEquals("ok " + worker.pid(), ask(worker.port(), "hello"));
        }

        awaitSlot(s -> s.requests() == n && s.stage() == RequestStage.ACCEPTING, "idle after " + n + " requests");
        SlotSnapshot s = slot();
        assertEquals(n, scoreboard.acceptedConn(), "header accepted_conn");
        assertTrue(s.requestDurationUs() > 0, "duration of the last request: " + s);
        assertTrue(s.acceptedTimeUs() >= before, "accepted time: " + s);
        assertTrue(s.lastActivityUs() >= s.acceptedTimeUs() + s.requestDurationUs(), "last activity: " + s);
        assertTrue(s.lastRequestMemory() > 1 << 20, "peak RSS of a python process: " + s);
        assertEquals(List.of("", "", "", "", ""), List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user()),
                "no request info for a non-FastCGI protocol");
        assertTrue(s.inUse() && s.generation() == 7, "master fields untouched: " + s);
        assertTrue(worker.log().contains("attached to slot 1 of " + scoreboard.path()), worker.log());
    }

    @Test
    void showsTheRequestAsRunningWhileTheWorkerIsBusy() throws Exception {
        startWorker("accept_worker.py");
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept");
        Path go = dir.resolve("go");
        try (Socket client = new Socket("127.0.0.1", worker.port())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(("wait " + go + "\n").getBytes(StandardCharsets.UTF_8));

            awaitSlot(s -> s.stage() == RequestStage.EXECUTING, "the busy stage");
            SlotSnapshot busy = slot();
            assertEquals(1, busy.requests());
            assertEquals(0, busy.requestDurationUs(), "no duration while the request runs");
            long held = System.nanoTime();
            Thread.sleep(50); // the request is held at least this long, a lower bound for its duration
            assertEquals(RequestStage.EXECUTING, slot().stage(), "still busy while the worker waits");
            Files.createFile(go);
            long heldUs = (System.nanoTime() - held) / 1000;

            String answer = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertEquals("ok " + worker.pid(), answer);
            awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "idle after the slow request");
            assertTrue(slot().requestDurationUs() >= heldUs, "duration " + slot().requestDurationUs() + " >= " + heldUs);
        }
    }

    @Test
    void programsTheWorkerStartsLeaveTheSlotAlone() throws Exception {
        startWorker("accept_worker.py");
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept");
        assertEquals("ok " + worker.pid(), ask(worker.port(), "spawn"));
        awaitSlot(s -> s.requests() == 1 && s.stage() == RequestStage.ACCEPTING, "idle after spawn");
        assertEquals(worker.pid(), slot().pid(), "the child program did not claim the slot");
        assertTrue(worker.log().contains("inert: slot 1 of " + scoreboard.path() + " belongs to pid " + worker.pid()),
                worker.log());
    }

    @Test
    void aForkedChildClosingTheConnectionDoesNotEndTheRequest() throws Exception {
        startWorker("accept_worker.py");
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept");
        Path mark = dir.resolve("forked");
        Path go = dir.resolve("go");
        try (Socket client = new Socket("127.0.0.1", worker.port())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write(("fork " + mark + " " + go + "\n").getBytes(StandardCharsets.UTF_8));
            worker.await(() -> Files.exists(mark), "the forked child to be reaped");
            SlotSnapshot s = slot();
            assertEquals(RequestStage.EXECUTING, s.stage(), "the child's close() was not taken for the worker's: " + s);
            assertEquals(0, s.requestDurationUs());
            Files.createFile(go);
            new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING && s.requestDurationUs() > 0, "idle after the fork request");
    }

    @Test
    void theWorkerSeesTheSameResultsAndErrnosWithAndWithoutTheLibrary() throws Exception {
        String withLibrary = runProbe(library, Map.of("JFPM_SCOREBOARD", scoreboard.path().toString(), "JFPM_SLOT", "1"));
        String inert = runProbe(library, Map.of());
        String plain = runProbe(null, Map.of());

        assertTrue(plain.contains("accept-empty errno EAGAIN") && plain.contains("recv-empty errno EAGAIN")
                && plain.contains("close-twice errno EBADF"), plain);
        assertEquals(plain, withLibrary);
        assertEquals(plain, inert);

        SlotSnapshot s = slot();
        assertEquals(1, s.requests(), "the failed (EAGAIN) accept is not a request: " + s);
        assertEquals(1, scoreboard.acceptedConn());
        assertEquals(RequestStage.FINISHED, s.stage(), "closed by the probe, which then exits without accepting: " + s);
        assertTrue(s.requestDurationUs() > 0, s.toString());
    }

    @Test
    void aMultiThreadedWorkerKeepsServingAndTheSlotStaysSane() throws Exception {
        startWorker("threaded_worker.py");
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept");
        int n = 100;
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String line = "req" + i;
                answers.add(clients.submit(() -> ask(worker.port(), line)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals("ok " + worker.pid() + " req" + i, answers.get(i).get(10, TimeUnit.SECONDS));
            }
        } finally {
            clients.shutdownNow();
        }
        assertTrue(worker.process().isAlive(), worker.log());
        // bookkeeping that met a busy lock is skipped, never waited for: counts are bounded, not exact
        SlotSnapshot s = slot();
        assertTrue(s.requests() >= 1 && s.requests() <= n, s.toString());
        assertTrue(scoreboard.acceptedConn() >= 1 && scoreboard.acceptedConn() <= n, "" + scoreboard.acceptedConn());
        assertEquals(worker.pid(), s.pid());
        assertTrue(s.stage() != null, "a valid stage code: " + s);
    }

    private String runProbe(Path preload, Map<String, String> env) throws Exception {
        try (PreloadWorker probe = PreloadWorker.start(dir, "probe", preload, env, PreloadWorker.PYTHON,
                PreloadWorker.resource("errno_probe.py").toString())) {
            assertTrue(probe.process().waitFor(10, TimeUnit.SECONDS), "probe finished");
            assertEquals(0, probe.process().exitValue(), probe.log());
            String out = probe.log();
            Files.delete(dir.resolve("probe.port"));
            return out;
        }
    }

    /**
     * A worker that accepts on a dup of fd 0 ({@code socket.fromfd}, as Python frameworks do) is still
     * seen: the library recognises the listening socket by its inode, not by the number 0.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"keep0", "close0"})
    void countsAWorkerThatAcceptsOnADupOfFd0(String variant) throws Exception {
        startProgram(PreloadWorker.PYTHON, PreloadWorker.resource("fromfd_worker.py").toString(), variant);
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept on the dup");
        int n = 4;
        for (int i = 0; i < n; i++) {
            assertEquals("ok " + worker.pid(), ask(worker.port(), "hello"));
        }
        awaitSlot(s -> s.requests() == n && s.stage() == RequestStage.ACCEPTING, "idle after " + n + " requests");
        assertEquals(n, scoreboard.acceptedConn(), "header accepted_conn");
        assertEquals(0, scoreboard.activeRequests(), "no request left open");
    }

    @Test
    void countsAPerlAcceptLoop() throws Exception {
        countsAnUnmodifiedProgram("/usr/bin/perl", PreloadWorker.resource("accept_worker.pl").toString());
    }

    @Test
    void countsACAcceptLoop() throws Exception {
        Path binary = dir.resolve("accept_worker");
        Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-Werror", "-o", binary.toString(),
                PreloadWorker.resource("accept_worker.c").toString()).inheritIO().start();
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS), "cc finished");
        assertEquals(0, cc.exitValue(), "cc compiled the C worker");
        countsAnUnmodifiedProgram(binary.toString());
    }

    private void countsAnUnmodifiedProgram(String... argv) throws Exception {
        int n = 4;
        startProgram(argv);
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING, "the first accept");
        assertEquals(worker.pid(), slot().pid(), "pid written at load");
        for (int i = 0; i < n; i++) {
            assertEquals("ok " + worker.pid(), ask(worker.port(), "hello"));
        }
        awaitSlot(s -> s.requests() == n && s.stage() == RequestStage.ACCEPTING, "idle after " + n + " requests");
        assertEquals(n, scoreboard.acceptedConn(), "header accepted_conn");
        assertTrue(slot().requestDurationUs() > 0, "duration of the last request: " + slot());
        assertTrue(slot().lastRequestMemory() > 0, "memory of the last request: " + slot());
        assertEquals(1, scoreboard.maxActiveProcesses(), "the worker raised max active processes itself");
        assertEquals(0, scoreboard.activeRequests(), "and took its request out of the active count");
    }
}
