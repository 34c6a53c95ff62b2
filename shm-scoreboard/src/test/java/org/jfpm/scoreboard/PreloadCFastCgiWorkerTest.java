package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The preload library in an unmodified C FastCGI responder ({@code preload/fcgi_worker.c}): one that
 * discards the request body with {@code MSG_TRUNC} (the kernel fills no buffer, so nothing may be
 * parsed), and one built with {@code -D_FORTIFY_SOURCE=2 -O2}, whose reads go through
 * {@code __read_chk}/{@code __recv_chk}/{@code __recvfrom_chk}.
 */
class PreloadCFastCgiWorkerTest {
    @TempDir
    Path dir;

    private Path library;
    private PreloadScoreboard scoreboard;
    private PreloadWorker worker;

    private static final Map<String, String> PARAMS = FastCgiRecords.params("/srv/www/app.php", "a=1");
    private static final byte[] BODY = "x".repeat(100).getBytes(StandardCharsets.US_ASCII);

    @BeforeEach
    void setUp() throws IOException {
        library = PreloadLibrary.extract(dir);
        scoreboard = PreloadScoreboard.create(dir, "cfcgi", 1);
        assertEquals(0, scoreboard.allocate(1));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (worker != null) {
            worker.close();
        }
        scoreboard.close();
    }

    private Path compile(String name, String... flags) throws Exception {
        Path binary = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of("cc", "-Wall", "-Werror"));
        cmd.addAll(Arrays.asList(flags));
        cmd.addAll(List.of("-o", binary.toString(), PreloadWorker.resource("fcgi_worker.c").toString()));
        assertEquals("", run(cmd));
        return binary;
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + cmd);
        assertEquals(0, p.exitValue(), cmd + ":\n" + out);
        return out;
    }

    /** Sends n requests with a body to the worker started in {@code mode}; each must be counted once, with its info. */
    private void servesAndAccounts(Path binary, String mode) throws Exception {
        byte[] full = FastCgiRecords.request(PARAMS, BODY, false);
        int head = FastCgiRecords.request(PARAMS, new byte[0], false).length - 8; // without the empty STDIN
        int body = full.length - head;
        worker = PreloadWorker.start(dir, "worker-" + mode, library,
                Map.of("JFPM_SCOREBOARD", scoreboard.path().toString(), "JFPM_SLOT", "0", "JFPM_PRELOAD_DEBUG", "1"),
                binary.toString(), Integer.toString(head), Integer.toString(body), mode);
        worker.await(() -> scoreboard.slot(0).stage() == RequestStage.ACCEPTING, "the first accept");
        int n = 3;
        for (int i = 1; i <= n; i++) {
            try (Socket s = new Socket("127.0.0.1", worker.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(full);
                s.getOutputStream().flush();
                assertEquals("ok", FastCgiRecords.readResponse(s.getInputStream()).body(), worker.log());
            }
            int k = i;
            worker.await(() -> scoreboard.slot(0).requests() >= k && scoreboard.slot(0).stage() != RequestStage.READING_HEADERS
                    && scoreboard.slot(0).stage() != RequestStage.EXECUTING, "request " + k + " done, slot " + scoreboard.slot(0));
            SlotSnapshot s = scoreboard.slot(0);
            assertEquals(k, s.requests(), mode + ": one request per connection, slot " + s);
            assertEquals(List.of("GET", "/app.php", "a=1", "/srv/www/app.php"),
                    List.of(s.method(), s.uri(), s.queryString(), s.script()), mode + ": request info, slot " + s);
        }
        worker.await(() -> scoreboard.slot(0).stage() == RequestStage.ACCEPTING, "idle");
        assertEquals(n, scoreboard.acceptedConn(), "accepted conn");
        assertEquals(0, scoreboard.activeRequests(), "no request left open");
        assertTrue(worker.process().isAlive(), worker.log());
    }

    @ParameterizedTest
    @ValueSource(strings = {"recv", "recvfrom", "recvmsg"})
    void aBodyDiscardedWithMsgTruncIsNotParsed(String mode) throws Exception {
        servesAndAccounts(compile("fcgi_worker", "-O2", "-U_FORTIFY_SOURCE"), mode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "recv", "recvfrom"})
    void aWorkerBuiltWithFortifySourceIsAccounted(String mode) throws Exception {
        Path binary = compile("fcgi_worker_fortify", "-O2", "-D_FORTIFY_SOURCE=2");
        String symbols = run(List.of("nm", "-D", binary.toString()));
        for (String chk : List.of("__read_chk", "__recv_chk", "__recvfrom_chk")) {
            assertTrue(symbols.contains(" " + chk + "@"), "the fortified worker calls " + chk + ":\n" + symbols);
        }
        servesAndAccounts(binary, mode);
    }
}
