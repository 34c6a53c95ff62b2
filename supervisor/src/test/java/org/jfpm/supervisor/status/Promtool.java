package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}) as the real parser of our
 * expositions. Absent promtool fails the test: CI installs it, and a silent skip would hide a
 * broken /metrics.
 */
final class Promtool {

    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    static Path binary() {
        Path usual = Path.of("/usr/bin/promtool");
        if (Files.isExecutable(usual)) {
            return usual;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "promtool");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        return fail("promtool not found at /usr/bin/promtool or on PATH: install Debian's 'prometheus' package "
                + "(apt-get install prometheus); the /metrics tests validate with it and CI installs it");
    }

    /** {@code promtool check metrics} on Prometheus text (stdin): parse + lint. */
    static Result checkMetrics(String exposition) throws Exception {
        return run(exposition, binary().toString(), "check", "metrics");
    }

    /** hipages/php-fpm_exporter's counters, whose names lack {@code _total}: promtool's lint names them. */
    static final java.util.Set<String> EXPORTER_COUNTERS = java.util.Set.of(
            "phpfpm_scrape_failures", "phpfpm_start_since", "phpfpm_accepted_connections", "phpfpm_max_listen_queue",
            "phpfpm_max_active_processes", "phpfpm_max_children_reached", "phpfpm_slow_requests", "phpfpm_process_requests");

    /**
     * What {@code promtool check metrics} found beyond the lint of the exporter's own counter names
     * ({@code phpfpm_x counter metrics should have "_total" suffix}, exit status 3): parse errors,
     * any other lint, any other exit status. Empty when the exposition is as clean as the exporter's.
     */
    static List<String> problemsBeyondExporterNames(Result r) {
        List<String> problems = new ArrayList<>();
        java.util.regex.Pattern exporterLint = java.util.regex.Pattern.compile("(\\w+) counter metrics should have \"_total\" suffix");
        for (String line : r.output().split("\n")) {
            java.util.regex.Matcher m = exporterLint.matcher(line.trim());
            if (!line.isBlank() && !(m.matches() && EXPORTER_COUNTERS.contains(m.group(1)))) {
                problems.add(line);
            }
        }
        if (r.exitCode() != 0 && r.exitCode() != 3) {
            problems.add("exit status " + r.exitCode());
        }
        if (r.exitCode() == 3 && problems.isEmpty() && r.output().isBlank()) {
            problems.add("exit status 3 with no lint output");
        }
        return problems;
    }

    /**
     * Parses an OpenMetrics exposition with promtool's OpenMetrics parser ({@code tsdb
     * create-blocks-from openmetrics}, which needs a timestamp on every sample: one is appended).
     */
    static Result parseOpenMetrics(String exposition) throws Exception {
        Path dir = Files.createTempDirectory("jfpm-promtool");
        try {
            StringBuilder stamped = new StringBuilder();
            for (String line : exposition.split("\n")) {
                stamped.append(line);
                if (!line.startsWith("#")) {
                    stamped.append(" 1700000000");
                }
                stamped.append('\n');
            }
            Path input = dir.resolve("metrics.om");
            Files.writeString(input, stamped, StandardCharsets.UTF_8);
            return run("", binary().toString(), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                    input.toString(), dir.resolve("blocks").toString());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Result run(String stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        try {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not finish within 30 s");
            }
            return new Result(p.exitValue(), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
