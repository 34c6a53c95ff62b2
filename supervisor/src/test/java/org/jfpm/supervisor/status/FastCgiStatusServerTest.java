package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jfpm.os.ListenAddress;
import org.jfpm.pool.PoolStatus;
import org.jfpm.supervisor.config.FastCgiStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FastCgiStatusServerTest {

    private final PoolStatus www = Fixtures.pool("www").idle(101).build();
    private final PoolStatus api = Fixtures.pool("api").running(201).build();
    private final FastCgiStatusServer server = FastCgiStatusServer.start(
            name -> name.equals("www") ? Optional.of(www) : name.equals("api") ? Optional.of(api) : Optional.empty(), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    @AfterEach
    void close() {
        server.close();
    }

    static FastCgiStatus tcp(String pool, int port, String statusPath, String pingPath) {
        return new FastCgiStatus(pool, Optional.of(new ListenAddress.Tcp("127.0.0.1", port)), statusPath, pingPath, "pong", 511, 0660, "", "");
    }

    static FastCgiStatus unix(String pool, Path path, int mode) {
        return new FastCgiStatus(pool, Optional.of(new ListenAddress.Unix(path)), "/status", "/ping", "pong", 511, mode, "", "");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One FastCGI request as cgi-fcgi sends it; reads until the server closes; returns STDOUT. */
    static String request(SocketAddress to, Map<String, String> params) throws IOException {
        try (SocketChannel ch = SocketChannel.open(to instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                : StandardProtocolFamily.INET)) {
            ch.connect(to);
            ch.write(ByteBuffer.wrap(FastCgiConnectionTest.request(1, false, params)));
            return stdout(readAll(ch));
        }
    }

    static byte[] readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.allocate(8192);
        while (ch.read(b) >= 0) {
            out.write(b.array(), 0, b.position());
            b.clear();
        }
        return out.toByteArray();
    }

    static String stdout(byte[] raw) {
        StringBuilder s = new StringBuilder();
        List<FastCgiConnectionTest.Rec> recs = FastCgiConnectionTest.parse(ByteBuffer.wrap(raw));
        assertEquals(FastCgiConnection.END_REQUEST, recs.get(recs.size() - 1).type(), "ends with FCGI_END_REQUEST");
        for (FastCgiConnectionTest.Rec r : recs) {
            if (r.type() == FastCgiConnection.STDOUT) {
                s.append(r.text());
            }
        }
        return s.toString();
    }

    private SocketAddress local(String pool) {
        return server.localAddress(pool).orElseThrow();
    }

    @Test
    void answersOverTcpAndClosesAfterTheAnswer() throws Exception {
        int port = freePort();
        assertEquals(List.of(), server.apply(List.of(tcp("www", port, "/status", "/ping")), true));
        String json = request(new InetSocketAddress("127.0.0.1", port),
                Map.of("SCRIPT_NAME", "/status", "SCRIPT_FILENAME", "/status", "REQUEST_METHOD", "GET", "QUERY_STRING", "json"));
        assertTrue(json.endsWith("\r\n\r\n" + StatusPage.render(www, StatusQuery.parse("json"), ZoneOffset.UTC)), json);
        assertTrue(request(local("www"), Map.of("SCRIPT_NAME", "/ping")).endsWith("\r\n\r\npong"));
    }

    @Test
    void keepConnServesSeveralRequestsOnOneConnection() throws Exception {
        server.apply(List.of(tcp("www", freePort(), "/status", "/ping")), true);
        try (SocketChannel ch = SocketChannel.open(local("www"))) {
            for (int i = 1; i <= 3; i++) {
                ch.write(ByteBuffer.wrap(FastCgiConnectionTest.request(i, true, Map.of("SCRIPT_NAME", "/ping"))));
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                ByteBuffer b = ByteBuffer.allocate(4096);
                while (!endsWithEndRequest(got.toByteArray(), i)) {
                    assertTrue(ch.read(b) >= 0, "the connection stays open");
                    got.write(b.array(), 0, b.position());
                    b.clear();
                }
                assertTrue(stdout(got.toByteArray()).endsWith("pong"));
            }
        }
    }

    private static boolean endsWithEndRequest(byte[] raw, int id) {
        return raw.length >= 16 && raw[raw.length - 16 + 1] == FastCgiConnection.END_REQUEST && raw[raw.length - 16 + 3] == id;
    }

    @Test
    void unixSocketsGetThePoolsModeAndAreRemovedWhenClosed() throws Exception {
        Path sock = tmp.resolve("www-status.sock");
        server.apply(List.of(unix("www", sock, 0600)), true);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(sock), files.toList(), "no temporary name left behind");
        }
        assertTrue(request(UnixDomainSocketAddress.of(sock), Map.of("SCRIPT_NAME", "/status", "QUERY_STRING", "json&full"))
                .contains("\"processes\":[{\"pid\":101,"));
        server.apply(List.of(), true);
        assertFalse(Files.exists(sock), "removed with its socket");
    }

    @Test
    void aStaleSocketFileIsReplacedAndAnyOtherFileRefused() throws Exception {
        Path sock = tmp.resolve("stale.sock");
        try (var old = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(sock));
        }
        assertTrue(Files.exists(sock), "a socket file left by a dead process");
        server.apply(List.of(unix("www", sock, 0660)), true);
        assertTrue(request(UnixDomainSocketAddress.of(sock), Map.of("SCRIPT_NAME", "/ping")).endsWith("pong"));

        Path file = tmp.resolve("data.txt");
        Files.writeString(file, "keep me");
        FastCgiStatusServer.Unavailable u = assertThrows(FastCgiStatusServer.Unavailable.class,
                () -> server.apply(List.of(unix("www", sock, 0660), unix("api", file, 0660)), true));
        assertTrue(u.getMessage().startsWith("jfpm.pools.api.status-listen = \"unix:" + file + "\": "), u.getMessage());
        assertTrue(u.getMessage().contains("not a socket"), u.getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void applyChangesRoutesInPlaceMovesAndClosesSockets() throws Exception {
        int port = freePort();
        server.apply(List.of(tcp("www", port, "/status", "/ping"), tcp("api", freePort(), "/status", "")), true);
        SocketAddress wwwAddress = local("www");
        SocketAddress apiAddress = local("api");

        server.apply(List.of(tcp("www", port, "/fpm-status", "/health"), tcp("api", freePort(), "/status", "")), true);
        assertEquals(wwwAddress, local("www"), "same address: same socket");
        assertTrue(request(wwwAddress, Map.of("SCRIPT_NAME", "/status")).startsWith("Status: 404"));
        assertTrue(request(wwwAddress, Map.of("SCRIPT_NAME", "/health")).endsWith("pong"));
        assertTrue(request(local("api"), Map.of("SCRIPT_NAME", "/status")).contains("pool:                 api\n"));
        assertThrows(IOException.class, () -> request(apiAddress, Map.of("SCRIPT_NAME", "/status")), "the old address is closed");

        // the same port with another backlog: closed and bound again at once
        server.apply(List.of(new FastCgiStatus("www", Optional.of(new ListenAddress.Tcp("127.0.0.1", port)), "/status", "", "pong", 64,
                0660, "", "")), true);
        assertTrue(request(wwwAddress, Map.of("SCRIPT_NAME", "/status")).contains("pool:                 www\n"));
        assertEquals(Optional.empty(), server.localAddress("api"));
    }

    @Test
    void aPortInUseFailsFastAtStartUpAndIsReportedOnReload() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            FastCgiStatus busy = tcp("www", taken.getLocalPort(), "/status", "");
            FastCgiStatusServer.Unavailable u = assertThrows(FastCgiStatusServer.Unavailable.class, () -> server.apply(List.of(busy), true));
            assertTrue(u.getMessage().startsWith("jfpm.pools.www.status-listen = \"127.0.0.1:" + taken.getLocalPort() + "\": "),
                    u.getMessage());
            assertTrue(u.reason().toLowerCase(java.util.Locale.ROOT).contains("in use"), u.reason());

            List<FastCgiStatusServer.Unavailable> failed = server.apply(List.of(busy, tcp("api", freePort(), "/status", "")), false);
            assertEquals(1, failed.size());
            assertTrue(server.localAddress("api").isPresent(), "the others are bound");
        }
    }

    @Test
    void manyClientsAtOnceAndAnIdleOneDoNotHoldEachOtherUp() throws Exception {
        server.apply(List.of(tcp("www", freePort(), "/status", "/ping")), true);
        try (SocketChannel silent = SocketChannel.open(local("www"))) {
            silent.write(ByteBuffer.wrap(FastCgiConnectionTest.begin(1, FastCgiConnection.RESPONDER, false)));
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<CompletableFuture<String>> answers = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    answers.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return request(local("www"), Map.of("SCRIPT_NAME", "/status", "QUERY_STRING", "json"));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, pool));
                }
                for (CompletableFuture<String> a : answers) {
                    assertTrue(a.get(20, TimeUnit.SECONDS).contains("\"pool\":\"www\""));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void garbageClosesTheConnection() throws Exception {
        server.apply(List.of(tcp("www", freePort(), "/status", "/ping")), true);
        try (SocketChannel ch = SocketChannel.open(local("www"))) {
            ch.write(ByteBuffer.wrap("GET /status HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ch.socket().setSoTimeout(5000);
            assertEquals(0, readAll(ch).length, "closed without an answer");
        }
        assertTrue(request(local("www"), Map.of("SCRIPT_NAME", "/ping")).endsWith("pong"), "still serving");
    }
}
