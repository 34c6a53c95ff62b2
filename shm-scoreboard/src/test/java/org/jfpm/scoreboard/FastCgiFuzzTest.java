package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
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
 * Fuzzes the preload library's FastCGI parser ({@code src/main/c/jfpm_fcgi.c}) with libFuzzer for a
 * bounded time: {@code src/test/c/fcgi_fuzz.c} built with Debian's clang and
 * {@code -fsanitize=fuzzer,address,undefined}, started from a seed corpus of valid FastCGI streams.
 * Any crash, sanitizer report, leak, timeout or split-dependent result fails the test. Needs
 * {@code clang} and {@code libclang-rt-14-dev} (installed by {@code .ci/run}).
 */
class FastCgiFuzzTest {
    static final int SECONDS = Integer.getInteger("jfpm.fuzz.seconds", 20);

    @TempDir
    Path dir;

    @Test
    void theParserSurvivesLibFuzzer() throws Exception {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        Path fuzzer = dir.resolve("fcgi_fuzz");
        Result cc = run(List.of("clang", "-g", "-O1", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
                "-I", module.resolve("src/main/c").toString(), module.resolve("src/test/c/fcgi_fuzz.c").toString(),
                module.resolve("src/main/c/jfpm_fcgi.c").toString(), "-o", fuzzer.toString()), 120);
        assertEquals(0, cc.exit(), "clang (apt-get install clang libclang-rt-14-dev) failed:\n" + cc.output());

        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        seeds().forEach((name, bytes) -> {
            try {
                Files.write(corpus.resolve(name), bytes);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Result fuzz = run(List.of(fuzzer.toString(), "-max_total_time=" + SECONDS, "-timeout=10", "-rss_limit_mb=2048",
                "-max_len=4096", "-artifact_prefix=" + dir + "/", corpus.toString()), SECONDS + 120);
        String tail = fuzz.output().length() > 6000 ? fuzz.output().substring(fuzz.output().length() - 6000) : fuzz.output();
        assertEquals(0, fuzz.exit(), "libFuzzer found a failure:\n" + tail);
        assertFalse(fuzz.output().contains("ERROR:") || fuzz.output().contains("runtime error"), tail);
        assertTrue(fuzz.output().contains("Done "), "the fuzzer ran to its time limit:\n" + tail);
    }

    /** Byte 0 = direction (0 input, 1 output), byte 1 = split seed, then the stream. */
    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        Map<String, String> params = FastCgiRecords.params("/srv/www/index.php", "a=1&b=%C3%BC");
        params.put("REMOTE_USER", "alice");
        params.put("CONTENT_LENGTH", "5");
        byte[] one = FastCgiRecords.request(params, "hello".getBytes(StandardCharsets.US_ASCII), false);
        seeds.put("request", seed(0, 7, one));
        byte[] keep = FastCgiRecords.request(params, new byte[0], true);
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(keep);
        two.writeBytes(keep);
        seeds.put("keepalive", seed(0, 42, two.toByteArray()));
        Map<String, String> longValues = new LinkedHashMap<>();
        longValues.put("REQUEST_METHOD", "POST");
        longValues.put("REQUEST_URI", "/" + "\u00e9".repeat(400) + "?q");
        longValues.put("SCRIPT_FILENAME", "/s".repeat(300));
        seeds.put("long", seed(0, 3, FastCgiRecords.request(longValues, new byte[0], false)));
        byte[] response = {1, 6, 0, 1, 0, 2, 0, 0, 'o', 'k', 1, 6, 0, 1, 0, 0, 0, 0,
            1, 3, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        seeds.put("response", seed(1, 9, response));
        seeds.put("http", seed(0, 1, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        return seeds;
    }

    private static byte[] seed(int direction, int split, byte[] stream) {
        byte[] b = new byte[stream.length + 2];
        b[0] = (byte) direction;
        b[1] = (byte) split;
        System.arraycopy(stream, 0, b, 2, stream.length);
        return b;
    }

    record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile("fuzz", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd + "\n" + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
