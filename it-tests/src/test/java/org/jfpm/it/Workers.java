package org.jfpm.it;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
