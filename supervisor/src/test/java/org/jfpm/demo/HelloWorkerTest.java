package org.jfpm.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;
import org.jfpm.scoreboard.SlotWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo worker in-process: real sockets (TCP and unix), a real scoreboard file. */
class HelloWorkerTest {

    @TempDir
    Path tmp;

    private Scoreboard board;
    private SlotWriter writer;
    private ScoreboardReader reader;
    private int slot;
    private ServerSocketChannel server;
    private HelloWorker worker;
    private Thread serving;

    private SocketAddress start(StandardProtocolFamily family, long readTimeoutMs) throws Exception {
        board = Scoreboard.create(tmp, "demo", PmMode.DYNAMIC, Accounting.SDK, 4, 8);
        slot = board.allocate(1);
        writer = SlotWriter.attach(board.path(), slot);
        reader = ScoreboardReader.open(board.path());
        server = ServerSocketChannel.open(family);
        server.bind(family == StandardProtocolFamily.UNIX ? UnixDomainSocketAddress.of(tmp.resolve("demo.sock"))
                : new InetSocketAddress("127.0.0.1", 0));
        worker = new HelloWorker(server, writer, "demo", String.valueOf(slot), readTimeoutMs);
        serving = new Thread(() -> {
            try {
                worker.serve();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, "hello-worker");
        serving.start();
        return server.getLocalAddress();
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.stop();
            serving.join(5000);
        }
        if (writer != null) {
            writer.close();
        }
        if (board != null) {
            board.close();
        }
    }

    @Test
    void answersHelloWithPidPoolSlotAndRequestNumberAndClosesTheConnection() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.INET, 10_000);
        String first = HttpClient.get(address, "/");
        String second = HttpClient.get(address, "/index.php?x=1");
        String prefix = "Hello from jfpm worker " + ProcessHandle.current().pid() + " (pool demo, slot " + slot + ", request ";
        assertTrue(first.startsWith("HTTP/1.1 200 OK\r\n"), first);
        assertTrue(first.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), first);
        assertTrue(first.contains("\r\nConnection: close\r\n"), first);
        assertEquals(prefix + "1)\n", HttpClient.body(first));
        assertTrue(first.contains("\r\nContent-Length: " + HttpClient.body(first).length() + "\r\n"), first);
        assertEquals(prefix + "2)\n", HttpClient.body(second));
    }

    @Test
    void reportsEachRequestInItsScoreboardSlot() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.INET, 10_000);
        HttpClient.exchange(address, "POST /api/items?page=2 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", 10_000);
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING && s.requests() == 1);
        SlotSnapshot s = reader.slot(slot).orElseThrow();
        assertEquals(ProcessHandle.current().pid(), s.pid());
        assertEquals("POST", s.method());
        assertEquals("/api/items", s.uri());
        assertEquals("page=2", s.queryString());
        assertEquals(HelloWorker.SCRIPT, s.script());
        assertEquals(5, s.contentLength());
        assertTrue(s.requestDurationUs() > 0, s::toString);
        assertEquals(1, reader.header().acceptedConn());
    }

    @Test
    void sleepKeepsTheWorkerBusyForTheGivenTime() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.INET, 10_000);
        long t0 = System.nanoTime();
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> call(address, "/sleep?ms=400"));
        awaitSlot(s -> s.stage() == RequestStage.EXECUTING);
        assertEquals("/sleep", reader.slot(slot).orElseThrow().uri());
        String response = answer.get();
        assertTrue(System.nanoTime() - t0 >= 400_000_000L, "answered before 400 ms");
        assertTrue(HttpClient.body(response).endsWith("request 1)\n"), response);
    }

    @Test
    void rejectsBadRequestsAndKeepsServing() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.INET, 10_000);
        assertTrue(HttpClient.exchange(address, "garbage\r\n\r\n", 10_000).startsWith("HTTP/1.1 400 Bad Request\r\n"));
        assertTrue(HttpClient.get(address, "/sleep?ms=soon").startsWith("HTTP/1.1 400 "));
        assertTrue(HttpClient.get(address, "/sleep?ms=-5").startsWith("HTTP/1.1 400 "));
        assertTrue(HttpClient.exchange(address, "GET / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", 10_000)
                .startsWith("HTTP/1.1 413 "));
        assertTrue(HttpClient.body(HttpClient.get(address, "/")).endsWith("request 5)\n"));
    }

    @Test
    void servesAUnixSocket() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.UNIX, 10_000);
        String response = HttpClient.get(address, "/");
        assertTrue(HttpClient.body(response).startsWith("Hello from jfpm worker "), response);
    }

    @Test
    void dropsAClientThatSendsNothingAndServesTheNext() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.INET, 200);
        try (SocketChannel silent = SocketChannel.open(address)) {
            long t0 = System.nanoTime();
            assertEquals(-1, silent.read(ByteBuffer.allocate(16)), "the worker should close the idle connection");
            assertTrue(System.nanoTime() - t0 >= 150_000_000L, "closed before the read timeout");
        }
        assertTrue(HttpClient.body(HttpClient.get(address, "/")).endsWith("request 2)\n"));
    }

    @Test
    void stopWhileIdleEndsTheAcceptLoop() throws Exception {
        start(StandardProtocolFamily.INET, 10_000);
        awaitSlot(s -> s.stage() == RequestStage.ACCEPTING);
        worker.stop();
        serving.join(5000);
        assertFalse(serving.isAlive(), "serve() still running after stop()");
        assertFalse(server.isOpen());
    }

    @Test
    void stopDuringARequestFinishesItFirst() throws Exception {
        SocketAddress address = start(StandardProtocolFamily.INET, 10_000);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> call(address, "/sleep?ms=500"));
        awaitSlot(s -> s.stage() == RequestStage.EXECUTING);
        worker.stop();
        assertTrue(serving.isAlive(), "serve() ended in the middle of a request");
        String response = answer.get();
        assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
        serving.join(5000);
        assertFalse(serving.isAlive(), "serve() still running after the request");
        assertEquals(1, worker.requests());
    }

    @Test
    void sleepParameterIsBounded() {
        assertEquals(250, HelloWorker.sleepMillis("ms=250"));
        assertEquals(0, HelloWorker.sleepMillis("a=1&ms=0"));
        assertEquals(-1, HelloWorker.sleepMillis(""));
        assertEquals(-1, HelloWorker.sleepMillis("ms=600001"));
        assertEquals(-1, HelloWorker.sleepMillis("ms=1e3"));
    }

    private static String call(SocketAddress address, String target) {
        try {
            return HttpClient.get(address, target);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private void awaitSlot(java.util.function.Predicate<SlotSnapshot> condition) throws InterruptedException {
        await(() -> reader.slot(slot).map(condition::test).orElse(false),
                () -> "slot " + slot + " never matched; last: " + reader.slot(slot));
    }

    static void await(BooleanSupplier condition, java.util.function.Supplier<String> failure) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(5);
        }
    }
}
