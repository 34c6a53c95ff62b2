package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FastCgiConnectionTest {

    /** A record as parsed back from what the connection wrote. */
    record Rec(int type, int id, byte[] content, int padding) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private final List<Map<String, String>> seen = new ArrayList<>();
    private final FastCgiConnection conn = new FastCgiConnection(params -> {
        seen.add(params);
        return ("Content-Type: text/plain\r\n\r\n" + params.getOrDefault("SCRIPT_NAME", "?")).getBytes(StandardCharsets.UTF_8);
    }, 128);

    static byte[] record(int type, int id, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FastCgiConnection.write(out, type, id, content);
        return out.toByteArray();
    }

    static byte[] begin(int id, int role, boolean keep) {
        return record(FastCgiConnection.BEGIN_REQUEST, id, new byte[] {0, (byte) role, (byte) (keep ? 1 : 0), 0, 0, 0, 0, 0});
    }

    /** BEGIN, PARAMS (in one record), empty PARAMS, empty STDIN: what cgi-fcgi and php-fpm_exporter send. */
    static byte[] request(int id, boolean keep, Map<String, String> params) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(begin(id, FastCgiConnection.RESPONDER, keep));
        out.writeBytes(record(FastCgiConnection.PARAMS, id, FastCgiConnection.encodePairs(params)));
        out.writeBytes(record(FastCgiConnection.PARAMS, id, new byte[0]));
        out.writeBytes(record(FastCgiConnection.STDIN, id, new byte[0]));
        return out.toByteArray();
    }

    static List<Rec> parse(ByteBuffer b) {
        List<Rec> out = new ArrayList<>();
        while (b.remaining() >= 8) {
            assertEquals(1, b.get() & 0xff, "version");
            int type = b.get() & 0xff;
            int id = ((b.get() & 0xff) << 8) | (b.get() & 0xff);
            int len = ((b.get() & 0xff) << 8) | (b.get() & 0xff);
            int pad = b.get() & 0xff;
            b.get();
            byte[] c = new byte[len];
            b.get(c);
            b.position(b.position() + pad);
            out.add(new Rec(type, id, c, pad));
        }
        assertEquals(0, b.remaining(), "whole records");
        return out;
    }

    private static String stdout(List<Rec> recs, int id) {
        StringBuilder b = new StringBuilder();
        for (Rec r : recs) {
            if (r.type() == FastCgiConnection.STDOUT && r.id() == id) {
                b.append(r.text());
            }
        }
        return b.toString();
    }

    @Test
    void answersOnceTheParamsEndWithStdoutItsEndAndEndRequest() {
        List<Rec> out = parse(conn.receive(ByteBuffer.wrap(request(1, false, Map.of("SCRIPT_NAME", "/status", "QUERY_STRING", "json")))));
        assertEquals(List.of(Map.of("SCRIPT_NAME", "/status", "QUERY_STRING", "json")), seen);
        assertEquals(3, out.size(), out.toString());
        assertEquals(FastCgiConnection.STDOUT, out.get(0).type());
        assertEquals("Content-Type: text/plain\r\n\r\n/status", out.get(0).text());
        assertEquals(0, (out.get(0).content().length + out.get(0).padding()) % 8, "padded to 8, as PHP-FPM");
        assertEquals(FastCgiConnection.STDOUT, out.get(1).type());
        assertEquals(0, out.get(1).content().length, "the empty STDOUT ends the stream");
        assertEquals(FastCgiConnection.END_REQUEST, out.get(2).type());
        assertEquals(1, out.get(2).id());
        assertEquals(8, out.get(2).content().length);
        assertEquals(FastCgiConnection.REQUEST_COMPLETE, out.get(2).content()[4]);
        assertTrue(conn.closeAfterWrite(), "no keep-conn: close after the answer");
        assertNull(conn.failed());
    }

    @Test
    void recordsSplitAnywhereAreReassembled() {
        byte[] all = request(7, false, Map.of("SCRIPT_NAME", "/ping", "LONG", "x".repeat(300)));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        for (byte b : all) {
            ByteBuffer out = conn.receive(ByteBuffer.wrap(new byte[] {b}));
            written.writeBytes(out.array());
        }
        List<Rec> out = parse(ByteBuffer.wrap(written.toByteArray()));
        assertEquals("Content-Type: text/plain\r\n\r\n/ping", stdout(out, 7));
        assertEquals("x".repeat(300), seen.get(0).get("LONG"), "a 4-byte value length");
    }

    @Test
    void paramsInSeveralRecordsAndStdinBeforeTheirEndAreFine() {
        byte[] pairs = FastCgiConnection.encodePairs(new LinkedHashMap<>(Map.of("SCRIPT_NAME", "/status")));
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.writeBytes(begin(2, FastCgiConnection.RESPONDER, false));
        in.writeBytes(record(FastCgiConnection.PARAMS, 2, java.util.Arrays.copyOfRange(pairs, 0, 5)));
        in.writeBytes(record(FastCgiConnection.STDIN, 2, "body".getBytes(StandardCharsets.UTF_8)));
        in.writeBytes(record(FastCgiConnection.PARAMS, 2, java.util.Arrays.copyOfRange(pairs, 5, pairs.length)));
        in.writeBytes(record(FastCgiConnection.PARAMS, 2, new byte[0]));
        assertEquals("Content-Type: text/plain\r\n\r\n/status", stdout(parse(conn.receive(ByteBuffer.wrap(in.toByteArray()))), 2));
    }

    @Test
    void keepConnServesOneRequestAfterAnother() {
        List<Rec> first = parse(conn.receive(ByteBuffer.wrap(request(1, true, Map.of("SCRIPT_NAME", "/a")))));
        assertFalse(conn.closeAfterWrite());
        List<Rec> second = parse(conn.receive(ByteBuffer.wrap(request(2, true, Map.of("SCRIPT_NAME", "/b")))));
        assertEquals("Content-Type: text/plain\r\n\r\n/a", stdout(first, 1));
        assertEquals("Content-Type: text/plain\r\n\r\n/b", stdout(second, 2));
        assertEquals(2, conn.answered());
        assertFalse(conn.closeAfterWrite());
    }

    @Test
    void refusesOtherRolesAndASecondRequestAtOnce() {
        List<Rec> authorizer = parse(conn.receive(ByteBuffer.wrap(begin(3, 2, true))));
        assertEquals(1, authorizer.size());
        assertEquals(FastCgiConnection.END_REQUEST, authorizer.get(0).type());
        assertEquals(FastCgiConnection.UNKNOWN_ROLE, authorizer.get(0).content()[4]);

        assertTrue(parse(conn.receive(ByteBuffer.wrap(begin(4, FastCgiConnection.RESPONDER, true)))).isEmpty());
        List<Rec> mpx = parse(conn.receive(ByteBuffer.wrap(begin(5, FastCgiConnection.RESPONDER, true))));
        assertEquals(FastCgiConnection.CANT_MPX_CONN, mpx.get(0).content()[4]);
        assertEquals(5, mpx.get(0).id());
        assertTrue(conn.inRequest(), "request 4 is still open");
    }

    @Test
    void abortEndsTheOpenRequest() {
        conn.receive(ByteBuffer.wrap(begin(9, FastCgiConnection.RESPONDER, false)));
        List<Rec> out = parse(conn.receive(ByteBuffer.wrap(record(FastCgiConnection.ABORT_REQUEST, 9, new byte[0]))));
        assertEquals(FastCgiConnection.END_REQUEST, out.get(0).type());
        assertEquals(9, out.get(0).id());
        assertTrue(seen.isEmpty());
        assertTrue(conn.closeAfterWrite());
    }

    @Test
    void managementRecords() {
        Map<String, String> asked = new LinkedHashMap<>();
        asked.put("FCGI_MAX_CONNS", "");
        asked.put("FCGI_MPXS_CONNS", "");
        asked.put("OTHER", "");
        List<Rec> values = parse(conn.receive(ByteBuffer.wrap(record(FastCgiConnection.GET_VALUES, 0, FastCgiConnection.encodePairs(asked)))));
        assertEquals(FastCgiConnection.GET_VALUES_RESULT, values.get(0).type());
        assertEquals(Map.of("FCGI_MAX_CONNS", "128", "FCGI_MPXS_CONNS", "0"), FastCgiConnection.decodePairs(values.get(0).content()));

        List<Rec> unknown = parse(conn.receive(ByteBuffer.wrap(record(42, 0, new byte[0]))));
        assertEquals(FastCgiConnection.UNKNOWN_TYPE, unknown.get(0).type());
        assertEquals(42, unknown.get(0).content()[0]);
        assertFalse(conn.closeAfterWrite());
    }

    @Test
    void protocolErrorsCloseTheConnection() {
        FastCgiConnection badVersion = new FastCgiConnection(p -> new byte[0], 1);
        badVersion.receive(ByteBuffer.wrap(new byte[] {2, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
        assertNotNull(badVersion.failed());
        assertTrue(badVersion.closeAfterWrite());

        FastCgiConnection big = new FastCgiConnection(p -> new byte[0], 1);
        big.receive(ByteBuffer.wrap(begin(1, FastCgiConnection.RESPONDER, true)));
        byte[] chunk = new byte[60000];
        for (int i = 0; i * chunk.length <= FastCgiConnection.MAX_PARAMS_BYTES && big.failed() == null; i++) {
            big.receive(ByteBuffer.wrap(record(FastCgiConnection.PARAMS, 1, chunk)));
        }
        assertNotNull(big.failed(), "params past the limit");

        FastCgiConnection garbled = new FastCgiConnection(p -> new byte[0], 1);
        garbled.receive(ByteBuffer.wrap(begin(1, FastCgiConnection.RESPONDER, true)));
        garbled.receive(ByteBuffer.wrap(record(FastCgiConnection.PARAMS, 1, new byte[] {(byte) 0x80, 0, 0})));
        garbled.receive(ByteBuffer.wrap(record(FastCgiConnection.PARAMS, 1, new byte[0])));
        assertNotNull(garbled.failed(), "a truncated length");
    }

    @Test
    void largeAnswersGoInSeveralStdoutRecords() {
        byte[] body = new byte[100_000];
        java.util.Arrays.fill(body, (byte) 'a');
        FastCgiConnection c = new FastCgiConnection(p -> body, 1);
        List<Rec> out = parse(c.receive(ByteBuffer.wrap(request(1, false, Map.of()))));
        assertEquals(new String(body, StandardCharsets.US_ASCII), stdout(out, 1));
        assertTrue(out.stream().filter(r -> r.type() == FastCgiConnection.STDOUT).count() >= 4);
    }
}
