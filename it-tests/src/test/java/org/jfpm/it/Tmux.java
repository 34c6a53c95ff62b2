package org.jfpm.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real terminal for a test: a tmux server of its own (its socket in the test's directory, so other
 * tmux users are untouched and nothing is left in /tmp/tmux-UID) with one detached session of a fixed size running one command. The screen
 * is read with {@code capture-pane -p}, keys are sent with {@code send-keys}; {@link #close()} kills
 * this server and whatever still runs in it.
 */
final class Tmux implements AutoCloseable {

    static final String TMUX = "/usr/bin/tmux";

    private final String socket;

    private Tmux(Path dir) {
        this.socket = dir.resolve("tmux-" + UUID.randomUUID().toString().substring(0, 8) + ".sock").toString();
    }

    /** A {@code columns} × {@code rows} terminal running {@code command} (through {@code sh -c}) in {@code dir}. */
    static Tmux start(int columns, int rows, Path dir, String command) {
        Tmux t = new Tmux(dir);
        t.run("new-session", "-d", "-s", "it", "-x", Integer.toString(columns), "-y", Integer.toString(rows),
                "-c", dir.toString(), command);
        return t;
    }

    /** The visible screen, one line per row (trailing blanks trimmed by tmux). */
    String screen() {
        return run("capture-pane", "-p", "-t", "it");
    }

    /** Types {@code keys} as tmux key names ({@code q}, {@code C-c}, {@code Enter}). */
    void keys(String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "it"));
        args.addAll(List.of(keys));
        run(args.toArray(String[]::new));
    }

    private String run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(TMUX, "-S", socket, "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not exit");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError("run " + cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            new ProcessBuilder(TMUX, "-S", socket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no server left to kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
