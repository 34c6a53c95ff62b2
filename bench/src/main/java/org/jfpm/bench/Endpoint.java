package org.jfpm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where a FastCGI server listens, spelled for each consumer: jfpm's HOCON, PHP-FPM's {@code listen},
 * nginx's {@code fastcgi_pass}. Readiness is read from {@code /proc/net}, never by connecting (a
 * connection would make an ondemand pool spawn).
 */
sealed interface Endpoint {

    record Tcp(int port) implements Endpoint {
        @Override
        public String jfpm() {
            return "127.0.0.1:" + port;
        }

        @Override
        public String phpFpm() {
            return "127.0.0.1:" + port;
        }

        @Override
        public String nginx() {
            return "127.0.0.1:" + port;
        }

        @Override
        public boolean isListening() {
            String local = String.format(Locale.ROOT, "0100007F:%04X", port);
            return lines("/proc/net/tcp").anyMatch(l -> {
                String[] f = l.trim().split("\\s+");
                return f.length > 3 && f[1].equals(local) && f[3].equals("0A");
            });
        }

        @Override
        public Connection connect() throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new Connection(s.getInputStream(), s.getOutputStream(), s);
        }
    }

    record Unix(Path path) implements Endpoint {
        @Override
        public String jfpm() {
            return "unix:" + path;
        }

        @Override
        public String phpFpm() {
            return path.toString();
        }

        @Override
        public String nginx() {
            return "unix:" + path;
        }

        /** A listening unix socket has the flag __SO_ACCEPTCON (0x10000) in /proc/net/unix. */
        @Override
        public boolean isListening() {
            String p = path.toString();
            return Files.exists(path) && lines("/proc/net/unix").anyMatch(l -> {
                String[] f = l.trim().split("\\s+");
                return f.length >= 8 && f[7].equals(p) && (Integer.parseInt(f[3], 16) & 0x10000) != 0;
            });
        }

        @Override
        public Connection connect() throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            SocketAddress a = UnixDomainSocketAddress.of(path);
            ch.connect(a);
            return new Connection(Channels.newInputStream(ch), Channels.newOutputStream(ch), ch);
        }
    }

    /** A connected stream; closing it closes the socket. */
    record Connection(java.io.InputStream in, java.io.OutputStream out, AutoCloseable socket) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                socket.close();
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    String jfpm();

    String phpFpm();

    String nginx();

    boolean isListening();

    Connection connect() throws IOException;

    /** A loopback TCP port that was free a moment ago. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("find a free loopback port: " + e.getMessage(), e);
        }
    }

    private static java.util.stream.Stream<String> lines(String file) {
        try {
            return Files.readAllLines(Path.of(file)).stream().skip(1);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }
}
