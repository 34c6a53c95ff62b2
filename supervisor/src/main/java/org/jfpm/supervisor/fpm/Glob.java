package org.jfpm.supervisor.fpm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * glob(3) as PHP-FPM calls it for {@code include} ({@code GLOB_ERR | GLOB_MARK}, directories
 * skipped): {@code *}, {@code ?} and {@code [...]} (with {@code [!...]}) in any path component, a
 * leading {@code .} matched only by a literal dot, results sorted. The directory before the first
 * wildcard must exist and be readable (else glob aborts, and PHP-FPM with it); matching nothing is
 * not an error.
 */
final class Glob {

    private Glob() {
    }

    static boolean isPattern(String s) {
        return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[');
    }

    /** The regular files matching the absolute {@code pattern}, sorted. */
    static List<Path> expand(String pattern) throws IOException {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("not absolute: " + pattern);
        }
        List<Path> current = List.of(Path.of("/"));
        boolean fixedPrefix = true;
        for (String component : pattern.substring(1).split("/+")) {
            if (component.isEmpty()) {
                continue;
            }
            List<Path> next = new ArrayList<>();
            if (!isPattern(component)) {
                for (Path p : current) {
                    Path q = p.resolve(component);
                    if (fixedPrefix || Files.exists(q)) { // a missing fixed prefix aborts at the first wildcard
                        next.add(q);
                    }
                }
            } else {
                Pattern regex = regex(component);
                for (Path dir : current) {
                    if (fixedPrefix && !Files.isDirectory(dir)) {
                        throw new IOException("no directory " + dir);
                    }
                    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                        for (Path e : entries) {
                            String name = e.getFileName().toString();
                            if ((!name.startsWith(".") || component.startsWith(".")) && regex.matcher(name).matches()) {
                                next.add(e);
                            }
                        }
                    } catch (IOException e) {
                        if (fixedPrefix) {
                            throw new IOException("cannot read directory " + dir + ": " + e.getMessage(), e);
                        }
                    }
                }
                fixedPrefix = false;
            }
            current = next;
        }
        try (Stream<Path> s = current.stream()) {
            return s.filter(Files::isRegularFile).sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        }
    }

    static Pattern regex(String component) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (c == '*') {
                b.append("[^/]*");
            } else if (c == '?') {
                b.append("[^/]");
            } else if (c == '[' && component.indexOf(']', i + 2) > 0) {
                int close = component.indexOf(']', i + 2);
                String set = component.substring(i + 1, close);
                boolean negate = set.startsWith("!") || set.startsWith("^");
                if (negate) {
                    set = set.substring(1);
                }
                b.append('[').append(negate ? "^" : "");
                for (char d : set.toCharArray()) {
                    b.append(d == '-' ? "-" : d == '\\' || d == '[' || d == ']' || d == '^' || d == '&' ? "\\" + d : String.valueOf(d));
                }
                b.append(']');
                i = close;
            } else {
                b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString());
    }
}
