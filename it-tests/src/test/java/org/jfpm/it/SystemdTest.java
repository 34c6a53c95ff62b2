package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jfpm.scoreboard.FastCgiRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10.4, jfpm under systemd, with the real tools but without systemd as PID 1:
 * {@code systemd-socket-activate} passes the listening socket ({@code LISTEN_FDS}, {@code LISTEN_FDNAMES}),
 * and the test plays the service manager's notification socket ({@code NOTIFY_SOCKET}, a unix datagram
 * socket it binds itself, {@link NotifySocket}).
 */
class SystemdTest {

    private static final String POOL = "www";
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final Duration REQUEST = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Path script() throws Exception {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        return Files.writeString(docroot.resolve("hi.php"),
                "<?php echo 'hi from ', getmypid(), ' LISTEN_FDS=', getenv('LISTEN_FDS') ?: '-', ' NOTIFY_SOCKET=',"
                        + " getenv('NOTIFY_SOCKET') ?: '-', \"\\n\";\n");
    }

    private static String hi(InetSocketAddress address, Path script) {
        FastCgiRecords.Response r = FastCgi.request(address, FastCgiRecords.params(script.toString(), ""), REQUEST);
        assertTrue(r.body().startsWith("hi from "), "php-cgi answered: " + r.stdout() + r.stderr());
        return r.body().trim();
    }

