package org.jfpm.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The demo worker's whole HTTP: read one HTTP/1.x request head (and drain a small body), write one
 * response with {@code Connection: close}. Blocking streams, no threads.
 */
final class HelloHttp {

    static final int MAX_HEAD = 16 * 1024;
    static final long MAX_BODY = 1024 * 1024;

    /** A parsed request; {@code query} is "" when the target has none. */
    record Request(String method, String path, String query, long contentLength) {
        /** The request target as sent: path plus {@code ?query} if any. */
        String uri() {
            return query.isEmpty() ? path : path + "?" + query;
        }
    }

    /** The request cannot be served; {@code status} says why (400, 413, 431). */
    static final class BadRequest extends Exception {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private HelloHttp() {
    }

    /**
     * Reads the request line and headers (and drains the body, up to {@link #MAX_BODY}).
     *
     * @return the request, or {@code null} when the peer closed before sending anything
     */
    static Request read(InputStream in) throws IOException, BadRequest {
        String head = readHead(in);
        if (head == null) {
            return null;
        }
        String[] lines = head.split("\r?\n");
        String[] parts = lines[0].split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || parts[0].isEmpty() || !parts[1].startsWith("/")) {
            throw new BadRequest(400, "bad request line: " + lines[0]);
        }
        long contentLength = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new BadRequest(400, "bad header line: " + lines[i]);
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("content-length")) {
                try {
                    contentLength = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new BadRequest(400, "bad Content-Length: " + value);
                }
                if (contentLength < 0) {
                    throw new BadRequest(400, "bad Content-Length: " + value);
                }
            } else if (name.equals("transfer-encoding")) {
                throw new BadRequest(400, "chunked bodies are not supported by the demo worker");
            }
        }
        if (contentLength > MAX_BODY) {
            throw new BadRequest(413, "body larger than " + MAX_BODY + " bytes");
        }
        in.skipNBytes(contentLength);
        String target = parts[1];
        int q = target.indexOf('?');
        return new Request(parts[0], q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1),
                contentLength);
    }

    /** Bytes up to the blank line, as ISO-8859-1 text without it; null on EOF before any byte. */
    private static String readHead(InputStream in) throws IOException, BadRequest {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int newlines = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new BadRequest(400, "connection closed inside the request head");
            }
            if (b == '\n') {
                if (++newlines == 2) {
                    break;
                }
            } else if (b != '\r') {
                newlines = 0;
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new BadRequest(431, "request head larger than " + MAX_HEAD + " bytes");
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1).strip();
        if (text.isEmpty()) {
            throw new BadRequest(400, "empty request");
        }
        return text;
    }

    /** The value of {@code name} in a query string ({@code a=1&ms=200}), or null. */
    static String queryParam(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return pair.substring(eq + 1);
            }
        }
        return null;
    }

    static void respond(OutputStream out, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            default -> "Error";
        };
    }
}
