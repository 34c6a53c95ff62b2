package org.jfpm.supervisor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * The training run of jfpm's class data sharing archive ({@code bin/jfpm --cds-archive}, run by the
 * build): starts a master in this JVM on a throw-away configuration (a static pool of one
 * {@code /bin/sleep}, an HTTP status server on a free loopback port, a FastCGI status socket in a
 * temporary directory), asks each status endpoint once, then stops it with SIGTERM as an operator
 * would. The JVM, started with {@code -XX:ArchiveClassesAtExit}, then archives every class that
 * start-up, a spawn, the status renderings and a graceful stop loaded.
 *
 * <p>Not a user command: it exits 0 when the master started and stopped cleanly, 1 otherwise.
 */
public final class CdsTraining {
    private static final long DEADLINE_MS = 30_000;

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("jfpm-cds-");
        int exit;
        try {
            exit = train(dir);
        } finally {
            deleteTree(dir);
        }
        System.exit(exit);
    }

    private static int train(Path dir) throws Exception {
        int port = freePort();
        Path fcgi = dir.resolve("status.sock");
        Path config = dir.resolve("jfpm.conf");
        Files.writeString(config, """
                jfpm {
                  scoreboard-dir = "%s"
                  log-level = warn
                  status.listen = "127.0.0.1:%d"
                  pools.train {
                    command = ["/bin/sleep", "60"]
                    listen = "unix:%s"
                    accounting = none
                    spawn-mode = exec
                    status-listen = "unix:%s"
                    pm { mode = static, max-children = 1 }
                  }
                }
                """.formatted(dir, port, dir.resolve("pool.sock"), fcgi));
        AtomicInteger exit = new AtomicInteger(-1);
        Thread master = new Thread(() -> exit.set(Main.run(new String[] {"--config", config.toString()}, System.out, System.err)),
                "cds-training-master");
        master.start();
        long deadline = System.currentTimeMillis() + DEADLINE_MS;
        for (String path : List.of("/status?json&full", "/status/train?full", "/status/train?xml&full",
                "/status/train?html&full", "/status/train?openmetrics", "/metrics", "/ping", "/api/pools",
                "/api/history?pool=train", "/")) {
            httpGet(port, path, deadline);
        }
        fastCgiStatus(fcgi);
        Signal.raise(new Signal("TERM"));
        master.join(DEADLINE_MS);
        return exit.get() == 0 ? 0 : 1;
    }

    /** GETs {@code path}, retrying until the status server answers 200 or {@code deadline} passes. */
    private static void httpGet(int port, String path, long deadline) throws IOException, InterruptedException {
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                if (answer.startsWith("HTTP/1.1 200")) {
                    return;
                }
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IOException("GET " + path + ": no 200 answer in time");
            }
            Thread.sleep(20);
        }
    }

    /** One FastCGI status request ({@code SCRIPT_NAME=/status}, {@code ?json}), as php-fpm-healthcheck sends it. */
    private static void fastCgiStatus(Path socket) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(ch);
            ByteArrayOutputStream params = new ByteArrayOutputStream();
            for (String[] kv : new String[][] {{"SCRIPT_NAME", "/status"}, {"SCRIPT_FILENAME", "/status"},
                    {"QUERY_STRING", "json"}, {"REQUEST_METHOD", "GET"}}) {
                params.write(kv[0].length());
                params.write(kv[1].length());
                params.write(kv[0].getBytes(StandardCharsets.US_ASCII));
                params.write(kv[1].getBytes(StandardCharsets.US_ASCII));
            }
            out.write(record(1, new byte[] {0, 1, 0, 0, 0, 0, 0, 0}));
            out.write(record(4, params.toByteArray()));
            out.write(record(4, new byte[0]));
            out.write(record(5, new byte[0]));
            out.flush();
            InputStream in = Channels.newInputStream(ch);
            in.readAllBytes();
        }
    }

    private static byte[] record(int type, byte[] content) {
        ByteBuffer b = ByteBuffer.allocate(8 + content.length);
        b.put((byte) 1).put((byte) type).putShort((short) 1).putShort((short) content.length).put((byte) 0).put((byte) 0);
        return b.put(content).array();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