    @Test
    void servesThroughTheSocketSystemdPassedAndEveryReloadKeepsIt() throws Exception {
        Path script = script();
        int port = Ports.free();
        InetSocketAddress passed = new InetSocketAddress("127.0.0.1", port);
        PoolSpec pool = PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(2).set("listen", "systemd:" + POOL);
        try (NotifySocket notify = new NotifySocket(tmp.resolve("notify"));
             Jfpm jfpm = Jfpm.in(tmp)
                     .wrappedIn(List.of("systemd-socket-activate", "-l", "127.0.0.1:" + port, "--fdname=" + POOL,
                             "-E", notify.variable()))
                     .pool(pool)
                     .startUntil("Listening on 127\\.0\\.0\\.1:" + port + " as 3")) {
            // systemd-socket-activate starts jfpm on the first connection: this request waits in the
            // passed socket's backlog while the JVM starts, then a worker serves it
            String first = hi(passed, script);
            assertTrue(first.endsWith("LISTEN_FDS=- NOTIFY_SOCKET=-"), "workers get neither variable: " + first);
            jfpm.awaitLog("systemd passed 1 socket\\(s\\): www \\(fd 3\\)", Duration.ofSeconds(5));
            jfpm.awaitLog("\\[pool www\\] listen = systemd:www: fd 3, passed by systemd", Duration.ofSeconds(5));
            notify.await(0, m -> m.has("READY=1"), Duration.ofSeconds(30), "READY=1");

            String socket = Procs.fdTarget(jfpm.pid(), 3);
            assertTrue(socket.startsWith("socket:["), "fd 3 of the master: " + socket);
            int flags = Procs.fdFlags(jfpm.pid(), 3);
            assertEquals(O_CLOEXEC, flags & O_CLOEXEC, "jfpm marked the passed socket close-on-exec");
            assertEquals(0, flags & O_NONBLOCK, "and it is blocking");
            Set<Long> workers = jfpm.awaitWorkers(POOL, 2, "LISTEN_PID", null, Duration.ofSeconds(20));
            for (long w : workers) {
                assertEquals(socket, Procs.fdTarget(w, 0), "worker " + w + " accepts on the passed socket as its fd 0");
                Map<String, String> env = Procs.environ(w);
                for (String v : List.of("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET")) {
                    assertFalse(env.containsKey(v), v + " in worker " + w + "'s environment");
                }
            }

            // a reload that changes the pool: a new generation on the same passed socket
            jfpm.rewrite(b -> pool.pm("max-children", 3));
            int mark = jfpm.hup();
            jfpm.awaitLogSince(mark, "\\[pool www\\] generation 1 drained", Duration.ofSeconds(20));
            hi(passed, script);
            assertEquals(socket, Procs.fdTarget(jfpm.pid(), 3), "the same socket after the reload");
            for (long w : jfpm.awaitWorkers(POOL, 3, "LISTEN_PID", null, Duration.ofSeconds(20))) {
                assertEquals(socket, Procs.fdTarget(w, 0));
            }

            // a reload that moves the pool elsewhere gives its last lease on the socket back: jfpm keeps it open
            int elsewhere = Ports.free();
            jfpm.rewrite(b -> pool.set("listen", "127.0.0.1:" + elsewhere));
            mark = jfpm.hup();
            jfpm.awaitLogSince(mark, "\\[pool www\\] generation 2 drained", Duration.ofSeconds(20));
            hi(new InetSocketAddress("127.0.0.1", elsewhere), script);
            assertEquals(socket, Procs.fdTarget(jfpm.pid(), 3), "fd 3 stays open with no pool on it");

            // ... and still queues connections (nobody accepts them now) ...
            java.util.concurrent.CompletableFuture<String> queued =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> hi(passed, script));
            Poll.until(() -> Procs.tcpAcceptQueue(port) == 1, Duration.ofSeconds(10), "a connection queued on the passed socket");
            assertFalse(queued.isDone(), "nobody serves the passed socket now");

            // ... so a reload that names it again serves on it, the queued connection included
            jfpm.rewrite(b -> pool.set("listen", "systemd:" + POOL));
            mark = jfpm.hup();
            assertTrue(queued.get(30, java.util.concurrent.TimeUnit.SECONDS).startsWith("hi from "));
            jfpm.awaitLogSince(mark, "\\[pool www\\] generation 3 drained", Duration.ofSeconds(20));
            hi(passed, script);
            assertEquals(socket, Procs.fdTarget(jfpm.pid(), 3));
            for (long w : jfpm.awaitWorkers(POOL, 3, "LISTEN_PID", null, Duration.ofSeconds(20))) {
                assertEquals(socket, Procs.fdTarget(w, 0), "generation 4 is back on the passed socket");
            }

            jfpm.signal("TERM");
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)));
        }
    }

    @Test
    void notifiesReadyReloadingStatusWatchdogAndStopping() throws Exception {
        Path script = script();
        try (NotifySocket notify = new NotifySocket(tmp.resolve("notify"));
             Jfpm jfpm = Jfpm.in(tmp)
                     .wrappedIn(List.of("env", notify.variable(), "WATCHDOG_USEC=1000000"))
                     .pool(PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(2))
                     .start()) {
            NotifySocket.Message ready = notify.await(0, m -> m.has("READY=1"), Duration.ofSeconds(10), "READY=1");
            assertTrue(ready.field("STATUS").isPresent(), "READY=1 carries a status: " + ready.text());
            jfpm.awaitLog("notifying the service manager at " + notify.path() + " \\(watchdog: WATCHDOG=1 every 500 ms\\)",
                    Duration.ofSeconds(1));
            notify.await(0, m -> m.text().equals("STATUS=1 pool, 2 idle, 0 active"), Duration.ofSeconds(15),
                    "STATUS= with the pool's counts");

            // WATCHDOG=1 every WATCHDOG_USEC/2
            int w0 = notify.messages().size();
            Poll.sleep(Duration.ofMillis(3200));
            List<NotifySocket.Message> pings = notify.since(w0).stream().filter(m -> m.text().equals("WATCHDOG=1")).toList();
            assertTrue(pings.size() >= 3 && pings.size() <= 9, "~6 pings in 3.2 s at 500 ms:" + NotifySocket.render(pings));

            // workers do not get the variables
            for (Map<String, String> env : jfpm.workers(POOL).values()) {
                assertFalse(env.containsKey("NOTIFY_SOCKET") || env.containsKey("WATCHDOG_USEC"), env.toString());
            }
            assertTrue(hi((InetSocketAddress) jfpm.pool(POOL).address(), script)
                    .endsWith("NOTIFY_SOCKET=-"));

            // a reload: RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC, which is what System.nanoTime reads here), then READY=1
            int mark = notify.messages().size();
            long before = System.nanoTime() / 1000;
            jfpm.rewrite(b -> jfpm.pool(POOL).pm("max-children", 3));
            jfpm.hup();
            NotifySocket.Message reloading = notify.await(mark, m -> m.has("RELOADING=1"), Duration.ofSeconds(10), "RELOADING=1");
            long monotonic = Long.parseLong(reloading.field("MONOTONIC_USEC").orElseThrow(
                    () -> new AssertionError("no MONOTONIC_USEC in " + reloading.text())));
            assertTrue(monotonic >= before && monotonic <= System.nanoTime() / 1000, monotonic + " vs " + before);
            int at = notify.messages().indexOf(reloading);
            notify.await(at + 1, m -> m.has("READY=1"), Duration.ofSeconds(10), "READY=1 after RELOADING=1");
            notify.await(at + 1, m -> m.text().equals("STATUS=1 pool, 3 idle, 0 active"), Duration.ofSeconds(20),
                    "the new counts");

            // a rejected reload: RELOADING=1 and READY=1 again, and the status says so
            mark = notify.messages().size();
            jfpm.rewriteRaw(jfpm.hocon().replace("max-children = 3", "max-children = -1"));
            jfpm.hup();
            NotifySocket.Message rejected = notify.await(mark, m -> m.has("RELOADING=1"), Duration.ofSeconds(10),
                    "RELOADING=1 for the rejected reload");
            at = notify.messages().indexOf(rejected);
            NotifySocket.Message back = notify.await(at + 1, m -> m.has("READY=1"), Duration.ofSeconds(10),
                    "READY=1 after the rejected reload");
            assertTrue(back.field("STATUS").orElse("").matches(".*; last reload rejected: \\d+ error\\(s\\) in the configuration"),
                    back.text());

            mark = notify.messages().size();
            jfpm.signal("TERM");
            notify.await(mark, m -> m.has("STOPPING=1"), Duration.ofSeconds(10), "STOPPING=1");
            assertEquals(0, jfpm.awaitExit(Duration.ofSeconds(20)));
            List<String> order = notify.since(mark).stream().map(NotifySocket.Message::text)
                    .filter(t -> !t.equals("WATCHDOG=1")).toList();
            assertTrue(order.get(0).startsWith("STOPPING=1\nSTATUS=stopping (graceful)"), order.toString());
            assertTrue(order.stream().noneMatch(t -> t.contains("READY=1")), "nothing ready after STOPPING=1: " + order);
        }
    }

    @Test
    void aWatchdogMeantForAnotherPidSendsNoPings() throws Exception {
        try (NotifySocket notify = new NotifySocket(tmp.resolve("notify"));
             Jfpm jfpm = Jfpm.in(tmp)
                     .wrappedIn(List.of("env", notify.variable(), "WATCHDOG_USEC=200000", "WATCHDOG_PID=1"))
                     .pool(PoolSpec.named(POOL, Workers.python(), "none").staticPm(1))
                     .start()) {
            notify.await(0, m -> m.has("READY=1"), Duration.ofSeconds(10), "READY=1");
            Poll.sleep(Duration.ofSeconds(1));
            assertTrue(notify.messages().stream().noneMatch(m -> m.has("WATCHDOG=1")),
                    "no ping for WATCHDOG_PID=1:" + NotifySocket.render(notify.messages()));
        }
    }

    @Test
    void aSystemdListenWithoutSuchASocketIsAConfigurationError() throws Exception {
        int port = Ports.free();
        PoolSpec pool = PoolSpec.named(POOL, Workers.python(), "none").staticPm(1).set("listen", "systemd:nope");

        // no socket at all: exit 78 before anything starts, naming the key
        Jfpm.Builder alone = Jfpm.in(tmp).pool(pool);
        Path config = alone.writeConfig();
        Jfpm.Cli run = alone.run(Duration.ofSeconds(30), "--config", config.toString());
        assertEquals(78, run.exitCode(), run.output());
        assertTrue(run.output().contains("ERROR: jfpm.pools.www.listen = \"systemd:nope\": expected a socket passed by"
                + " systemd named 'nope', but no socket was passed (LISTEN_FDS is not set"), run.output());
        // --test outside the service checks the syntax only: it has no sockets of its own
        Jfpm.Cli test = alone.run(Duration.ofSeconds(30), "--config", alone.writeConfig().toString(), "--test");
        assertEquals(0, test.exitCode(), test.output());

        // another name passed: exit 78 listing what was passed
        try (Jfpm jfpm = Jfpm.in(tmp)
                .wrappedIn(List.of("systemd-socket-activate", "-l", "127.0.0.1:" + port, "--fdname=www"))
                .pool(pool)
                .startUntil("Listening on 127\\.0\\.0\\.1:" + port + " as 3")) {
            try (java.net.Socket wake = new java.net.Socket("127.0.0.1", port)) {
                assertEquals(78, jfpm.awaitExit(Duration.ofSeconds(30)));
            }
            jfpm.awaitLog("ERROR: jfpm.pools.www.listen = \"systemd:nope\": expected a socket passed by systemd named"
                    + " 'nope', but LISTEN_FDNAMES names www \\(fd 3\\)", Duration.ofSeconds(1));
        }
    }
}
