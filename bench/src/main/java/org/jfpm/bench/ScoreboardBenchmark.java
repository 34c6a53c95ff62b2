package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;
import org.jfpm.scoreboard.SlotWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The scoreboard's hot paths on a real mmap'd file in /dev/shm: a consistent slot read
 * ({@link ScoreboardReader#slot}, what the master, the status page and the CLI do per worker) and
 * the worker SDK's stage transitions ({@link SlotWriter}, one seqlock write each), alone and with a
 * reader and a writer on the same slot at once. Closing a request ({@code accepting()} after
 * {@code accepted()}) also reads the thread's CPU clock and {@code /proc/self/statm}; {@code
 * stageWrite} is a stage change alone.
 *
 * <p>Run: {@code java -cp "$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main ScoreboardBenchmark}
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ScoreboardBenchmark {
    private Path dir;
    private Scoreboard board;
    private ScoreboardReader reader;
    private SlotWriter writer;
    private int slot;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jfpm-jmh-");
        board = Scoreboard.create(dir, "jmh", PmMode.DYNAMIC, Accounting.SDK, 32, 32);
        slot = board.allocate(1);
        writer = SlotWriter.attach(board.path(), slot);
        writer.accepting();
        writer.accepted();
        reader = board.reader();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        writer.close();
        board.delete();
        Files.deleteIfExists(dir);
    }

    /** One consistent slot copy, decoded (strings included). */
    @Benchmark
    @Group("read")
    public Optional<SlotSnapshot> readSlot() {
        return reader.slot(slot);
    }

    /** One stage change in an open request: a bare seqlock write of the slot (no clock or /proc reads). */
    @Benchmark
    @Group("stageWrite")
    public void executing() {
        writer.executing();
    }

    /** What the preload library does per request: accept returned, then back to accept. */
    @Benchmark
    @Group("acceptCycle")
    public void acceptedThenAccepting() {
        writer.accepted();
        writer.accepting();
    }

    /** A full SDK request: accepted, request info (5 strings), executing, back to accept. */
    @Benchmark
    @Group("requestCycle")
    public void fullRequestCycle() {
        writer.accepted();
        writer.requestInfo("GET", "/index.php", "a=1&b=2", "/var/www/html/index.php", 0, "");
        writer.executing();
        writer.accepting();
    }

    /** A reader and a writer on the same slot at once: retries under the seqlock. */
    @Benchmark
    @Group("contended")
    @GroupThreads(1)
    public Optional<SlotSnapshot> contendedRead() {
        return reader.slot(slot);
    }

    @Benchmark
    @Group("contended")
    @GroupThreads(1)
    public void contendedWrite() {
        writer.accepted();
        writer.accepting();
    }
}
