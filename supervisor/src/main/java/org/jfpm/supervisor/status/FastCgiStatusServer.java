package org.jfpm.supervisor.status;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import org.jfpm.os.ListenAddress;
import org.jfpm.supervisor.config.FastCgiStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's FastCGI status server: the pools' {@code status-listen} sockets (TCP or unix), on
 * one thread of its own ({@code jfpm-fcgi-status}, a {@link Selector} over every socket and
 * connection), so a status request never waits for a worker, an actor or the HTTP status server.
 * Each request is answered on that thread as soon as its params have arrived: the pool's status is
 * read from its published roster and scoreboard ({@link PoolLookup}) and rendered
 * at once (a few hundred µs for 500 workers).
 *
 * <p>Sockets: {@link #apply} binds what the configuration adds or moves (on the caller's thread, so a
 * failure is the caller's: {@link BindException} names the pool), closes what it removes, and changes
 * the routes of an unchanged address in place. A unix socket is bound under a temporary name beside
 * its path, given the pool's {@code listen-mode} (and owner and group), then renamed onto the path,
 * so it never accepts a connection with other permissions; an old socket file there is replaced (a
 * file that is not a socket is refused), and the file is removed when the socket closes.
 *
 * <p>Limits, so clients cannot hurt the master: at most {@value #MAX_CONNECTIONS} connections
 * (more are closed at once), {@value #IDLE_TIMEOUT_MS} ms without a byte closes a connection, params
 * of one request at most {@link FastCgiConnection#MAX_PARAMS_BYTES}.
 *
 * <p>Thread-safety: {@link #apply} and {@link #close} from any one thread at a time.
 */
public final class FastCgiStatusServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FastCgiStatusServer.class);

    /** Reads one pool's status now, on the caller's thread (never blocking); empty when no such pool is running. */
    @FunctionalInterface
    public interface PoolLookup {
        Optional<org.jfpm.pool.PoolStatus> read(String pool);
    }

    static final int MAX_CONNECTIONS = 128;
    static final long IDLE_TIMEOUT_MS = 10_000;
    /** How often idle and lingering connections are looked at while any is open. */
    private static final long EXPIRE_CHECK_MS = 1000;
    /** After the answer without keep-conn: how long to read what the client still sends before closing. */
    private static final long LINGER_MS = 1_000;

    /** One bound status-listen. */
    private static final class Endpoint {
        final ListenAddress address;
        final ServerSocketChannel channel;
        final Object unixFileKey;
        final FastCgiStatus config;
        volatile FastCgiStatusPage.Routes routes;

        Endpoint(FastCgiStatus config, ServerSocketChannel channel, Object unixFileKey) {
            this.config = config;
            this.address = config.listen().orElseThrow();
            this.channel = channel;
            this.unixFileKey = unixFileKey;
            this.routes = routes(config);
        }

        static FastCgiStatusPage.Routes routes(FastCgiStatus c) {
            return new FastCgiStatusPage.Routes(c.pool(), c.statusPath(), c.pingPath(), c.pingResponse());
        }
    }

    /** One accepted connection. */
    private static final class Conn {
        final SocketChannel channel;
        final FastCgiConnection protocol;
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        final List<ByteBuffer> out = new ArrayList<>();
        long lastActivityMs;
        long lingerUntilMs; // > 0: output shut, draining input until EOF or this time
        boolean dropped;

        Conn(SocketChannel channel, FastCgiConnection protocol, long now) {
            this.channel = channel;
            this.protocol = protocol;
            this.lastActivityMs = now;
        }
    }

    private final PoolLookup pools;
    private final ZoneId zone;
    private final Selector selector;
    private final Thread thread;
    private final Map<String, Endpoint> byPool = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private int connections;
    private volatile boolean closed;

    private FastCgiStatusServer(PoolLookup pools, ZoneId zone) throws IOException {
        this.pools = pools;
        this.zone = zone;
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "jfpm-fcgi-status");
        thread.setDaemon(true);
    }

    /** A server with no socket yet: add them with {@link #apply}. */
    public static FastCgiStatusServer start(PoolLookup pools, ZoneId zone) {
        try {
            FastCgiStatusServer s = new FastCgiStatusServer(pools, zone);
            s.thread.start();
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("FastCGI status server: cannot open a selector: " + e, e);
        }
    }

    /** A failure to bind one pool's status-listen. */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient FastCgiStatus status;

        Unavailable(FastCgiStatus status, String reason, Throwable cause) {
            super(FastCgiStatus.listenKey(status.pool()) + " = \"" + status.listen().orElseThrow() + "\": " + reason, cause);
            this.status = status;
        }

        public FastCgiStatus status() {
            return status;
        }

        /** The reason alone, without the key and address. */
        public String reason() {
            String m = getMessage();
            return m.substring(m.indexOf("\": ") + 3);
        }
    }

    /**
     * Makes the bound sockets those of {@code wanted} (pools without status-listen are ignored):
     * sockets of pools no longer listed, or whose address or socket settings changed, are closed;
     * new ones are bound; an unchanged address keeps its socket and takes the new paths and ping
     * response. With {@code failFast}, the first socket that cannot be bound stops it with
     * {@link Unavailable} (start-up); otherwise each failure is logged and the rest applied (reload).
     *
     * @return the failures (empty with {@code failFast}, which throws instead)
     */
    public List<Unavailable> apply(List<FastCgiStatus> wanted, boolean failFast) {
        Map<String, FastCgiStatus> next = new LinkedHashMap<>();
        for (FastCgiStatus s : wanted) {
            if (s.listen().isPresent()) {
                next.put(s.pool(), s);
            }
        }
        for (Endpoint e : List.copyOf(byPool.values())) {
            FastCgiStatus n = next.get(e.config.pool());
            if (n == null || !sameSocket(e.config, n)) {
                byPool.remove(e.config.pool());
                closeEndpoint(e);
                LOG.info("[pool {}] status-listen {} closed", e.config.pool(), e.address);
            }
        }
        List<Unavailable> failures = new ArrayList<>();
        for (FastCgiStatus n : next.values()) {
            Endpoint e = byPool.get(n.pool());
            if (e != null) {
                e.routes = Endpoint.routes(n);
                continue;
            }
            try {
                Endpoint bound = bind(n);
                byPool.put(n.pool(), bound);
                submit(() -> register(bound));
                LOG.info("[pool {}] status over FastCGI on {} (status-path {}, ping-path {})", n.pool(), bound.address,
                        n.statusPath().isEmpty() ? "off" : n.statusPath(), n.pingPath().isEmpty() ? "off" : n.pingPath());
            } catch (Unavailable u) {
                if (failFast) {
                    throw u;
                }
                LOG.error("[pool {}] {}; the pool has no status socket", n.pool(), u.getMessage());
                failures.add(u);
            }
        }
        return failures;
    }

    /** The bound local address of a pool's status-listen (TCP: the port chosen for port 0), if bound. */
    public Optional<java.net.SocketAddress> localAddress(String pool) {
        Endpoint e = byPool.get(pool);
        try {
            return e == null ? Optional.empty() : Optional.ofNullable(e.channel.getLocalAddress());
        } catch (IOException ex) {
            return Optional.empty();
        }
    }

    private static boolean sameSocket(FastCgiStatus a, FastCgiStatus b) {
        return a.listen().equals(b.listen()) && a.backlog() == b.backlog() && a.unixMode() == b.unixMode()
                && a.unixOwner().equals(b.unixOwner()) && a.unixGroup().equals(b.unixGroup());
    }

    /** Stops the thread and closes every socket and connection (waits up to 2 s for the thread). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Endpoint e : List.copyOf(byPool.values())) {
            closeEndpoint(e);
        }
        byPool.clear();
    }

    // ---- binding ---------------------------------------------------------------------------------

    private static Endpoint bind(FastCgiStatus s) {
        ListenAddress address = s.listen().orElseThrow();
        if (address instanceof ListenAddress.Tcp tcp) {
            ServerSocketChannel ch = null;
            try {
                ch = ServerSocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.bind(new InetSocketAddress(tcp.host(), tcp.port()), s.backlog());
                ch.configureBlocking(false);
                return new Endpoint(s, ch, null);
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw new Unavailable(s, reason(e), e);
            }
        }
        return bindUnix(s, ((ListenAddress.Unix) address).path());
    }

    private static Endpoint bindUnix(FastCgiStatus s, Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((mode & 0170000) != 0140000) {
                throw new Unavailable(s, path + " exists and is not a socket; refusing to replace it", null);
            }
        } catch (java.nio.file.NoSuchFileException absent) {
            // the usual case
        } catch (IOException e) {
            throw new Unavailable(s, "cannot stat " + path + ": " + e.getMessage(), e);
        }
        Path temp = path.resolveSibling("." + path.getFileName() + ".jfpm-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean viaTemp = temp.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 107;
        Path bindPath = viaTemp ? temp : path;
        ServerSocketChannel ch = null;
        try {
            if (!viaTemp) {
                Files.deleteIfExists(path);
            }
            ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            ch.bind(UnixDomainSocketAddress.of(bindPath), s.backlog());
            // following links: with NOFOLLOW_LINKS the JDK opens the file to fchmod it, which a socket refuses (ENXIO);
            // the path is the socket just bound, under a random name
            PosixFileAttributeView view = Files.getFileAttributeView(bindPath, PosixFileAttributeView.class);
            view.setPermissions(permissions(s.unixMode()));
            UserPrincipalLookupService users = bindPath.getFileSystem().getUserPrincipalLookupService();
            if (!s.unixOwner().isEmpty()) {
                view.setOwner(users.lookupPrincipalByName(s.unixOwner()));
            }
            if (!s.unixGroup().isEmpty()) {
                view.setGroup(users.lookupPrincipalByGroupName(s.unixGroup()));
            }
            if (viaTemp) {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            ch.configureBlocking(false);
            return new Endpoint(s, ch, key);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            try {
                Files.deleteIfExists(bindPath);
            } catch (IOException ignored) {
                // best effort
            }
            throw e instanceof Unavailable u ? u : new Unavailable(s, reason(e), e);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                p.add(bits[i]);
            }
        }
        return p;
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        if (e instanceof BindException || m == null) {
            return m == null ? e.toString() : Character.toLowerCase(m.charAt(0)) + m.substring(1);
        }
        return m;
    }

    /**
     * Closes a socket on the selector thread and waits for it (up to 2 s): a channel registered with
     * a selector is really closed only when the selector deregisters it, and a reload that rebinds the
     * same address right after needs it closed.
     */
    private void closeEndpoint(Endpoint e) {
        if (thread.isAlive() && Thread.currentThread() != thread) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            submit(() -> {
                try {
                    closeNow(e);
                } finally {
                    done.complete(null);
                }
            });
            try {
                done.get(2, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException ex) {
                LOG.warn("FastCGI status: closing {} on its thread: {}", e.address, ex.toString());
            }
        }
        closeNow(e);
    }

    private void closeNow(Endpoint e) {
        SelectionKey k = e.channel.keyFor(selector);
        if (k != null) {
            k.cancel();
        }
        closeQuietly(e.channel);
        if (k != null && Thread.currentThread() == thread && selector.isOpen()) {
            try {
                selector.selectNow(); // deregisters the cancelled key: the fd is closed now
            } catch (IOException ignored) {
                // the next select deregisters it
            }
        }
        if (e.address instanceof ListenAddress.Unix unix) {
            try {
                Object key = Files.readAttributes(unix.path(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                if (Objects.equals(key, e.unixFileKey)) {
                    Files.deleteIfExists(unix.path());
                }
            } catch (IOException ignored) {
                // gone already, or replaced by another socket: left alone
            }
        }
    }

    // ---- the selector thread --------------------------------------------------------------------

    private void submit(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void register(Endpoint e) {
        try {
            e.channel.register(selector, SelectionKey.OP_ACCEPT, e);
        } catch (ClosedChannelException gone) {
            // closed by a later apply before it was registered
        }
    }

    private void run() {
        try {
            while (!closed) {
                selector.select(connections > 0 ? EXPIRE_CHECK_MS : 0); // no connection: nothing to expire, sleep
                for (Runnable t; (t = tasks.poll()) != null; ) {
                    t.run();
                }
                long now = System.currentTimeMillis();
                var it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept((Endpoint) key.attachment(), now);
                        } else {
                            io(key, (Conn) key.attachment(), now);
                        }
                    } catch (IOException | RuntimeException e) {
                        if (key.attachment() instanceof Conn c) {
                            LOG.debug("FastCGI status connection closed: {}", e.toString());
                            drop(key, c);
                        } else {
                            LOG.warn("FastCGI status: accept failed: {}", e.toString());
                        }
                    }
                }
                expire(now);
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("FastCGI status server stopped: {}", e.toString(), e);
        } finally {
            for (SelectionKey k : selector.keys()) {
                if (k.attachment() instanceof Conn c) {
                    closeQuietly(c.channel);
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void accept(Endpoint e, long now) throws IOException {
        for (int i = 0; i < 64; i++) {
            SocketChannel ch = e.channel.accept();
            if (ch == null) {
                return;
            }
            if (connections >= MAX_CONNECTIONS) {
                LOG.warn("[pool {}] status-listen: {} connections open, closing a new one", e.config.pool(), connections);
                closeQuietly(ch);
                continue;
            }
            ch.configureBlocking(false);
            FastCgiConnection protocol = new FastCgiConnection(
                    params -> FastCgiStatusPage.respond(e.routes, params, pools, zone), MAX_CONNECTIONS);
            Conn c = new Conn(ch, protocol, now);
            ch.register(selector, SelectionKey.OP_READ, c);
            connections++;
        }
    }

    private void io(SelectionKey key, Conn c, long now) throws IOException {
        if (key.isWritable()) {
            flush(key, c);
        }
        if (!key.isValid() || !key.isReadable()) {
            return;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            drop(key, c); // the client is gone, or done after our answer
            return;
        }
        c.lastActivityMs = now;
        c.in.flip();
        if (c.lingerUntilMs > 0 || c.protocol.closeAfterWrite()) {
            c.in.clear(); // draining what the client still sends after the answer
            return;
        }
        ByteBuffer answer = c.protocol.receive(c.in);
        c.in.clear();
        if (c.protocol.failed() != null) {
            LOG.debug("FastCGI status: {}; closing the connection", c.protocol.failed());
        }
        if (answer.hasRemaining()) {
            c.out.add(answer);
        }
        flush(key, c);
    }

    private void flush(SelectionKey key, Conn c) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer b = c.out.get(0);
            c.channel.write(b);
            if (b.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            c.out.remove(0);
        }
        key.interestOps(SelectionKey.OP_READ);
        if (c.protocol.closeAfterWrite() && c.lingerUntilMs == 0) {
            if (c.protocol.failed() != null) {
                drop(key, c);
                return;
            }
            // as PHP's fastcgi.c: shut our side, read what the client still sends (its empty
            // FCGI_STDIN), then close, so no reset can discard the answer
            c.channel.shutdownOutput();
            c.lingerUntilMs = System.currentTimeMillis() + LINGER_MS;
        }
    }

    private void expire(long now) {
        for (SelectionKey k : selector.keys()) {
            if (k.attachment() instanceof Conn c && k.isValid()
                    && ((c.lingerUntilMs > 0 && now > c.lingerUntilMs) || now - c.lastActivityMs > IDLE_TIMEOUT_MS)) {
                drop(k, c);
            }
        }
    }

    private void drop(SelectionKey key, Conn c) {
        if (c.dropped) {
            return;
        }
        c.dropped = true;
        key.cancel();
        closeQuietly(c.channel);
        connections--;
    }

    private static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
