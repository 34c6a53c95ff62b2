package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: the listen queue of a unix-socket pool is measured (netlink sock_diag) and shown in the
 * status page, where PHP-FPM always shows 0: one worker busy with a slow request, three clients
 * waiting in the accept queue, and {@code listen queue} / {@code max listen queue} say 3.
 */
class UnixListenQueueTest {

    @TempDir
    Path tmp;

    @Test
    void statusShowsConnectionsWaitingOnAUnixSocket() throws Exception {
        Path socket = tmp.resolve("q.sock");
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named("q", Workers.python(), "preload").staticPm(1).listenUnix(socket, "0660")
                        .set("listen-backlog", 16))
                .status()
                .start()) {
            jfpm.awaitIdle("q", 1, Duration.ofSeconds(15));
            CompletableFuture<Http.Response> slow = CompletableFuture.supplyAsync(
                    () -> Http.get(jfpm.pool("q").address(), "/sleep?ms=5000", Duration.ofSeconds(20)));
            jfpm.awaitLog("sleeping 5000 ms", Duration.ofSeconds(10));

            List<SocketChannel> waiting = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(socket));
                    waiting.add(c);
                }
                jfpm.pollUntil(() -> field(jfpm, "listen queue") == 3, Duration.ofSeconds(5),
                        "the status page to show 3 connections in the unix socket's accept queue");
                Map<String, Object> status = status(jfpm);
                assertTrue((Long) status.get("max listen queue") >= 3, "max listen queue: " + status);
                assertEquals(16L, status.get("listen queue len"), "the backlog: " + status);
            } finally {
                for (SocketChannel c : waiting) {
                    close(c);
                }
            }
            assertEquals(200, slow.get().status());
        }
    }

    private static long field(Jfpm jfpm, String key) {
        return (Long) status(jfpm).get(key);
    }

    private static Map<String, Object> status(Jfpm jfpm) {
        Http.Response r = Http.get(jfpm.statusAddress(), "/status/q?json");
        assertEquals(200, r.status(), r.body());
        return MiniJson.object(r.body());
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing a client socket of the test
        }
    }
}
