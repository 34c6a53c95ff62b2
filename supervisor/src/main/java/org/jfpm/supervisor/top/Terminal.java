package org.jfpm.supervisor.top;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The controlling terminal while {@code jfpm top} runs: cbreak mode (no line buffering, no echo;
 * Ctrl-C still sends SIGINT; Ctrl-Z is only a key, since a stopped top would leave the shell in
 * cbreak mode and the alternate screen) set with {@code stty} on {@code /dev/tty}, the alternate screen, keys read
 * from {@code /dev/tty} on a daemon thread. {@link #close} puts everything back (the saved
 * {@code stty -g} settings, main screen, cursor) once, whether called by the command on {@code q}
 * or by the shutdown hook on SIGINT/SIGTERM; after it, {@link #draw} writes nothing, so a frame
 * being drawn when Ctrl-C arrives cannot land on the restored screen.
 *
 * <p>Why stty rather than termios through JNI or JLine: one {@code stty} run at start and one at
 * exit, no new dependency, and the terminal is restored by the same tool a user would reach for
 * ({@code stty sane}) if the JVM were SIGKILLed.
 */
final class Terminal implements AutoCloseable {

    private static final File TTY = new File("/dev/tty");

    private final PrintStream out;
    private final String saved;
    private final Object lock = new Object();
    private final Thread hook;
    private final BlockingQueue<Integer> keys = new LinkedBlockingQueue<>();
    private boolean closed;

    private Terminal(PrintStream out, String saved) {
        this.out = out;
        this.saved = saved;
        this.hook = new Thread(this::restore, "jfpm-top-restore");
    }

    /** Saves the terminal's settings, sets cbreak mode, enters the alternate screen and starts reading keys. */
    static Terminal enter(PrintStream out) throws IOException {
        String saved = stty("-g").trim();
        if (saved.isEmpty() || saved.contains(" ")) {
            throw new IOException("stty -g printed '" + saved + "'");
        }
        Terminal t = new Terminal(out, saved);
        Runtime.getRuntime().addShutdownHook(t.hook);
        try {
            stty("-icanon", "-echo", "min", "1", "time", "0", "susp", "undef");
            synchronized (t.lock) {
                out.print(TopScreen.ENTER);
                out.flush();
            }
            t.startKeys();
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private void startKeys() throws IOException {
        InputStream in = new FileInputStream(TTY);
        Thread reader = new Thread(() -> {
            try (in) {
                int b;
                while ((b = in.read()) >= 0) {
                    keys.add(b);
                }
            } catch (IOException e) {
                // the terminal went away: no more keys
            }
        }, "jfpm-top-keys");
        reader.setDaemon(true);
        reader.start();
    }

    /** The next key byte within {@code nanos}, or -1. */
    int key(long nanos) throws InterruptedException {
        Integer k = keys.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        return k == null ? -1 : k;
    }

    /** Rows and columns ({@code stty size}); 24 × 80 when the terminal does not say. */
    int[] size() {
        try {
            String[] rc = stty("size").trim().split("\\s+");
            int rows = Integer.parseInt(rc[0]);
            int cols = Integer.parseInt(rc[1]);
            if (rows > 0 && cols > 0) {
                return new int[] {rows, cols};
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return new int[] {24, 80};
    }

    /** Writes one frame, unless the terminal was restored already; returns false then. */
    boolean draw(String frame) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            out.print(frame);
            out.flush();
            return true;
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) restore, which does nothing twice
        }
    }

    private void restore() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            out.print(TopScreen.LEAVE);
            out.flush();
            try {
                stty(saved);
            } catch (IOException | RuntimeException e) {
                out.println("jfpm top: could not restore the terminal (" + e.getMessage() + "); run: stty sane");
            }
        }
    }

    /** Runs {@code stty ARGS} on /dev/tty; returns its output. */
    static String stty(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("stty");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(TTY).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(text);
        }
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("stty " + String.join(" ", args) + " did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("stty " + String.join(" ", args) + " exited with " + p.exitValue());
        }
        return text.toString(StandardCharsets.UTF_8);
    }
}
