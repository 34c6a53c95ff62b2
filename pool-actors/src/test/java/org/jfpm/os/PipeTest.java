package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;

import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;

class PipeTest {
    private static final int O_CLOEXEC = 02000000;

    @Test
    void carriesBytesAndEndsWithEofOnceTheWriteEndIsClosed() throws Exception {
        try (Pipe pipe = Pipe.open()) {
            assertNotEquals(pipe.readFd(), pipe.writeFd());
            assertEquals(O_CLOEXEC, ListenSocketTest.selfFdFlags(pipe.readFd()) & O_CLOEXEC);
            assertEquals(O_CLOEXEC, ListenSocketTest.selfFdFlags(pipe.writeFd()) & O_CLOEXEC);
            byte[] data = "line one\n".getBytes(StandardCharsets.US_ASCII);
            Pointer p = Native.allocate(data.length);
            p.put(0, data, 0, data.length);
            assertEquals(data.length, Native.libc().write(pipe.writeFd(), p, data.length));
            pipe.closeWriteEnd();
            pipe.closeWriteEnd();
            byte[] buf = new byte[64];
            int n = pipe.read(buf, 3, 20);
            assertEquals("line one\n", new String(buf, 3, n, StandardCharsets.US_ASCII));
            assertEquals(-1, pipe.read(buf, 0, buf.length));
        }
    }

    @Test
    void capturesAChildsOutput() throws Exception {
        try (Pipe pipe = Pipe.open(); Children children = new Children()) {
            var s = children.spawn(SpawnSpec.of(java.util.List.of("/bin/sh", "-c", "echo out; echo err >&2"), java.util.Map.of())
                    .withStdout(pipe.writeFd()).withStderr(pipe.writeFd()));
            pipe.closeWriteEnd();
            assertEquals("out\nerr\n", SpawnerTest.readAll(pipe));
            assertEquals(new ExitStatus.Exited(0), s.awaitExit());
        }
    }
}
