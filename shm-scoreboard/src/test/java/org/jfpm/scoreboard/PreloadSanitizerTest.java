package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library built with AddressSanitizer and UBSan, loaded into php-cgi and into the plain Python
 * worker: FastCGI requests (dribbled, kept alive) and non-FastCGI bytes must produce no report.
 */
class PreloadSanitizerTest {
    @TempDir
    Path dir;

    @Test
    void hooksRunCleanUnderSanitizers() throws Exception {
        Path lib = dir.resolve("libjfpm-preload-asan.so");
        String out = run(List.of("cc", "-std=c11", "-g", "-O1", "-fPIC", "-shared", "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror", "-o", lib.toString(),
                "src/main/c/jfpm_preload.c", "src/main/c/jfpm_fcgi.c", "src/main/c/jfpm_template.c", "src/main/c/jfpm_alog.c", "-ldl"));
        assertEquals("", out);
        String preload = runtime("libasan.so") + ":" + runtime("libubsan.so") + ":" + lib;

        PreloadScoreboard sb = PreloadScoreboard.create(dir, "asan", 2);
        assertEquals(0, sb.allocate(1));
        assertEquals(1, sb.allocate(1));
        Path script = dir.resolve("app.php");
        Files.writeString(script, "<?php echo 'hi ', $_SERVER['REQUEST_METHOD'];");
        Map<String, String> env = Map.of("JFPM_SCOREBOARD", sb.path().toString(), "JFPM_SLOT", "0",
                "PHP_FCGI_MAX_REQUESTS", "0", "ASAN_OPTIONS", "detect_leaks=0", "JFPM_TEST_LD_PRELOAD", preload);
        try (PreloadWorker php = PreloadWorker.start(dir, "php", null, env, "/usr/bin/php-cgi", "-n")) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("REQUEST_METHOD", "GET");
            params.put("SCRIPT_FILENAME", script.toString());
            params.put("REQUEST_URI", "/app.php?" + "q".repeat(3000));
            params.put("QUERY_STRING", "q".repeat(3000));
            params.put("REDIRECT_STATUS", "200");
            try (FastCgiClient c = new FastCgiClient(php.port(), true)) {
                for (int i = 0; i < 3; i++) {
                    assertTrue(c.request(params, new byte[0], true).endsWith("hi GET"));
                }
                php.await(() -> sb.slot(0).requests() == 3 && sb.slot(0).stage() == RequestStage.FINISHED,
                        "3 kept-alive requests");
                assertEquals(511, sb.slot(0).queryString().length(), "query cut to the field");
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", php.port())) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            php.await(() -> sb.slot(0).requests() == 4 && sb.slot(0).stage() == RequestStage.ACCEPTING, "4 requests");
            assertTrue(php.process().isAlive(), php.log());
            assertFalse(php.log().contains("Sanitizer") || php.log().contains("runtime error"), php.log());
            assertEquals("", sb.slot(0).method(), "the non-FastCGI request has no info");
        }

        Map<String, String> pyEnv = Map.of("JFPM_SCOREBOARD", sb.path().toString(), "JFPM_SLOT", "1",
                "ASAN_OPTIONS", "detect_leaks=0", "JFPM_TEST_LD_PRELOAD", preload);
        try (PreloadWorker probe = PreloadWorker.start(dir, "probe", null, pyEnv, PreloadWorker.PYTHON,
                PreloadWorker.resource("errno_probe.py").toString())) {
            assertTrue(probe.process().waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, probe.process().exitValue(), probe.log());
            assertFalse(probe.log().contains("Sanitizer") || probe.log().contains("runtime error"), probe.log());
            assertEquals(1, sb.slot(1).requests());
        }
    }

    private static String runtime(String name) throws Exception {
        return run(List.of("cc", "-print-file-name=" + name)).trim();
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), cmd + ":\n" + out);
        return out;
    }
}
