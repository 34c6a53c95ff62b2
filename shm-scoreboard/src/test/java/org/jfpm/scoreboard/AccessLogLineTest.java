package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the C tests of the access log line (src/test/c/alog_test.c: format compilation and its
 * errors, every % code, escaping, the cut at the limit, and what the FastCGI parser keeps for the line:
 * wanted params, the response's Status and wanted headers, across every split) with AddressSanitizer
 * and UBSan against src/main/c/jfpm_alog.c and jfpm_fcgi.c, and runs them.
 */
class AccessLogLineTest {
    @TempDir
    Path dir;

    @Test
    void formatterAndParserPassTheirTablesUnderSanitizers() throws Exception {
        Path exe = dir.resolve("alog_test");
        run(List.of("cc", "-std=c11", "-D_DEFAULT_SOURCE", "-g", "-O1", "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror", "-Isrc/main/c", "-o", exe.toString(),
                "src/test/c/alog_test.c", "src/main/c/jfpm_alog.c", "src/main/c/jfpm_fcgi.c"), "compile");
        String out = run(List.of(exe.toString()), "run");
        assertTrue(out.matches("(?s).*passed \\d+ checks, 0 failures\\s*"), out);
    }

    private static String run(List<String> cmd, String what) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), what + " finished");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), what + " " + cmd + ":\n" + text);
        return text;
    }
}
