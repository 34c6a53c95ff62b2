package org.jfpm.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;
import org.jfpm.scoreboard.SlotWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo worker as jfpm runs it: its own JVM, the listening socket inherited as fd 0 (put there by a
 * python3 launcher that binds, dup2s and execs, so the pid stays the same), the scoreboard slot from the
 * environment, and SIGTERM as a graceful stop with exit status 0.
 */
class HelloWorkerProcessTest {

    private static final String LAUNCHER = String.join("\n",
            "import os, socket, sys",
            "if sys.argv[1] == 'tcp':",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "    s.bind(('127.0.0.1', 0))",
            "    where = str(s.getsockname()[1])",
            "else:",
            "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "    s.bind(sys.argv[2])",
            "    where = sys.argv[2]",
            "s.listen(16)",
            "os.dup2(s.fileno(), 0)",
            "s.close()",
            "print(where, flush=True)",
            "os.execv(sys.argv[3], sys.argv[3:])");

    @TempDir
    Path tmp;

    private Process process;
    private Scoreboard board;

    @AfterEach
    void cleanUp() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (board != null) {
            board.close();
        }
    }

    private SocketAddress launch(String family, int slot) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", LAUNCHER, family, tmp.resolve("demo.sock").toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-Xshare:auto", "-XX:-UsePerfData",
                "-cp", classpath(), HelloWorker.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve("stderr.txt").toFile());
        pb.environment().put("JFPM_POOL", "demo");
        pb.environment().put("JFPM_SLOT", String.valueOf(slot));
        pb.environment().put(SlotWriter.ENV_SCOREBOARD, board.path().toString());
        process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String where = out.readLine();
        assertTrue(where != null, () -> "launcher printed nothing; stderr: " + stderr());
        return family.equals("tcp") ? new InetSocketAddress("127.0.0.1", Integer.parseInt(where))
                : UnixDomainSocketAddress.of(where);
    }

    /** Just the worker's classes: this module's and the scoreboard SDK's. */
    private static String classpath() throws Exception {
        return Path.of(HelloWorker.class.getProtectionDomain().getCodeSource().getLocation().toURI()) + ":"
                + Path.of(SlotWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private String stderr() {
        try {
            return Files.readString(tmp.resolve("stderr.txt"));
        } catch (Exception e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    void servesOnAnInheritedTcpSocketAccountsInItsSlotAndExitsZeroOnSigterm() throws Exception {
        board = Scoreboard.create(tmp, "demo", PmMode.STATIC, Accounting.SDK, 1, 2);
        int slot = board.allocate(1);
        SocketAddress address = launch("tcp", slot);

        String response = HttpClient.get(address, "/hello");
        assertEquals("Hello from jfpm worker " + process.pid() + " (pool demo, slot " + slot + ", request 1)\n",
                HttpClient.body(response), response);
        ScoreboardReader reader = ScoreboardReader.open(board.path());
        HelloWorkerTest.await(() -> reader.slot(slot).map(s -> s.stage() == RequestStage.ACCEPTING).orElse(false),
                () -> "slot never idle: " + reader.slot(slot));
        SlotSnapshot s = reader.slot(slot).orElseThrow();
        assertEquals(process.pid(), s.pid());
        assertEquals(1, s.requests());
        assertEquals("/hello", s.uri());

        process.destroy();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "no exit within 10 s of SIGTERM");
        assertEquals(0, process.exitValue(), this::stderr);
        assertEquals("", stderr());
    }

    @Test
    void onAnInheritedUnixSocketSigtermLetsTheCurrentRequestFinish() throws Exception {
        board = Scoreboard.create(tmp, "demo", PmMode.STATIC, Accounting.SDK, 1, 2);
        int slot = board.allocate(1);
        SocketAddress address = launch("unix", slot);
        ScoreboardReader reader = ScoreboardReader.open(board.path());

        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return HttpClient.get(address, "/sleep?ms=700");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        HelloWorkerTest.await(() -> reader.slot(slot).map(s -> s.stage() == RequestStage.EXECUTING).orElse(false),
                () -> "request never executing: " + reader.slot(slot) + "; stderr: " + stderr());
        process.destroy();
        String response = answer.get(10, TimeUnit.SECONDS);
        assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
        assertTrue(HttpClient.body(response).endsWith("request 1)\n"), response);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS), "no exit within 10 s of SIGTERM");
        assertEquals(0, process.exitValue(), this::stderr);
    }

    @Test
    void refusesToRunWithoutASocketOnFd0() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath(), HelloWorker.class.getName()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.startsWith("HelloWorker: fd 0 is not a listening socket"), output);
    }
}
