package org.jfpm.it;

import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal FastCGI responder client (one request per connection, no keep-alive), enough to talk
 * to php-cgi directly: BEGIN_REQUEST, PARAMS, empty PARAMS, empty STDIN; then STDOUT/STDERR
 * records until END_REQUEST.
 */
final class FastCgi {

    private static final int BEGIN_REQUEST = 1;
    private static final int END_REQUEST = 3;
    private static final int PARAMS = 4;
    private static final int STDIN = 5;
    private static final int STDOUT = 6;
    private static final int STDERR = 7;

    private FastCgi() {
    }

    /** What the application wrote: its CGI headers + body on stdout, its stderr, its exit status. */
    record Response(String stdout, String stderr, long appStatus) {

        String body() {
            int end = stdout.indexOf("\r\n\r\n");
            return end < 0 ? stdout : stdout.substring(end + 4);
        }
    }

    /** The CGI parameters php-cgi needs to run {@code script} with {@code query}. */
    static Map<String, String> params(String script, String query) {
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
        p.put("SERVER_SOFTWARE", "jfpm-it");
        p.put("SERVER_NAME", "localhost");
        p.put("SERVER_ADDR", "127.0.0.1");
        p.put("SERVER_PORT", "80");
        p.put("REMOTE_ADDR", "127.0.0.1");
        p.put("REMOTE_PORT", "40000");
        p.put("CONTENT_LENGTH", "0");
        p.put("REDIRECT_STATUS", "200");
        return p;
    }

    static Response request(SocketAddress address, Map<String, String> params, Duration timeout) {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        record(req, BEGIN_REQUEST, new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        params.forEach((k, v) -> {
            byte[] kb = k.getBytes(StandardCharsets.UTF_8);
            byte[] vb = v.getBytes(StandardCharsets.UTF_8);
            length(p, kb.length);
            length(p, vb.length);
            p.writeBytes(kb);
            p.writeBytes(vb);
        });
        record(req, PARAMS, p.toByteArray());
        record(req, PARAMS, new byte[0]);
        record(req, STDIN, new byte[0]);
        String what = "FastCGI " + params.get("REQUEST_URI");
        byte[] raw = Http.exchange(address, req.toByteArray(), timeout, what);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int pos = 0;
        while (pos + 8 <= raw.length) {
            int type = raw[pos + 1] & 0xff;
            int len = ((raw[pos + 4] & 0xff) << 8) | (raw[pos + 5] & 0xff);
            int pad = raw[pos + 6] & 0xff;
            int body = pos + 8;
            if (body + len > raw.length) {
                break;
            }
            switch (type) {
                case STDOUT -> out.write(raw, body, len);
                case STDERR -> err.write(raw, body, len);
                case END_REQUEST -> {
                    long app = ((raw[body] & 0xffL) << 24) | ((raw[body + 1] & 0xffL) << 16)
                            | ((raw[body + 2] & 0xffL) << 8) | (raw[body + 3] & 0xffL);
                    return new Response(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), app);
                }
                default -> {
                    // other record types carry nothing a responder client needs
                }
            }
            pos = body + len + pad;
        }
        throw new AssertionError(what + " on " + address + ": no END_REQUEST in " + raw.length + " bytes; stdout so far: "
                + out.toString(StandardCharsets.UTF_8));
    }

    private static void record(ByteArrayOutputStream out, int type, byte[] content) {
        out.write(1);
        out.write(type);
        out.write(0);
        out.write(1);
        out.write(content.length >> 8);
        out.write(content.length & 0xff);
        out.write(0);
        out.write(0);
        out.writeBytes(content);
    }

    private static void length(ByteArrayOutputStream out, int n) {
        if (n < 128) {
            out.write(n);
        } else {
            out.write(0x80 | (n >>> 24));
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
    }
}
