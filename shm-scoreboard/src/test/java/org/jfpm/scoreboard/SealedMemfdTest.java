package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealedMemfdTest {

    @TempDir
    Path dir;

    @Test
    void carriesTheSealsAndAnFdAbove63() throws IOException {
        try (SealedMemfd m = SealedMemfd.create("jfpm-test", 8192)) {
            assertEquals(SealedMemfd.SEALS, m.seals());
            assertTrue(m.fd() >= 64, "fd " + m.fd());
            assertEquals(8192, Files.size(m.selfPath()));
            assertTrue(Files.readSymbolicLink(m.selfPath()).toString().startsWith("/memfd:jfpm-test"));
        }
    }

    @Test
    void nobodyCanShrinkOrGrowIt() throws IOException {
        try (SealedMemfd m = SealedMemfd.create("jfpm-test", 8192);
             FileChannel other = FileChannel.open(m.selfPath(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            IOException shrink = assertThrows(IOException.class, () -> other.truncate(0));
            assertTrue(shrink.getMessage().contains("not permitted"), shrink.getMessage());
            assertThrows(IOException.class, () -> other.write(ByteBuffer.wrap(new byte[1]), 8192));
            other.write(ByteBuffer.wrap(new byte[] {42}), 100);
            assertEquals(8192, other.size());
        }
    }

    @Test
    void anotherProcessCannotTruncateTheScoreboardThroughItsLink() throws Exception {
        try (Scoreboard sb = Scoreboard.create(dir, "www", PmMode.STATIC, Accounting.PRELOAD, 2, 2)) {
            long size = Files.size(sb.path());
            Process p = new ProcessBuilder("truncate", "-s", "0", sb.path().toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertNotEquals(0, p.waitFor(), out);
            assertTrue(out.contains("Operation not permitted"), out);
            assertEquals(size, Files.size(sb.path()));
            assertEquals("www", sb.reader().header().poolName(), "the master's mapping is intact");
        }
    }

    @Test
    void rejectsBadNamesAndSizes() {
        assertThrows(IllegalArgumentException.class, () -> SealedMemfd.create("a\0b", 10));
        assertThrows(IllegalArgumentException.class, () -> SealedMemfd.create("x".repeat(250), 10));
        assertThrows(IllegalArgumentException.class, () -> SealedMemfd.create("ok", 0));
    }
}
