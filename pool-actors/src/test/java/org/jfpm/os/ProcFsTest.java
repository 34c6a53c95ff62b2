package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProcFsTest {
    /** Above the kernel's maximum pid_max (2^22), so it never exists. */
    private static final long NO_SUCH_PID = Integer.MAX_VALUE;

    @Test
    void describesThisJvm() {
        long self = ProcFs.selfPid();
        assertEquals(ProcessHandle.current().pid(), self);
        assertTrue(ProcFs.isAlive(self));
        assertTrue(ProcFs.rssBytes(self) > 10L * 1024 * 1024, "a JVM uses more than 10 MB");
        assertTrue(ProcFs.openFds(self).containsAll(List.of(0, 1, 2)), ProcFs.openFds(self).toString());
        Map<String, String> status = ProcFs.status(self);
        assertEquals(Long.toString(self), status.get("Pid"));
        assertTrue(status.containsKey("SigBlk"));
    }

    @Test
    void aMissingProcessIsNotAnError() {
        assertFalse(ProcFs.isAlive(NO_SUCH_PID));
        assertEquals(-1, ProcFs.rssBytes(NO_SUCH_PID));
        assertEquals(List.of(), ProcFs.openFds(NO_SUCH_PID));
        assertEquals(Map.of(), ProcFs.status(NO_SUCH_PID));
    }

    @Test
    void aZombieIsNotAlive() throws Exception {
        try (Children children = new Children()) {
            var s = children.spawn("/bin/sh", "-c", "exit 0");
            assertEquals(new ExitStatus.Exited(0), s.awaitExit());
            assertFalse(ProcFs.isAlive(s.child().pid()));
            var sleeper = children.spawn("sleep", "30");
            assertTrue(ProcFs.isAlive(sleeper.child().pid()));
            assertTrue(ProcFs.rssBytes(sleeper.child().pid()) > 0);
        }
    }

    /** A status read must never fail on odd statm text (it once took the whole of jfpm down). */
    @Test
    void rssOfMalformedStatmIsUnknownNotAnException() {
        org.junit.jupiter.api.Assertions.assertEquals(-1, ProcFs.rssFromStatm(""));
        org.junit.jupiter.api.Assertions.assertEquals(-1, ProcFs.rssFromStatm("12"));
        org.junit.jupiter.api.Assertions.assertEquals(-1, ProcFs.rssFromStatm("12 x 3"));
        org.junit.jupiter.api.Assertions.assertEquals(-1, ProcFs.rssFromStatm("12 -4 3"));
        org.junit.jupiter.api.Assertions.assertTrue(ProcFs.rssFromStatm("100 25 3 1 0 5 0\n") > 0);
    }
}
