package org.jfpm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.WorkerStatus;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.PoolHeaderSnapshot;
import org.jfpm.scoreboard.ReadBudget;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardReader;
import org.jfpm.scoreboard.SlotSnapshot;
import org.jfpm.scoreboard.SlotWriter;
import org.jfpm.supervisor.status.MetricsExposition;
import org.jfpm.supervisor.status.PoolsApi;
import org.jfpm.supervisor.status.StatusPage;
import org.jfpm.supervisor.status.StatusQuery;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The status server's work for one pool of {@code workers} (500 by default, ScaleTest's pool) without
 * the HTTP layer: taking the snapshot (a consistent copy of every slot of a real mmap'd scoreboard in
 * /dev/shm with one shared read budget, joined with a pid and an RSS per worker, as
 * {@code LiveStatus.read()} does for the master) and rendering it as {@code ?json}, {@code ?json&full},
 * text, {@code /metrics} and {@code /api/pools}, each to UTF-8 bytes as the server sends them. Every
 * worker has attached and served a request (so the slots hold strings and idle ones a CPU figure);
 * a third of them are busy. The slots were all written by this JVM, so the master's pids are made up
 * (10000 + slot), as the master's own records would be.
 *
 * <p>Run: {@code java -cp "$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main StatusRenderBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StatusRenderBenchmark {

    @Param("500")
    public int workers;

    private Path dir;
    private Scoreboard board;
    private ScoreboardReader reader;
    private final List<SlotWriter> writers = new ArrayList<>();
    private PoolHeaderSnapshot header;
    private PoolStatus status;
    private final ZoneId zone = ZoneId.of("UTC");
    private final StatusQuery json = StatusQuery.parse("json");
    private final StatusQuery jsonFull = StatusQuery.parse("json&full");
    private final StatusQuery text = StatusQuery.parse(null);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jfpm-jmh-");
        board = Scoreboard.create(dir, "scale", PmMode.STATIC, Accounting.SDK, workers, workers);
        for (int i = 0; i < workers; i++) {
            int slot = board.allocate(1);
            SlotWriter w = SlotWriter.attach(board.path(), slot);
            w.accepting();
            w.accepted();
            w.requestInfo("GET", "/index.php", i % 2 == 0 ? "" : "page=" + i, "/var/www/html/index.php", 0, "");
            w.executing();
            if (i % 3 != 0) {
                w.accepting(); // idle after its request; every third stays busy
            }
            writers.add(w);
        }
        reader = board.reader();
        header = board.masterHeader();
        status = snapshot();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (SlotWriter w : writers) {
            w.close();
        }
        board.delete();
        Files.deleteIfExists(dir);
    }

    /** Every slot copied under its seqlock (one budget for the view) and decoded, with the master's pid and a known RSS. */
    @Benchmark
    public PoolStatus snapshot() {
        ReadBudget budget = ReadBudget.perView();
        List<WorkerStatus> ws = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            SlotSnapshot s = reader.slot(i, budget).orElse(null);
            if (s != null) {
                ws.add(new WorkerStatus(10_000 + i, s, 30_000_000L));
            }
        }
        return new PoolStatus(header, ws, System.currentTimeMillis() * 1000L, true);
    }

    @Benchmark
    public byte[] renderJson() {
        return bytes(StatusPage.render(status, json, zone));
    }

    @Benchmark
    public byte[] renderJsonFull() {
        return bytes(StatusPage.render(status, jsonFull, zone));
    }

    @Benchmark
    public byte[] renderText() {
        return bytes(StatusPage.render(status, text, zone));
    }

    @Benchmark
    public byte[] renderMetrics() {
        return bytes(MetricsExposition.render(List.of(status), MetricsExposition.Dialect.OPENMETRICS));
    }

    @Benchmark
    public byte[] renderApiPools() {
        return bytes(PoolsApi.render(List.of(status)));
    }

    /** What a {@code ?json&full} answer costs the server before the HTTP layer: snapshot, then render. */
    @Benchmark
    public byte[] snapshotAndRenderJsonFull() {
        return bytes(StatusPage.render(snapshot(), jsonFull, zone));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
