package org.jfpm.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A raw HTTP/1.1 client for the tests: one request, read until the server closes. */
final class HttpClient {

    private HttpClient() {
    }

    /** Sends {@code raw} and returns everything the server sent before closing; fails after {@code timeoutMs}. */
    static String exchange(SocketAddress address, String raw, long timeoutMs) throws Exception {
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                return exchangeBlocking(address, raw);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("no complete answer from " + address + " within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            throw new AssertionError("exchange with " + address + " failed", e.getCause());
        }
    }

    static String get(SocketAddress address, String target) throws Exception {
        return exchange(address, "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n", 10_000);
    }

    private static String exchangeBlocking(SocketAddress address, String raw) throws IOException {
        try (SocketChannel ch = SocketChannel.open(address)) {
            if (ch.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            ByteBuffer out = ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (ch.read(buf) >= 0) {
                in.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return in.toString(StandardCharsets.UTF_8);
        }
    }

    /** The body after the blank line. */
    static String body(String response) {
        int i = response.indexOf("\r\n\r\n");
        return i < 0 ? "" : response.substring(i + 4);
    }
}
