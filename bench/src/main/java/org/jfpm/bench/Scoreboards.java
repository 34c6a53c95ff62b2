package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.ScoreboardFormatException;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;

/** Reads a jfpm pool's scoreboard from the benchmark (read-only, like the {@code status} command). */
final class Scoreboards {

    private Scoreboards() {
    }

    /** Opens the scoreboard once jfpm has created it and marked it ready (version written last). */
    static ScoreboardReader open(Path file, FpmServer server) {
        ScoreboardReader[] reader = new ScoreboardReader[1];
        String[] last = {"no file"};
        FpmServer.await(server, "ready scoreboard " + file + " (" + last[0] + ")", Duration.ofSeconds(30), () -> true, () -> {
            if (!Files.exists(file)) {
                return false;
            }
            try {
                reader[0] = ScoreboardReader.open(file);
                return true;
            } catch (ScoreboardFormatException e) {
                last[0] = e.getMessage();
                return false;
            } catch (IOException e) {
                throw new IllegalStateException("open scoreboard " + file + ": " + e.getMessage(), e);
            }
        });
        return reader[0];
    }

    /** Workers that have accepted a request and not yet returned to accept. */
    static int busy(ScoreboardReader r) {
        int n = 0;
        for (int i = 0; i < r.slotCount(); i++) {
            Optional<SlotSnapshot> s = r.slot(i);
            if (s.isPresent() && s.get().inUse() && s.get().stage() != RequestStage.STARTING && !s.get().isIdle()) {
                n++;
            }
        }
        return n;
    }

    /** Workers blocked in accept. */
    static int idle(ScoreboardReader r) {
        int n = 0;
        for (int i = 0; i < r.slotCount(); i++) {
            Optional<SlotSnapshot> s = r.slot(i);
            if (s.isPresent() && s.get().inUse() && s.get().isIdle()) {
                n++;
            }
        }
        return n;
    }

    /** The in-use slot of worker {@code pid}, if any. */
    static Optional<SlotSnapshot> ofPid(ScoreboardReader r, long pid) {
        return r.slots().stream().filter(s -> s.pid() == pid).findFirst();
    }
}
