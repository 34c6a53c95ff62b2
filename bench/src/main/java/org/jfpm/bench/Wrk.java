package org.jfpm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One run of wrk ({@code wrk -t T -c C -d Ds --latency URL}) and the figures of its report. */
final class Wrk {

    /** Requests/s, latency percentiles in ms, errors (non-2xx/3xx answers + socket errors), and wrk's own report. */
    record Result(double rps, long requests, double p50Ms, double p99Ms, long non2xx, long socketErrors, String report) {
        String describe() {
            return String.format(Locale.ROOT, "%8.1f req/s (%d requests), p50 %.2f ms, p99 %.2f ms, errors %d", rps, requests, p50Ms,
                    p99Ms, non2xx + socketErrors);
        }
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern PCT = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private Wrk() {
    }

    static Result run(String wrk, int threads, int connections, int seconds, String url) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(wrk, "-t", Integer.toString(threads), "-c", Integer.toString(connections),
                "-d", seconds + "s", "--timeout", "30s", "--latency", url));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("wrk exited with " + p.exitValue() + ":\n" + out);
        }
        return parse(out);
    }

    static Result parse(String out) throws IOException {
        Matcher rps = RPS.matcher(out);
        Matcher total = TOTAL.matcher(out);
        if (!rps.find() || !total.find()) {
            throw new IOException("unexpected wrk report:\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher m = PCT.matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 0.001;
                case "ms" -> 1.0;
                default -> 1000.0;
            };
            if (m.group(1).equals("50")) {
                p50 = v;
            } else {
                p99 = v;
            }
        }
        Matcher n = NON2XX.matcher(out);
        long non2xx = n.find() ? Long.parseLong(n.group(1)) : 0;
        Matcher s = SOCKET.matcher(out);
        long sock = 0;
        if (s.find()) {
            for (int i = 1; i <= 4; i++) {
                sock += Long.parseLong(s.group(i));
            }
        }
        return new Result(Double.parseDouble(rps.group(1)), Long.parseLong(total.group(1)), p50, p99, non2xx, sock, out);
    }
}
