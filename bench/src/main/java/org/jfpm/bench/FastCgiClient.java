package org.jfpm.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A minimal FastCGI responder client (one request per connection, request id 1): BEGIN_REQUEST,
 * PARAMS, an empty STDIN, then read records until END_REQUEST. Enough to time a worker's answer
 * without nginx in the way.
 */
final class FastCgiClient {
    private static final int VERSION = 1;
    private static final int BEGIN_REQUEST = 1;
    private static final int END_REQUEST = 3;
    private static final int PARAMS = 4;
    private static final int STDIN = 5;
    private static final int STDOUT = 6;
    private static final int STDERR = 7;
    private static final int RESPONDER = 1;

    /** What came back: the STDOUT stream (CGI headers and body), STDERR, and the app status. */
    record Response(String stdout, String stderr, int appStatus) {
        String body() {
            int i = stdout.indexOf("\r\n\r\n");
            return i < 0 ? stdout : stdout.substring(i + 4);
        }
    }

    private FastCgiClient() {
    }

    /** The CGI parameters of a GET of {@code script} (an absolute file path) with no query string. */
    static Map<String, String> getParams(String script) {
        return Map.of(
                "GATEWAY_INTERFACE", "CGI/1.1",
                "SERVER_PROTOCOL", "HTTP/1.1",
                "REQUEST_METHOD", "GET",
                "SCRIPT_FILENAME", script,
                "SCRIPT_NAME", script.substring(script.lastIndexOf('/')),
                "REQUEST_URI", script.substring(script.lastIndexOf('/')),
                "QUERY_STRING", "",
                "SERVER_NAME", "localhost",
                "REMOTE_ADDR", "127.0.0.1",
                "REDIRECT_STATUS", "200");
    }

    /** Sends one request on {@code c} and reads the whole response. */
    static Response request(Endpoint.Connection c, Map<String, String> params) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream(512);
        record(req, BEGIN_REQUEST, new byte[] {0, RESPONDER, 0, 0, 0, 0, 0, 0});
        ByteArrayOutputStream p = new ByteArrayOutputStream(256);
        params.forEach((k, v) -> nameValue(p, k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8)));
        record(req, PARAMS, p.toByteArray());
        record(req, PARAMS, new byte[0]);
        record(req, STDIN, new byte[0]);
        OutputStream out = c.out();
        out.write(req.toByteArray());
        out.flush();
        return read(c.in());
    }

    private static Response read(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        byte[] header = new byte[8];
        while (true) {
            try {
                in.readFully(header);
            } catch (EOFException e) {
                throw new EOFException("connection closed before FCGI_END_REQUEST (stdout so far: "
                        + stdout.toString(StandardCharsets.UTF_8) + ")");
            }
            int type = header[1] & 0xff;
            int length = ((header[4] & 0xff) << 8) | (header[5] & 0xff);
            int padding = header[6] & 0xff;
            byte[] content = new byte[length];
            in.readFully(content);
            in.skipNBytes(padding);
            switch (type) {
                case STDOUT -> stdout.write(content);
                case STDERR -> stderr.write(content);
                case END_REQUEST -> {
                    int status = ((content[0] & 0xff) << 24) | ((content[1] & 0xff) << 16)
                            | ((content[2] & 0xff) << 8) | (content[3] & 0xff);
                    return new Response(stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8), status);
                }
                default -> throw new IOException("unexpected FastCGI record type " + type);
            }
        }
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] content) {
        int padding = (8 - content.length % 8) % 8;
        out.write(VERSION);
        out.write(type);
        out.write(0);
        out.write(1);
        out.write(content.length >> 8);
        out.write(content.length & 0xff);
        out.write(padding);
        out.write(0);
        out.writeBytes(content);
        out.write(new byte[padding], 0, padding);
    }

    private static void nameValue(ByteArrayOutputStream out, byte[] name, byte[] value) {
        length(out, name.length);
        length(out, value.length);
        out.writeBytes(name);
        out.writeBytes(value);
    }

    private static void length(ByteArrayOutputStream out, int n) {
        if (n < 128) {
            out.write(n);
        } else {
            out.write((n >> 24) | 0x80);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
    }
}
