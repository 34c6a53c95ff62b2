package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

class SpawnerTest {
    private static final Duration SETTLE = Duration.ofSeconds(5);
    /** glibc's internal RT32/RT33 stay SIG_IGN after posix_spawn (sigfillset excludes them). */
    private static final long GLIBC_INTERNAL_SIGNALS = (1L << 31) | (1L << 32);
    private static final int O_NONBLOCK = 04000;
    private static final String PYTHON = "/usr/bin/python3";

    private Children children;

    @BeforeEach
    void setUp() {
        children = new Children();
    }

    @AfterEach
    void tearDown() throws Exception {
        children.close();
    }

    @Test
    void reportsTheExitCode() throws Exception {
        var s = children.spawn("/bin/sh", "-c", "exit 3");
        assertEquals(new ExitStatus.Exited(3), s.awaitExit());
        assertTrue(s.child().reaped());
    }

    @Test
    void sigkillIsReportedAsSignaled() throws Exception {
        var s = children.spawn("sleep", "30");
        assertTrue(s.child().signal(Signals.SIGKILL));
        ExitStatus exit = s.awaitExit();
        assertEquals(new ExitStatus.Signaled(9, false), exit);
        assertEquals("exited on signal 9 (SIGKILL)", exit.describe());
    }

    @Test
    void signalAfterExitReturnsFalseWhetherZombieOrReaped() throws Exception {
        ChildProcess zombie = children.spawner.spawn(SpawnSpec.of(List.of("/bin/true"), Map.of()));
        try {
            Await.until(SETTLE, () -> !ProcFs.isAlive(zombie.pid()), () -> "pid " + zombie.pid() + " becomes a zombie");
            assertTrue(zombie.hasExited());
            assertFalse(zombie.signal(Signals.SIGTERM), "signal to an exited, unreaped child");
        } finally {
            var exit = new java.util.concurrent.CompletableFuture<ExitStatus>();
            children.reaper.watch(zombie, exit::complete);
            assertEquals(new ExitStatus.Exited(0), exit.get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(zombie.reaped());
        assertFalse(zombie.signal(Signals.SIGKILL), "signal to a reaped child");
        assertFalse(zombie.signal(Signals.SIGTERM));
    }

    @Test
    void aMissingProgramThrowsWithErrnoAndName() {
        NativeException e = assertThrows(NativeException.class,
                () -> children.spawner.spawn(SpawnSpec.of(List.of("jfpm-no-such-program"), Map.of("PATH", "/usr/bin:/bin"))));
        assertEquals(2, e.errno());
        assertEquals("posix_spawnp(jfpm-no-such-program)", e.call());
        assertEquals("posix_spawnp(jfpm-no-such-program): No such file or directory (errno 2)", e.getMessage());
    }

    @Test
    void childHasAnEmptyMaskDefaultDispositionsAndItsOwnProcessGroup() throws Exception {
        long quitBit = 1L << (Signals.SIGQUIT - 1);
        long usr1Bit = 1L << (Signals.SIGUSR1 - 1);
        assertTrue((hex(Files.readString(Path.of("/proc/thread-self/status")), "SigBlk") & quitBit) != 0,
                "precondition: this Java thread blocks SIGQUIT");
        SignalHandler previous = Signal.handle(new Signal("USR1"), SignalHandler.SIG_IGN);
        try {
            assertTrue((hex(ProcFs.status(ProcFs.selfPid()), "SigIgn") & usr1Bit) != 0, "precondition: the JVM ignores SIGUSR1");
            var s = children.spawn("sleep", "30");
            long pid = s.child().pid();
            Map<String, String> status = ProcFs.status(pid);
            assertEquals(0L, hex(status, "SigBlk"), "SigBlk of the child");
            assertEquals(0L, hex(status, "SigIgn") & ~GLIBC_INTERNAL_SIGNALS, "SigIgn of the child: " + status.get("SigIgn"));
            assertEquals(pid, pgid(pid), "pgid of the child");
            assertNotEquals(pgid(ProcFs.selfPid()), pgid(pid));
        } finally {
            Signal.handle(new Signal("USR1"), previous);
        }
    }

    @Test
    void listeningSocketOnFd0ServesConnectionsAndIsTheOnlyExtraFd() throws Exception {
        String server = String.join("\n",
                "import os, socket",
                "s = socket.socket(fileno=0)",
                "while True:",
                "    c, _ = s.accept()",
                "    c.sendall(('pid=%d family=%d blocking=%s\\n' % (os.getpid(), s.family, s.getblocking())).encode())",
                "    c.close()");
        try (ListenSocket ls = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 16, -1, null, null)) {
            var s = children.spawn(SpawnSpec.of(List.of(PYTHON, "-c", server), Map.of()).withStdin(ls.fd()));
            long pid = s.child().pid();
            for (int i = 0; i < 3; i++) {
                assertEquals("pid=" + pid + " family=2 blocking=True", request(ls.boundPort()));
            }
            Await.until(SETTLE, () -> ProcFs.openFds(pid).equals(List.of(0, 1, 2)),
                    () -> "child fds are exactly [0, 1, 2], got " + ProcFs.openFds(pid));
            int flags = Integer.parseInt(fdinfo(pid, 0, "flags"), 8);
            assertEquals(0, flags & O_NONBLOCK, "fd 0 of the child must stay blocking, flags " + Integer.toOctalString(flags));
            assertTrue(Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/0")).toString().startsWith("socket:"));
        }
    }

    @Test
    void closefromKeepsEveryJvmFdOutEvenWhileAnotherThreadOpensFds() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger opened = new AtomicInteger();
        Thread churn = new Thread(() -> {
            List<FileInputStream> open = new ArrayList<>();
            try {
                while (!stop.get()) {
                    open.add(new FileInputStream("/dev/null"));
                    opened.incrementAndGet();
                    if (open.size() > 8) {
                        open.remove(0).close();
                    }
                }
                for (FileInputStream f : open) {
                    f.close();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "fd-churn");
        churn.start();
        List<ChildProcess> spawned = new ArrayList<>();
        try {
            Await.until(SETTLE, () -> opened.get() > 100, () -> "the churn thread is opening fds");
            assertTrue(ProcFs.openFds(ProcFs.selfPid()).size() > 10, "precondition: the JVM has many fds open");
            for (int i = 0; i < 40; i++) {
                spawned.add(children.spawn("sleep", "30").child());
            }
        } finally {
            stop.set(true);
            churn.join();
        }
        for (ChildProcess c : spawned) {
            Await.until(SETTLE, () -> ProcFs.openFds(c.pid()).equals(List.of(0, 1, 2)),
                    () -> "pid " + c.pid() + " has exactly fds [0, 1, 2], got " + ProcFs.openFds(c.pid()));
        }
    }

    @Test
    void childGetsExactlyTheGivenEnvironmentAndDirectory(@TempDir Path dir) throws Exception {
        try (Pipe out = Pipe.open()) {
            var spec = new SpawnSpec(List.of("/bin/sh", "-c", "pwd; /usr/bin/env"), Map.of("A", "1", "JFPM_POOL", "www"),
                    -1, out.writeFd(), -1, dir, List.of());
            var s = children.spawn(spec);
            out.closeWriteEnd();
            String text = readAll(out);
            assertEquals(new ExitStatus.Exited(0), s.awaitExit());
            List<String> lines = new ArrayList<>(List.of(text.split("\n")));
            assertEquals(dir.toRealPath().toString(), lines.remove(0));
            lines.removeIf(l -> l.startsWith("PWD="));
            lines.sort(null);
            assertEquals(List.of("A=1", "JFPM_POOL=www"), lines);
        }
    }

    @Test
    void aMissingChdirFailsTheSpawnAndNamesTheDirectory(@TempDir Path dir) {
        Path missing = dir.resolve("missing");
        NativeException e = assertThrows(NativeException.class,
                () -> children.spawn(SpawnSpec.of(List.of("/bin/true"), Map.of()).withChdir(missing)));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().contains("chdir " + missing), e.getMessage());
    }

    @Test
    void aPrefixIsExecutedBeforeTheProgram() throws Exception {
        try (Pipe out = Pipe.open()) {
            var spec = SpawnSpec.of(List.of("/bin/echo", "hello"), Map.of())
                    .withPrefix(List.of("/usr/bin/env", "-i", "X=1"))
                    .withStdout(out.writeFd());
            var s = children.spawn(spec);
            out.closeWriteEnd();
            assertEquals("hello\n", readAll(out));
            assertEquals(new ExitStatus.Exited(0), s.awaitExit());
        }
    }

    private static String request(int port) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    static String readAll(Pipe pipe) {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[4096];
        for (int n; (n = pipe.read(buf, 0, buf.length)) > 0; ) {
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static long hex(String statusText, String field) {
        for (String line : statusText.split("\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseUnsignedLong(line.substring(field.length() + 1).trim(), 16);
            }
        }
        throw new AssertionError("no " + field + " in status");
    }

    private static long hex(Map<String, String> status, String field) {
        return Long.parseUnsignedLong(status.get(field), 16);
    }

    private static long pgid(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] afterComm = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(afterComm[2]);
    }

    private static String fdinfo(long pid, int fd, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + field + " in fdinfo " + fd);
    }
}
