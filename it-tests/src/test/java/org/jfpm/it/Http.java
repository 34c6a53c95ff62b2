package org.jfpm.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny HTTP/1.1 client over TCP or unix sockets ({@link SocketChannel} accepts both address kinds):
 * one request per connection with {@code Connection: close}, bounded by a deadline after which the
 * channel is closed under the reader.
 */
final class Http {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-deadline");
        t.setDaemon(true);
        return t;
    });
    private static final Pattern WORKER_PID = Pattern.compile("worker (\\d+)");

    private Http() {
    }

    /** A response: status code, headers (lower-case names) and body. */
    record Response(int status, Map<String, String> headers, String body) {

        /** The pid from a demo/python worker's answer ("Hello from ... worker PID ..."). */
        long workerPid() {
            Matcher m = WORKER_PID.matcher(body);
            if (!m.find()) {
                throw new AssertionError("no worker pid in the response body: " + body);
            }
            return Long.parseLong(m.group(1));
        }
    }

    static Response get(SocketAddress address, String path) {
        return get(address, path, Duration.ofSeconds(10));
    }

    static Response get(SocketAddress address, String path, Duration timeout) {
        return get(address, path, Map.of(), timeout);
    }

    static Response get(SocketAddress address, String path, Map<String, String> headers, Duration timeout) {
        StringBuilder request = new StringBuilder("GET ").append(path)
                .append(" HTTP/1.1\r\nHost: localhost\r\nUser-Agent: jfpm-it\r\nConnection: close\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        request.append("\r\n");
        byte[] raw = exchange(address, request.toString().getBytes(StandardCharsets.US_ASCII), timeout, "GET " + path);
        return parse(raw, "GET " + path + " on " + address);
    }

    /** Sends {@code request}, reads until EOF, all within {@code timeout}. */
    static byte[] exchange(SocketAddress address, byte[] request, Duration timeout, String what) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(address instanceof UnixDomainSocketAddress
                    ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
        } catch (IOException e) {
            throw new AssertionError(what + ": socket: " + e, e);
        }
        ScheduledFuture<?> deadline = TIMER.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (ch) {
            ch.connect(address);
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                buf.flip();
                in.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
            return in.toByteArray();
        } catch (IOException e) {
            String why = deadline.isDone() ? "no complete answer within " + timeout.toMillis() + " ms" : e.toString();
            throw new AssertionError(what + " on " + address + ": " + why, e);
        } finally {
            deadline.cancel(false);
        }
    }

    static Response parse(byte[] raw, String what) {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (end < 0) {
            throw new AssertionError(what + ": incomplete HTTP response: " + new String(raw, StandardCharsets.UTF_8));
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new AssertionError(what + ": bad status line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body, what);
        }
        return new Response(Integer.parseInt(statusLine[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] body, String what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] crlf = {'\r', '\n'};
        int pos = 0;
        while (true) {
            int eol = indexOf(body, crlf, pos);
            if (eol < 0) {
                throw new AssertionError(what + ": truncated chunked body");
            }
            String sizeField = new String(body, pos, eol - pos, StandardCharsets.US_ASCII).split(";")[0].trim();
            int size = Integer.parseInt(sizeField, 16);
            if (size == 0) {
                return out.toByteArray();
            }
            if (eol + 2 + size > body.length) {
                throw new AssertionError(what + ": truncated chunk of " + size + " bytes");
            }
            out.write(body, eol + 2, size);
            pos = eol + 2 + size + 2;
        }
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing to unblock a reader past its deadline
        }
    }
}
