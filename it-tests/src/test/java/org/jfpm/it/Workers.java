package org.jfpm.it;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The worker programs the tests run under jfpm. */
final class Workers {

    static final String PHP_CGI = "/usr/bin/php-cgi";
    static final String PYTHON = "/usr/bin/python3";

    private Workers() {
    }

    /**
     * The demo Java worker shipped in the jar: plain HTTP on fd 0, {@code /sleep?ms=N}, answers
     * "Hello from jfpm worker PID ..."; accounts with the worker SDK ({@code accounting = sdk}).
     */
    static List<String> javaHello() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m",
                "-cp", Jfpm.jar().toString(), "org.jfpm.demo.HelloWorker");
    }

    /**
     * The python accept loop of {@code src/test/resources/workers/http_worker.py}: plain HTTP on fd 0,
     * {@code /sleep?ms=N}, answers "Hello from python worker PID ..."; fast to start. Accounting:
     * {@code preload} or {@code none}.
     */
    static List<String> python() {
        return List.of(PYTHON, "-S", "-B", resource("/workers/http_worker.py").toString());
    }

    /**
     * {@code src/test/resources/workers/hostile_worker.py}: the worker in slot {@code HOSTILE_SLOT}
     * scribbles over the whole scoreboard and tries to resize it (see the script), then every worker
     * serves as {@link #python()} does.
     */
    static List<String> hostilePython() {
        resource("/workers/http_worker.py");
        return List.of(PYTHON, "-S", "-B", resource("/workers/hostile_worker.py").toString());
    }

    /**
     * The C accept loop of {@code src/test/resources/workers/accept_loop.c}, compiled once per build
     * into {@code target/it-workers/}: plain HTTP on fd 0, answers "Hello from c worker PID ...",
     * exits 3 at start if it inherited any fd beyond 0, 1, 2; ~1 MB RSS, so hundreds fit. Accounting:
     * {@code preload} or {@code none}.
     */
    static synchronized List<String> cAcceptLoop() {
        Path source = resource("/workers/accept_loop.c");
        Path binary = Path.of("target", "it-workers", "accept_loop").toAbsolutePath();
        try {
            if (!Files.isExecutable(binary)
                    || Files.getLastModifiedTime(binary).compareTo(Files.getLastModifiedTime(source)) < 0) {
                Files.createDirectories(binary.getParent());
                Process cc = new ProcessBuilder("cc", "-O2", "-Wall", "-o", binary.toString(), source.toString())
                        .redirectErrorStream(true).start();
                String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
                    cc.destroyForcibly();
                    throw new AssertionError("cc " + source + " failed:\n" + out);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("compile " + source + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted compiling " + source, e);
        }
        return List.of(binary.toString());
    }

    static List<String> phpCgi() {
        return List.of(PHP_CGI);
    }

    static Path resource(String name) {
        URL url = Workers.class.getResource(name);
        if (url == null) {
            throw new AssertionError("test resource " + name + " is missing");
        }
        try {
            Path p = Path.of(url.toURI());
            if (!Files.isRegularFile(p)) {
                throw new AssertionError("test resource " + name + " is not a file: " + p);
            }
            return p;
        } catch (URISyntaxException e) {
            throw new AssertionError("test resource " + name + ": " + e, e);
        }
    }
}
