package org.jfpm.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jfpm.os.UnixDatagram;

/**
 * The test playing systemd's side of {@code sd_notify}: a unix datagram socket bound at a path (give
 * it to jfpm as {@code NOTIFY_SOCKET}), and every message received on it, in order, with the time
 * (monotonic ms) it arrived.
 */
final class NotifySocket implements AutoCloseable {

    record Message(long atMillis, String text) {
        boolean has(String line) {
            return List.of(text.split("\n")).contains(line);
        }

        Optional<String> field(String key) {
            for (String line : text.split("\n")) {
                if (line.startsWith(key + "=")) {
                    return Optional.of(line.substring(key.length() + 1));
                }
            }
            return Optional.empty();
        }
    }

    private final Path path;
    private final UnixDatagram socket;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    NotifySocket(Path path) {
        this.path = path;
        this.socket = UnixDatagram.bind(path.toString());
        this.reader = new Thread(this::read, "notify-socket-" + path.getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        while (!closed) {
            socket.receive(Duration.ofMillis(100)).ifPresent(d ->
                    messages.add(new Message(System.nanoTime() / 1_000_000, new String(d, StandardCharsets.UTF_8))));
        }
    }

    Path path() {
        return path;
    }

    /** {@code NOTIFY_SOCKET=path}, for {@code env} or {@code systemd-socket-activate -E}. */
    String variable() {
        return "NOTIFY_SOCKET=" + path;
    }

    List<Message> messages() {
        return List.copyOf(messages);
    }

    /** Messages from index {@code from} on (a mark taken with {@code messages().size()}). */
    List<Message> since(int from) {
        List<Message> all = messages();
        return all.subList(Math.min(from, all.size()), all.size());
    }

    /** Waits for a message from index {@code from} on that matches; returns it. */
    Message await(int from, Predicate<Message> match, Duration timeout, String what) {
        Message[] found = new Message[1];
        Poll.until(() -> {
            for (Message m : since(from)) {
                if (match.test(m)) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        }, timeout, () -> what + " on " + path, () -> "received: " + render(messages()));
        return found[0];
    }

    static String render(List<Message> messages) {
        StringBuilder b = new StringBuilder();
        for (Message m : messages) {
            b.append("\n  [").append(m.atMillis()).append("] ").append(m.text().replace("\n", "\\n"));
        }
        return b.toString();
    }

    @Override
    public void close() throws java.io.IOException {
        closed = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        Files.deleteIfExists(path);
    }
}
