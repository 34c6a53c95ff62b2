package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyslogSocketTest {

    @TempDir
    Path dir;

    /** A bound unix datagram socket standing in for the syslog daemon. */
    private static int daemon(Path path) {
        Native.LibC c = Native.libc();
        int fd = Native.check("socket", c.socket(SockAddr.AF_UNIX, 2 | 02000000, 0));
        SockAddr a = SockAddr.unix(path.toString());
        Native.check("bind", c.bind(fd, a.pointer(), a.length()));
        return fd;
    }

    private static String receive(int fd) {
        Pointer buf = Native.allocate(65536);
        long n = Native.libc().recv(fd, buf, 65536, 0x40); // MSG_DONTWAIT: the datagram is there already
        assertTrue(n >= 0, "a datagram is waiting");
        byte[] b = new byte[(int) n];
        buf.get(0, b, 0, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void sendsOneDatagramPerMessageAndReconnectsToARestartedDaemon() throws Exception {
        Path path = dir.resolve("log");
        int d = daemon(path);
        try (SyslogSocket s = SyslogSocket.connect(path)) {
            assertTrue(s.send("<29>hello".getBytes(StandardCharsets.UTF_8)));
            assertTrue(s.send("<29>world".getBytes(StandardCharsets.UTF_8)));
            assertEquals("<29>hello", receive(d));
            assertEquals("<29>world", receive(d));
            Native.libc().close(d); // the daemon restarts: a new socket at the same path
            java.nio.file.Files.delete(path);
            d = daemon(path);
            assertTrue(s.send("<29>again".getBytes(StandardCharsets.UTF_8)), "reconnected");
            assertEquals("<29>again", receive(d));
            assertEquals(0, s.dropped());
        } finally {
            Native.libc().close(d);
        }
    }

    @Test
    void noDaemonIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> SyslogSocket.connect(dir.resolve("none")));
        assertTrue(e.getMessage().startsWith("cannot connect to " + dir.resolve("none") + ": No such file or directory"),
                e.getMessage());
    }
}
