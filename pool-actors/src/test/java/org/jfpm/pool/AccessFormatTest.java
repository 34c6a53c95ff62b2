package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config loader's check of {@code access-format} agrees with the preload library's compiler
 * (jfpm_alog.c, built here from the shm-scoreboard sources): a format the loader lets through always
 * works in a worker, and the loader's reason is the library's.
 */
class AccessFormatTest {

    static final List<String> FORMATS = List.of(
            PoolLogs.DEFAULT_ACCESS_FORMAT,
            "%C %{user}C %{SYSTEM}C %d %{milli}d %{mili}d %{micro}d %{HTTP_HOST}e %f %l %m %M %{kilo}M %{megabytes}M",
            "%n %{Content-Type}o %p %P %q %Q %r %R %s %t %{%Y-%m-%d}t %T %{%s}T %u %% %{}t",
            "",
            "plain text",
            "%x",
            "%m %",
            "%{milli",
            "%{milli}",
            "%e",
            "%{}e",
            "%{}o",
            "%{idle}C",
            "%{hours}d",
            "%{giga}M",
            "%{A}e%{B}e%{C}e%{D}e%{E}e%{F}e%{G}e%{H}e%{I}e",
            "%{A}e%{B}e%{C}e%{D}e%{E}e%{F}e%{G}e%{H}e%{A}e",
            "%{A}o%{B}o%{C}o%{D}o%{E}o%{F}o%{G}o%{H}o%{I}o",
            "%{" + "N".repeat(63) + "}e",
            "%{" + "N".repeat(64) + "}e",
            "%{" + "f".repeat(128) + "}t",
            "%{" + "f".repeat(129) + "}t",
            "a".repeat(1024),
            "a".repeat(1025),
            "%{x}%",
            "%{oops}m");

    @TempDir
    Path dir;

    @Test
    void theLoaderAndTheLibraryAgreeOnEveryFormat() throws Exception {
        Path exe = dir.resolve("alog_compile");
        String cc = run(List.of("cc", "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-I../shm-scoreboard/src/main/c",
                "-o", exe.toString(), "src/test/c/alog_compile.c", "../shm-scoreboard/src/main/c/jfpm_alog.c"), "");
        assertEquals("", cc);
        String out = run(List.of(exe.toString()), String.join("\n", FORMATS) + "\n");
        List<String> results = out.lines().toList();
        assertEquals(FORMATS.size(), results.size(), out);
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < FORMATS.size(); i++) {
            Optional<String> java = AccessFormat.problem(FORMATS.get(i));
            String c = results.get(i);
            String expected = java.map(p -> "ERR " + p).orElse("OK");
            if (!expected.equals(c)) {
                disagreements.add("'" + FORMATS.get(i) + "': Java " + expected + ", C " + c);
            }
        }
        assertEquals(List.of(), disagreements);
        assertTrue(AccessFormat.problem("%x").isPresent() && AccessFormat.problem(PoolLogs.DEFAULT_ACCESS_FORMAT).isEmpty());
    }

    private static String run(List<String> cmd, String stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + cmd);
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), cmd + ":\n" + text);
        return text;
    }
}
