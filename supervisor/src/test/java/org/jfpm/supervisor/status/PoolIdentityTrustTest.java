package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.ListenSocket;
import org.jfpm.pool.Generation;
import org.jfpm.pool.PmConfig;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.Accounting;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.Scoreboard;
import org.jfpm.scoreboard.ScoreboardLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that overwrites its pool's header (name, pm mode, max children, accounting, start time,
 * the master's counters) through its own read-write mapping of the real scoreboard file changes
 * nothing the master's status server, /api/pools or /metrics say about the pool.
 */
class PoolIdentityTrustTest {

    @TempDir
    Path dir;

    @Test
    void aScribbledHeaderDoesNotRenameOrReconfigureThePool() throws Exception {
        try (ListenSocket socket = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 64, -1, "", "")) {
            PmConfig pm = new PmConfig(PmMode.DYNAMIC, 8, 2, 1, 3, 32, Duration.ofSeconds(10), 0);
            PoolConfig config = new PoolConfig("www", List.of("/bin/true"), socket.address(), 64, -1, "", "", "", "", null,
                    true, Map.of(), Accounting.PRELOAD, 15, false, 0, 0, Duration.ZERO, Duration.ZERO, pm);
            Scoreboard sb = Scoreboard.create(dir, "www", PmMode.DYNAMIC, Accounting.PRELOAD, 8, 16);
            sb.incrementSlowRequests();
            long startUs = sb.startTimeUs();
            Generation g = new Generation(1, config, socket, sb, sb.reader(), Map.of(), List.of());

            scribble(sb.path());
            assertEquals("evil", sb.reader().header().poolName(), "the file really was overwritten");
            assertEquals(PmMode.ONDEMAND, sb.reader().header().pmMode());

            PoolStatus status = PoolStatus.ofMaster(g, List.of(), startUs + 5_000_000L);
            assertEquals("www", status.identity().name());
            assertEquals(PmMode.DYNAMIC, status.identity().pmMode());
            assertEquals(8, status.identity().maxChildren());
            assertEquals(startUs, status.identity().startTimeUs());
            assertEquals(1, status.header().slowRequests(), "the master's counter, not the file's 777");

            ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "identity-trust",
                    ConfigFactory.parseString("pekko.loglevel = WARNING"));
            try {
                StatusServer server = StatusServer.start(system, "127.0.0.1", 0,
                        () -> CompletableFuture.completedFuture(List.of(status)), ZoneOffset.UTC, Duration.ofSeconds(3))
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                try {
                    var page = StatusServerTest.get(server, "/status/www");
                    assertEquals(200, page.statusCode(), page.body());
                    assertTrue(page.body().contains("pool:                 www\n"), page.body());
                    assertTrue(page.body().contains("process manager:      dynamic\n"), page.body());
                    assertTrue(page.body().contains("slow requests:        1\n"), page.body());
                    assertEquals(404, StatusServerTest.get(server, "/status/evil").statusCode());
                    assertEquals(200, StatusServerTest.get(server, "/status").statusCode());

                    String metrics = StatusServerTest.get(server, "/metrics").body();
                    assertTrue(metrics.contains("jfpm_max_children{pool=\"www\"} 8\n"), metrics);
                    assertTrue(metrics.contains("jfpm_pool_info{accounting=\"preload\",pool=\"www\",process_manager=\"dynamic\"} 1\n"), metrics);
                    assertFalse(metrics.contains("evil"), metrics);

                    String api = StatusServerTest.get(server, "/api/pools").body();
                    assertTrue(api.contains("\"pool\":\"www\""), api);
                    assertTrue(api.contains("\"max children\":8"), api);
                    assertTrue(api.contains("\"process manager\":\"dynamic\""), api);
                    assertFalse(api.contains("evil"), api);
                } finally {
                    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            sb.delete();
        }
    }

    /** What a hostile worker can do with its read-write mapping: rewrite the master's header words. */
    private static void scribble(Path file) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            var map = ch.map(FileChannel.MapMode.READ_WRITE, 0, ScoreboardLayout.HEADER_SIZE).order(ByteOrder.nativeOrder());
            map.putLong(ScoreboardLayout.HEADER_PM_MODE_OFFSET, PmMode.ONDEMAND.code());
            map.putLong(ScoreboardLayout.HEADER_MAX_CHILDREN_OFFSET, 999);
            map.putLong(ScoreboardLayout.HEADER_ACCOUNTING_OFFSET, Accounting.NONE.code());
            map.putLong(ScoreboardLayout.HEADER_START_TIME_US_OFFSET, 1);
            map.putLong(ScoreboardLayout.HEADER_SLOW_REQUESTS_OFFSET, 777);
            byte[] name = new byte[ScoreboardLayout.HEADER_POOL_NAME_LENGTH];
            byte[] evil = "evil".getBytes(StandardCharsets.UTF_8);
            System.arraycopy(evil, 0, name, 0, evil.length);
            map.put(ScoreboardLayout.HEADER_POOL_NAME_OFFSET, name);
        }
    }
}
