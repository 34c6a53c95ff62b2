package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jfpm.supervisor.status.MiniJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 8: max active processes counts workers in a request only, never starting ones or spawns in flight. */
class MaxActiveProcessesTest {

    @TempDir
    Path tmp;

    @Test
    void tenSequentialRequestsGiveOne() {
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named("www", Workers.python(), "preload").staticPm(3))
                .start()) {
            jfpm.awaitIdle("www", 3, Duration.ofSeconds(30));
            for (int i = 0; i < 10; i++) {
                assertEquals(200, Http.get(jfpm.pool("www").address(), "/").status());
            }
            jfpm.awaitIdle("www", 3, Duration.ofSeconds(10));
            Map<String, Object> s = MiniJson.object(Http.get(jfpm.statusAddress(), "/status/www?json").body());
            assertEquals(10L, s.get("accepted conn"), "the requests sent");
            assertEquals(1L, s.get("max active processes"), "one request at a time: " + s);
        }
    }
}
