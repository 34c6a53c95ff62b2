package org.jfpm.supervisor.status;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The responder side of one FastCGI connection (the FastCGI 1.0 specification), as a pure state
 * machine: {@link #receive} takes whatever bytes arrived, answers through the {@link Responder}
 * and returns what to write back. No I/O and no threads: the server feeds it from its selector.
 *
 * <ul>
 *   <li>{@code FCGI_BEGIN_REQUEST} with role {@code FCGI_RESPONDER} opens a request; another role
 *       is refused with {@code FCGI_UNKNOWN_ROLE}, a second request while one is open with
 *       {@code FCGI_CANT_MPX_CONN} (one request at a time, as PHP-FPM).</li>
 *   <li>{@code FCGI_PARAMS} are collected until the empty record that ends them; then the request is
 *       answered at once: {@code FCGI_STDOUT} records carrying the CGI response (headers, a blank
 *       line, the body), the empty {@code FCGI_STDOUT}, and {@code FCGI_END_REQUEST}
 *       ({@code FCGI_REQUEST_COMPLETE}). The status needs no request body: {@code FCGI_STDIN} and
 *       {@code FCGI_DATA} are read and dropped, before or after the answer.</li>
 *   <li>{@code FCGI_ABORT_REQUEST} ends an open request with {@code FCGI_END_REQUEST}.</li>
 *   <li>{@code FCGI_GET_VALUES} is answered with {@code FCGI_MAX_CONNS}, {@code FCGI_MAX_REQS},
 *       {@code FCGI_MPXS_CONNS} (0); an unknown management record with {@code FCGI_UNKNOWN_TYPE}.</li>
 *   <li>Without {@code FCGI_KEEP_CONN} the connection is to be closed once the answer is written
 *       ({@link #closeAfterWrite()}); with it, the next {@code FCGI_BEGIN_REQUEST} may follow.</li>
 *   <li>A record of another version, or params beyond {@link #MAX_PARAMS_BYTES}, is a protocol
 *       error: {@link #failed()} says why, and the connection is to be closed.</li>
 * </ul>
 */
final class FastCgiConnection {

    static final int VERSION = 1;
    static final int BEGIN_REQUEST = 1;
    static final int ABORT_REQUEST = 2;
    static final int END_REQUEST = 3;
    static final int PARAMS = 4;
    static final int STDIN = 5;
    static final int STDOUT = 6;
    static final int STDERR = 7;
    static final int DATA = 8;
    static final int GET_VALUES = 9;
    static final int GET_VALUES_RESULT = 10;
    static final int UNKNOWN_TYPE = 11;

    static final int RESPONDER = 1;
    static final int KEEP_CONN = 1;
    static final int REQUEST_COMPLETE = 0;
    static final int CANT_MPX_CONN = 1;
    static final int UNKNOWN_ROLE = 3;

    /** The most params one request may send (PHP-FPM's own buffer is smaller; nginx sends a few KiB). */
    static final int MAX_PARAMS_BYTES = 256 * 1024;
    private static final int HEADER = 8;
    /** STDOUT content per record (at most 65535; a multiple of 8, so no padding is needed but for the last). */
    private static final int STDOUT_CHUNK = 32768;

    /** Answers one request: the CGI response (headers, blank line, body) for its params. */
    @FunctionalInterface
    interface Responder {
        byte[] respond(Map<String, String> params);
    }

    private final Responder responder;
    private final int maxConns;
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private int requestId; // the open request, 0 for none
    private boolean keepConn;
    private ByteArrayOutputStream params;
    private boolean closeAfterWrite;
    private String failed;
    private int answered;

    /** @param maxConns what {@code FCGI_GET_VALUES} reports as {@code FCGI_MAX_CONNS} and {@code FCGI_MAX_REQS} */
    FastCgiConnection(Responder responder, int maxConns) {
        this.responder = responder;
        this.maxConns = maxConns;
    }

    /** True once the connection should be closed after what {@link #receive} returned is written. */
    boolean closeAfterWrite() {
        return closeAfterWrite || failed != null;
    }

    /** Why the peer broke the protocol, or null. */
    String failed() {
        return failed;
    }

    /** Requests answered so far. */
    int answered() {
        return answered;
    }

    /** True while a request is open (begun and not yet answered). */
    boolean inRequest() {
        return requestId != 0;
    }

    /**
     * Consumes {@code in} (every byte: a partial record is kept for the next call) and returns the
     * bytes to write back, possibly none. After {@link #closeAfterWrite()} turns true, further input is
     * dropped.
     */
    ByteBuffer receive(ByteBuffer in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = pending.hasRemaining() ? concat(pending, in) : in;
        while (!closeAfterWrite() && buf.remaining() >= HEADER) {
            int start = buf.position();
            int version = buf.get(start) & 0xff;
            int type = buf.get(start + 1) & 0xff;
            int id = ((buf.get(start + 2) & 0xff) << 8) | (buf.get(start + 3) & 0xff);
            int length = ((buf.get(start + 4) & 0xff) << 8) | (buf.get(start + 5) & 0xff);
            int padding = buf.get(start + 6) & 0xff;
            if (version != VERSION) {
                failed = "FastCGI record version " + version + ", expected 1";
                break;
            }
            if (buf.remaining() < HEADER + length + padding) {
                break;
            }
            byte[] content = new byte[length];
            buf.position(start + HEADER);
            buf.get(content);
            buf.position(start + HEADER + length + padding);
            record(type, id, content, out);
        }
        if (closeAfterWrite()) {
            pending = ByteBuffer.allocate(0);
        } else {
            pending = ByteBuffer.allocate(buf.remaining());
            pending.put(buf).flip();
        }
        in.position(in.limit());
        return ByteBuffer.wrap(out.toByteArray());
    }

    private void record(int type, int id, byte[] content, ByteArrayOutputStream out) {
        if (id == 0) {
            management(type, content, out);
            return;
        }
        switch (type) {
            case BEGIN_REQUEST -> begin(id, content, out);
            case PARAMS -> {
                if (id == requestId) {
                    params(content, out);
                }
            }
            case ABORT_REQUEST -> {
                if (id == requestId) {
                    end(id, REQUEST_COMPLETE, out);
                }
            }
            default -> {
                // STDIN, DATA, and records of a request already answered or never begun: dropped
            }
        }
    }

    private void begin(int id, byte[] content, ByteArrayOutputStream out) {
        if (content.length < 8) {
            failed = "FCGI_BEGIN_REQUEST with " + content.length + " bytes, expected 8";
            return;
        }
        int role = ((content[0] & 0xff) << 8) | (content[1] & 0xff);
        boolean keep = (content[2] & KEEP_CONN) != 0;
        if (requestId != 0) {
            write(out, END_REQUEST, id, endBody(0, CANT_MPX_CONN));
            return;
        }
        if (role != RESPONDER) {
            write(out, END_REQUEST, id, endBody(0, UNKNOWN_ROLE));
            closeAfterWrite = !keep;
            return;
        }
        requestId = id;
        keepConn = keep;
        params = new ByteArrayOutputStream();
    }

    private void params(byte[] content, ByteArrayOutputStream out) {
        if (content.length > 0) {
            if (params.size() + content.length > MAX_PARAMS_BYTES) {
                failed = "FCGI_PARAMS over " + MAX_PARAMS_BYTES + " bytes";
                return;
            }
            params.writeBytes(content);
            return;
        }
        Map<String, String> decoded = decodePairs(params.toByteArray());
        if (decoded == null) {
            failed = "malformed FCGI_PARAMS name-value pairs";
            return;
        }
        byte[] response = responder.respond(decoded);
        int id = requestId;
        for (int off = 0; off < response.length; off += STDOUT_CHUNK) {
            int n = Math.min(STDOUT_CHUNK, response.length - off);
            write(out, STDOUT, id, java.util.Arrays.copyOfRange(response, off, off + n));
        }
        write(out, STDOUT, id, new byte[0]);
        answered++;
        end(id, REQUEST_COMPLETE, out);
    }

    private void end(int id, int protocolStatus, ByteArrayOutputStream out) {
        write(out, END_REQUEST, id, endBody(0, protocolStatus));
        requestId = 0;
        params = null;
        closeAfterWrite = !keepConn;
    }

    private void management(int type, byte[] content, ByteArrayOutputStream out) {
        if (type == GET_VALUES) {
            Map<String, String> asked = decodePairs(content);
            Map<String, String> values = new LinkedHashMap<>();
            if (asked != null) {
                for (String name : asked.keySet()) {
                    switch (name) {
                        case "FCGI_MAX_CONNS", "FCGI_MAX_REQS" -> values.put(name, Integer.toString(maxConns));
                        case "FCGI_MPXS_CONNS" -> values.put(name, "0");
                        default -> {
                        }
                    }
                }
            }
            write(out, GET_VALUES_RESULT, 0, encodePairs(values));
        } else {
            byte[] body = new byte[8];
            body[0] = (byte) type;
            write(out, UNKNOWN_TYPE, 0, body);
        }
    }

    private static byte[] endBody(int appStatus, int protocolStatus) {
        return new byte[] {(byte) (appStatus >>> 24), (byte) (appStatus >>> 16), (byte) (appStatus >>> 8), (byte) appStatus,
                (byte) protocolStatus, 0, 0, 0};
    }

    /** One record, padded to a multiple of 8 bytes as PHP-FPM pads its own. */
    static void write(ByteArrayOutputStream out, int type, int id, byte[] content) {
        int padding = (8 - content.length % 8) % 8;
        out.write(VERSION);
        out.write(type);
        out.write(id >>> 8);
        out.write(id & 0xff);
        out.write(content.length >>> 8);
        out.write(content.length & 0xff);
        out.write(padding);
        out.write(0);
        out.writeBytes(content);
        out.writeBytes(new byte[padding]);
    }

    /** FastCGI name-value pairs; null when malformed. Names and values are read as UTF-8 (bad bytes become U+FFFD). */
    static Map<String, String> decodePairs(byte[] b) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        while (i < b.length) {
            long[] nameLen = length(b, i);
            if (nameLen == null) {
                return null;
            }
            i = (int) nameLen[1];
            long[] valueLen = length(b, i);
            if (valueLen == null) {
                return null;
            }
            i = (int) valueLen[1];
            if (nameLen[0] + valueLen[0] > b.length - i) {
                return null;
            }
            String name = new String(b, i, (int) nameLen[0], StandardCharsets.UTF_8);
            i += (int) nameLen[0];
            String value = new String(b, i, (int) valueLen[0], StandardCharsets.UTF_8);
            i += (int) valueLen[0];
            out.putIfAbsent(name, value);
        }
        return out;
    }

    /** {length, next index}, or null when truncated. */
    private static long[] length(byte[] b, int i) {
        if (i >= b.length) {
            return null;
        }
        int first = b[i] & 0xff;
        if (first < 0x80) {
            return new long[] {first, i + 1};
        }
        if (i + 4 > b.length) {
            return null;
        }
        long n = ((long) (first & 0x7f) << 24) | ((b[i + 1] & 0xffL) << 16) | ((b[i + 2] & 0xffL) << 8) | (b[i + 3] & 0xffL);
        return new long[] {n, i + 4};
    }

    static byte[] encodePairs(Map<String, String> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pairs.forEach((k, v) -> {
            byte[] name = k.getBytes(StandardCharsets.UTF_8);
            byte[] value = v.getBytes(StandardCharsets.UTF_8);
            writeLength(out, name.length);
            writeLength(out, value.length);
            out.writeBytes(name);
            out.writeBytes(value);
        });
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int n) {
        if (n < 0x80) {
            out.write(n);
        } else {
            out.write((n >>> 24) | 0x80);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
    }

    private static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(a.remaining() + b.remaining());
        c.put(a).put(b).flip();
        return c;
    }
}
