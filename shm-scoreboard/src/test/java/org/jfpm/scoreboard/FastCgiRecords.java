package org.jfpm.scoreboard;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The FastCGI responder wire format, client side, for tests and benchmarks (shared through this
 * module's test-jar): one request (id 1) = BEGIN_REQUEST, PARAMS (cut into records only where a
 * record must end), an empty PARAMS, STDIN, an empty STDIN; the answer = STDOUT/STDERR records up
 * to END_REQUEST.
 */
public final class FastCgiRecords {
    private static final int MAX_CONTENT = 65528;
    private static final int BEGIN_REQUEST = 1;
    private static final int END_REQUEST = 3;
    private static final int PARAMS = 4;
    private static final int STDIN = 5;
    private static final int STDOUT = 6;
    private static final int STDERR = 7;
    private static final int RESPONDER = 1;

    private FastCgiRecords() {
    }

    /** What the application wrote: its CGI headers + body on stdout, its stderr, its exit status. */
    public record Response(String stdout, String stderr, long appStatus) {

        /** The stdout after the CGI headers. */
        public String body() {
            int end = stdout.indexOf("\r\n\r\n");
            return end < 0 ? stdout : stdout.substring(end + 4);
        }
    }

    /** The CGI parameters php-cgi needs to run {@code script} (an absolute path) with {@code query}. */
    public static Map<String, String> params(String script, String query) {
        Map<String, String> p = new LinkedHashMap<>();
        String name = "/" + Path.of(script).getFileName();
        p.put("GATEWAY_INTERFACE", "FastCGI/1.0");
        p.put("REQUEST_METHOD", "GET");
        p.put("SCRIPT_FILENAME", script);
        p.put("SCRIPT_NAME", name);
        p.put("REQUEST_URI", query.isEmpty() ? name : name + "?" + query);
        p.put("DOCUMENT_URI", name);
        p.put("QUERY_STRING", query);
        p.put("SERVER_PROTOCOL", "HTTP/1.1");
        p.put("SERVER_SOFTWARE", "jfpm-test");
        p.put("SERVER_NAME", "localhost");
        p.put("SERVER_ADDR", "127.0.0.1");
        p.put("SERVER_PORT", "80");
        p.put("REMOTE_ADDR", "127.0.0.1");
        p.put("REMOTE_PORT", "40000");
        p.put("CONTENT_LENGTH", "0");
        p.put("REDIRECT_STATUS", "200");
        return p;
    }

    /** The bytes of one request with {@code stdin} as its body; {@code keepConn} asks the worker to keep the connection. */
    public static byte[] request(Map<String, String> params, byte[] stdin, boolean keepConn) {
        ByteArrayOutputStream req = new ByteArrayOutputStream(512 + stdin.length);
        record(req, BEGIN_REQUEST, new byte[] {0, RESPONDER, (byte) (keepConn ? 1 : 0), 0, 0, 0, 0, 0});
        ByteArrayOutputStream pairs = new ByteArrayOutputStream(256);
        params.forEach((k, v) -> {
            byte[] kb = k.getBytes(StandardCharsets.UTF_8);
            byte[] vb = v.getBytes(StandardCharsets.UTF_8);
            length(pairs, kb.length);
            length(pairs, vb.length);
            pairs.writeBytes(kb);
            pairs.writeBytes(vb);
        });
        byte[] p = pairs.toByteArray();
        for (int off = 0; off < p.length; off += MAX_CONTENT) {
            record(req, PARAMS, Arrays.copyOfRange(p, off, Math.min(p.length, off + MAX_CONTENT)));
        }
        record(req, PARAMS, new byte[0]);
        for (int off = 0; off < stdin.length; off += MAX_CONTENT) {
            record(req, STDIN, Arrays.copyOfRange(stdin, off, Math.min(stdin.length, off + MAX_CONTENT)));
        }
        record(req, STDIN, new byte[0]);
        return req.toByteArray();
    }

    /** Reads records up to END_REQUEST; an end of stream before it, or a record type a responder never sends, is an error. */
    public static Response readResponse(InputStream raw) throws IOException {
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
            byte[] content = new byte[length];
            in.readFully(content);
            in.skipNBytes(header[6] & 0xff);
            switch (type) {
                case STDOUT -> stdout.write(content);
                case STDERR -> stderr.write(content);
                case END_REQUEST -> {
                    long status = ((content[0] & 0xffL) << 24) | ((content[1] & 0xffL) << 16)
                            | ((content[2] & 0xffL) << 8) | (content[3] & 0xffL);
                    return new Response(stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8),
                            status);
                }
                default -> throw new IOException("unexpected FastCGI record type " + type);
            }
        }
    }

    /** Writes one request (no body, connection not kept) to {@code out} and reads its response from {@code in}. */
    public static Response exchange(InputStream in, OutputStream out, Map<String, String> params) throws IOException {
        out.write(request(params, new byte[0], false));
        out.flush();
        return readResponse(in);
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] content) {
        int padding = (8 - content.length % 8) % 8;
        out.write(1);
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

    private static void length(ByteArrayOutputStream out, int n) {
        if (n < 128) {
            out.write(n);
        } else {
            out.write((n >>> 24) | 0x80);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
    }
}
