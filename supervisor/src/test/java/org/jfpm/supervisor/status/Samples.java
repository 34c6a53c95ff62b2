package org.jfpm.supervisor.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The PHP-FPM 8.2 captures copied into {@code src/test/resources/php-fpm-status/} (see its README). */
final class Samples {

    private Samples() {
    }

    static String read(String name) {
        String path = "/php-fpm-status/" + name;
        try (InputStream in = Samples.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + path + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        }
    }

    /** The Content-Type header of a capture's {@code .headers} file. */
    static String contentType(String name) {
        for (String line : read(name + ".headers").split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Type:", 0, 13)) {
                return line.substring(13).trim();
            }
        }
        throw new IllegalStateException(name + ".headers has no Content-Type");
    }
}
