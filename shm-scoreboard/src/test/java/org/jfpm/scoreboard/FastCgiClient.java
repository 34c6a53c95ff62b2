package org.jfpm.scoreboard;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A minimal FastCGI responder client (one request at a time, optionally on a kept-alive connection),
 * enough to drive php-cgi from a test. Records are deliberately written one small write at a time
 * when {@code dribble} is set, so the worker reads them in pieces.
 */
final class FastCgiClient implements AutoCloseable {
    private static final int MAX_CONTENT = 65528;
    private static final int BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, STDERR = 7;

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final boolean dribble;

    FastCgiClient(int port, boolean dribble) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        this.dribble = dribble;
    }

    /** Sends BEGIN_REQUEST + PARAMS + STDIN (no response read yet). */
    void send(Map<String, String> params, byte[] body, boolean keepConn) throws IOException {
        record(BEGIN_REQUEST, new byte[] {0, 1, (byte) (keepConn ? 1 : 0), 0, 0, 0, 0, 0});
        ByteArrayOutputStream pairs = new ByteArrayOutputStream();
        for (Map.Entry<String, String> e : params.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            length(pairs, k.length);
            length(pairs, v.length);
            pairs.write(k);
            pairs.write(v);
        }
        byte[] p = pairs.toByteArray();
        // php-cgi wants every pair inside one record: cut only when the records must be cut
        for (int off = 0; off < p.length; off += MAX_CONTENT) {
            record(PARAMS, java.util.Arrays.copyOfRange(p, off, Math.min(p.length, off + MAX_CONTENT)));
        }
        record(PARAMS, new byte[0]);
        if (body.length > 0) {
            record(STDIN, body);
        }
        record(STDIN, new byte[0]);
        out.flush();
    }

    /** Reads STDOUT until END_REQUEST; returns the STDOUT bytes as text (headers included). */
    String response() throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        while (true) {
            byte[] h = new byte[8];
            in.readFully(h);
            int len = ((h[4] & 0xff) << 8) | (h[5] & 0xff);
            byte[] content = new byte[len];
            in.readFully(content);
            in.skipNBytes(h[6] & 0xff);
            switch (h[1]) {
                case STDOUT -> stdout.write(content);
                case STDERR -> { }
                case END_REQUEST -> {
                    return stdout.toString(StandardCharsets.UTF_8);
                }
                default -> throw new IOException("unexpected FastCGI record type " + h[1]);
            }
        }
    }

    String request(Map<String, String> params, byte[] body, boolean keepConn) throws IOException {
        send(params, body, keepConn);
        return response();
    }

    /** True once the worker has closed its end (read returns EOF). */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException e) {
            return true;
        }
    }

    private void record(int type, byte[] content) throws IOException {
        int pad = (8 - content.length % 8) % 8;
        byte[] rec = new byte[8 + content.length + pad];
        rec[0] = 1;
        rec[1] = (byte) type;
        rec[3] = 1;
        rec[4] = (byte) (content.length >> 8);
        rec[5] = (byte) content.length;
        rec[6] = (byte) pad;
        System.arraycopy(content, 0, rec, 8, content.length);
        if (dribble) {
            for (int off = 0; off < rec.length; off += 3) {
                out.write(rec, off, Math.min(3, rec.length - off));
                out.flush();
            }
        } else {
            out.write(rec);
        }
    }

    private static void length(ByteArrayOutputStream o, int len) {
        if (len < 128) {
            o.write(len);
        } else {
            o.write(0x80 | (len >>> 24));
            o.write(len >>> 16);
            o.write(len >>> 8);
            o.write(len);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
