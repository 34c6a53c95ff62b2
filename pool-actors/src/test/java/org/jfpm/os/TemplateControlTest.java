package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PreloadLibrary;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real template: a python accept loop with the preload library, its scoreboard on fd 3 and its
 * control socket on fd 4. It announces itself at its first accept, never accepts, takes the name
 * {@code jfpm-template}, and forks children of this JVM that claim their own slot, keep the
 * program's name and serve connections.
 */
class TemplateControlTest {

    /** Answers "pid SLOT" on every connection. */
    private static final String LOOP = String.join("\n",
            "import os, socket",
            "s = socket.socket(fileno=0)",
            "while True:",
            "    c, _ = s.accept()",
            "    c.recv(100)",
            "    c.sendall(('%d %s' % (os.getpid(), os.environ.get('JFPM_SLOT', '-'))).encode())",
            "    c.close()");
    private static final String THREADED = String.join("\n",
            "import os, socket, threading, time",
            "threading.Thread(target=lambda: time.sleep(60), daemon=True).start()",
            "s = socket.socket(fileno=0)",
            "s.accept()");

    @TempDir
    Path dir;
    private Children children;
    private ListenSocket listener;
    private Scoreboard board;
    private TemplateControl control;

    @BeforeEach
    void setUp() {
        children = new Children();
        listener = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 16, -1, null, null);
        board = Scoreboard.create(dir, "tpl", PmMode.DYNAMIC, Accounting.PRELOAD, 4, 4);
        control = TemplateControl.open();
    }

    @AfterEach
    void tearDown() {
        control.close();
        children.close();
        listener.close();
        board.delete();
    }

    private Children.Spawned template(String script) throws IOException {
        Path lib = PreloadLibrary.extract(dir.resolve("lib"));
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "LD_PRELOAD", lib.toString(),
                "JFPM_SCOREBOARD", board.path().toString(), "JFPM_SCOREBOARD_FD", "3", "JFPM_TEMPLATE_FD", "4");
        SpawnSpec spec = new SpawnSpec(List.of("/usr/bin/python3", "-S", "-c", script), env, listener.fd(), -1, -1,
                null, List.of(), List.of(board.fd(), control.childEnd()));
        Children.Spawned t = children.spawn(spec);
        control.closeChildEnd();
        return t;
    }

    private TemplateControl.Ready awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<TemplateControl.Ready> r = control.pollReady();
            if (r.isPresent()) {
                return r.get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no READY from the template within 10 s");
    }

    private String ask() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", listener.boundPort()), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void forksChildrenOfTheMasterThatClaimTheirSlotAndServe() throws Exception {
        Children.Spawned t = template(LOOP);
        TemplateControl.Ready ready = awaitReady();
        assertEquals(TemplateControl.Status.OK, ready.status());
        assertEquals(1, ready.threads());
        assertEquals("jfpm-template", Files.readString(Path.of("/proc/" + t.child().pid() + "/comm")).trim());

        int slot = board.allocate(7);
        ChildProcess child = control.fork(slot, 7, -1, -1, Duration.ofSeconds(5));
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        children.reaper.watch(child, exit::complete);
        try {
            assertNotEquals(t.child().pid(), child.pid());
            assertEquals(ProcFs.selfPid(), ProcFs.parent(child.pid()), "CLONE_PARENT: a child of the master");
            String answer = ask();
            // python's os.environ is a copy made at the template's start: the slot shows in the scoreboard
            assertEquals(child.pid() + " -", answer, "the forked child serves; the template never accepts");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            SlotSnapshot s;
            do {
                s = board.reader().slot(slot).orElseThrow();
            } while ((s.pid() != child.pid() || s.requests() != 1) && System.nanoTime() < deadline);
            assertEquals(child.pid(), s.pid(), "the child claimed its slot");
            assertEquals(1, s.requests());
            assertEquals("python3", Files.readString(Path.of("/proc/" + child.pid() + "/comm")).trim(),
                    "a child that has served has its own name back");
            assertTrue(ProcFs.isAlive(t.child().pid()), "the template lives on");
        } finally {
            child.signal(Signals.SIGKILL);
            exit.get(10, TimeUnit.SECONDS);
        }
        control.close();
        assertEquals(new ExitStatus.Exited(0), t.awaitExit(), "the template exits 0 once the master closes its end");
    }

    @Test
    void aMultiThreadedTemplateRefusesToFork() throws Exception {
        template(THREADED);
        TemplateControl.Ready ready = awaitReady();
        assertEquals(TemplateControl.Status.MULTI_THREADED, ready.status());
        assertEquals(2, ready.threads());
        int slot = board.allocate(1);
        assertThrows(NativeException.class, () -> control.fork(slot, 1, -1, -1, Duration.ofSeconds(5)));
    }

    @Test
    void aTemplateThatNamesAProcessNotOursIsRefused() throws Exception {
        String liar = String.join("\n",
                "import socket, struct",
                "c = socket.socket(fileno=4)",
                "c.send(struct.pack('=QQQQ', 1, 0, 1, 0x2d0))",
                "kind, slot, gen, nfds = struct.unpack('=QQQQ', c.recv(32))",
                "c.send(struct.pack('=QQQQ', 3, 1, slot, 0))",
                "c.recv(32)");
        SpawnSpec spec = new SpawnSpec(List.of("/usr/bin/python3", "-S", "-c", liar), Map.of("PATH", "/usr/bin:/bin"),
                listener.fd(), -1, -1, null, List.of(), List.of(board.fd(), control.childEnd()));
        children.spawn(spec);
        control.closeChildEnd();
        assertEquals(TemplateControl.Status.OK, awaitReady().status());
        TemplateException e = assertThrows(TemplateException.class,
                () -> control.fork(board.allocate(1), 1, -1, -1, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("pid 1, whose parent is 0, not this master"), e.getMessage());
    }
}
