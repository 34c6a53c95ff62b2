package org.jfpm.scoreboard;

/**
 * The worker side of {@link CrossProcessSeqlockTest}, run in its own JVM: attaches through the
 * environment and writes requests in a tight loop, each with the invariant the reader checks
 * (see {@link #uri(long)}). Exits by itself after 60 s should the test die without killing it.
 */
public final class ConcurrentWriterMain {

    private ConcurrentWriterMain() {
    }

    /** Long enough to span many cache lines, with the request number at both ends. */
    static String uri(long n) {
        return "/" + n + "/" + "x".repeat(400) + "/" + n;
    }

    static String query(long n) {
        return "n=" + n;
    }

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (SlotWriter w = SlotWriter.fromEnvironment()) {
            if (!w.isAttached()) {
                throw new IllegalStateException("JFPM_SCOREBOARD is not set");
            }
            for (long n = 1; System.nanoTime() < deadline; n++) {
                w.accepting();
                w.accepted();
                w.requestInfo("GET", uri(n), query(n), "/srv/" + n + ".php", n, "u" + n);
                w.executing();
            }
        }
    }
}
