package org.jfpm.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the figures were measured on: CPU, kernel, load. */
final class Machine {

    private Machine() {
    }

    /** The three load averages from {@code /proc/loadavg}, e.g. {@code "1.82 2.10 2.35"}. */
    static String loadAverage() {
        String[] f = read("/proc/loadavg").trim().split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** One line: CPUs, CPU model, kernel, JDK. */
    static String describe() {
        String model = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        String kernel = read("/proc/sys/kernel/osrelease").trim();
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + model + "), Linux " + kernel
                + ", Java " + System.getProperty("java.version");
    }

    static String versionOf(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
            p.waitFor();
            return out.trim();
        } catch (IOException e) {
            return command.get(0) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }
}
