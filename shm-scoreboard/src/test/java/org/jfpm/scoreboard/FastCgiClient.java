package org.jfpm.scoreboard;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/**
 * A FastCGI connection to a worker (one request at a time, optionally kept alive), enough to drive
 * php-cgi from a test; the wire format is {@link FastCgiRecords}. With {@code dribble} the request
 * goes out three bytes per write, so the worker reads its records in pieces.
 */
final class FastCgiClient implements AutoCloseable {
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

    /** Sends BEGIN_REQUEST + PARAMS + STDIN (no response read yet); dribbled 3 bytes per write when asked. */
    void send(Map<String, String> params, byte[] body, boolean keepConn) throws IOException {
        byte[] req = FastCgiRecords.request(params, body, keepConn);
        if (dribble) {
            for (int off = 0; off < req.length; off += 3) {
                out.write(req, off, Math.min(3, req.length - off));
                out.flush();
            }
        } else {
            out.write(req);
        }
        out.flush();
    }

    /** Reads the answer up to END_REQUEST; returns the STDOUT bytes as text (headers included). */
    String response() throws IOException {
        return FastCgiRecords.readResponse(in).stdout();
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

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
