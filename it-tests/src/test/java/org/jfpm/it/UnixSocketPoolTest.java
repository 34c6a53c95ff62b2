package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 2: a pool on a unix socket serves, and the socket file has the configured mode. */
class UnixSocketPoolTest {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    @TempDir
    Path tmp;

    @Test
    void servesOnAUnixSocketWithTheConfiguredMode() throws IOException {
        Path socket = tmp.resolve("www.sock");
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named("www", Workers.python(), "none").staticPm(2).listenUnix(socket, "0640"))
                .start()) {
            int mode = (Integer) Files.getAttribute(socket, "unix:mode");
            assertEquals(S_IFSOCK, mode & S_IFMT, socket + " is a socket (mode 0" + Integer.toOctalString(mode) + ")");
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)),
                    "listen-mode 0640 on " + socket);

            jfpm.pollUntil(() -> jfpm.livePids("www").size() == 2, Duration.ofSeconds(15), "2 workers started");
            for (int i = 0; i < 4; i++) {
                Http.Response r = Http.get(jfpm.pool("www").address(), "/");
                assertEquals(200, r.status(), r.body());
                assertTrue(jfpm.livePids("www").contains(r.workerPid()), "answered by a worker of the pool: " + r.body());
            }
        }
    }
}
