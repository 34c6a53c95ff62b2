package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreboardTest {

    @TempDir
    Path dir;

    private Scoreboard create(String pool, int slots) {
        return Scoreboard.create(dir, pool, PmMode.DYNAMIC, Accounting.PRELOAD, 5, slots);
    }

    @Test
    void createsAReadyFileWhoseHeaderReadsBack() throws Exception {
        long before = Words.nowUs();
        try (Scoreboard sb = create("www", 4)) {
            assertEquals(dir.resolve("jfpm-www.scoreboard"), sb.path());
            assertEquals(ScoreboardLayout.fileSize(4), Files.size(sb.path()));
            PoolHeaderSnapshot h = ScoreboardReader.open(sb.path()).header();
            assertEquals("www", h.poolName());
            assertEquals(PmMode.DYNAMIC, h.pmMode());
            assertEquals(Accounting.PRELOAD, h.accounting());
            assertEquals(ProcessHandle.current().pid(), h.masterPid());
            assertEquals(4, h.slotCount());
            assertEquals(5, h.maxChildren());
            assertTrue(h.startTimeUs() >= before && h.startTimeUs() <= Words.nowUs(), "start time is now");
            assertEquals(h.startTimeUs(), h.heartbeatUs());
            assertEquals(0, h.acceptedConn());
            assertEquals(ScoreboardLayout.VERSION, FileWords.getLong(sb.path(), ScoreboardLayout.HEADER_VERSION_OFFSET));
        }
    }

    @Test
    void headerCountersRoundTripThroughTheReader() {
        try (Scoreboard sb = create("www", 2)) {
            ScoreboardReader reader = sb.reader();
            long firstBeat = reader.header().heartbeatUs();
            sb.setListenQueue(5, 128);
            sb.setListenQueue(2, 128);
            sb.updateMaxActive(3);
            sb.updateMaxActive(2);
            sb.incrementMaxChildrenReached();
            sb.incrementSlowRequests();
            sb.incrementSlowRequests();
            sb.incrementTerminatedRequests();
            sb.setGeneration(4);
            sb.heartbeat();
            PoolHeaderSnapshot h = reader.header();
            assertEquals(2, h.listenQueue());
            assertEquals(5, h.maxListenQueue());
            assertEquals(128, h.listenQueueLen());
            assertEquals(3, h.maxActiveProcesses());
            assertEquals(1, h.maxChildrenReached());
            assertEquals(2, h.slowRequests());
            assertEquals(1, h.terminatedRequests());
            assertTrue(h.heartbeatUs() >= firstBeat);
        }
    }

    /** The status server reads the master's header and raises max active on its own threads while the pool works. */
    @Test
    void masterHeaderAndMaxActiveAreSafeFromOtherThreadsAndAfterClose() throws Exception {
        Scoreboard sb = create("www", 2);
        Thread[] raisers = new Thread[4];
        for (int t = 0; t < raisers.length; t++) {
            int base = t;
            raisers[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    sb.updateMaxActive((i * 4L + base) % 97);
                    sb.masterHeader();
                }
            });
            raisers[t].start();
        }
        for (int i = 0; i < 1000; i++) {
            sb.incrementSlowRequests(); // the owner keeps working meanwhile
        }
        for (Thread t : raisers) {
            t.join();
        }
        PoolHeaderSnapshot h = sb.masterHeader();
        assertEquals(96, h.maxActiveProcesses(), "the highest raise wins, whatever the interleaving");
        assertEquals(96, sb.reader().header().maxActiveProcesses(), "the file's word too");
        assertEquals(1000, h.slowRequests());

        sb.close();
        sb.updateMaxActive(120); // a status reader that still holds the closed generation
        PoolHeaderSnapshot closed = sb.masterHeader();
        assertEquals("www", closed.poolName());
        assertEquals(120, closed.maxActiveProcesses(), "the master's own copy still rises after close");
        assertEquals(1000, closed.slowRequests());
        sb.delete();
    }

    @Test
    void allocatesFirstFreeSlotsUntilFullThenReusesFreedOnes() {
        try (Scoreboard sb = create("www", 3)) {
            ScoreboardReader reader = sb.reader();
            assertEquals(0, sb.allocate(1));
            assertEquals(1, sb.allocate(1));
            assertEquals(2, sb.allocate(2));
            assertEquals(-1, sb.allocate(2));
            assertEquals(List.of(0, 1, 2), reader.slots().stream().map(SlotSnapshot::index).toList());

            sb.free(1);
            assertFalse(sb.isAllocated(1));
            SlotSnapshot freed = reader.slot(1).orElseThrow();
            assertFalse(freed.inUse());
            assertEquals(0, freed.generation());
            assertEquals(0, freed.startTimeUs());
            assertEquals(List.of(0, 2), reader.slots().stream().map(SlotSnapshot::index).toList());

            assertEquals(1, sb.allocate(7));
            SlotSnapshot s = reader.slot(1).orElseThrow();
            assertTrue(s.inUse());
            assertEquals(7, s.generation());
            assertEquals(RequestStage.STARTING, s.stage());
            assertEquals(0, s.pid());
            assertTrue(s.startTimeUs() > 0);
            assertEquals(-1, sb.allocate(7));
        }
    }

    @Test
    void allocationZeroesWhatThePreviousWorkerLeft() throws Exception {
        try (Scoreboard sb = create("www", 1)) {
            int slot = sb.allocate(1);
            try (SlotWriter w = SlotWriter.attach(sb.path(), slot)) {
                w.accepted();
                w.requestInfo("GET", "/old", "q", "/s.php", 9, "bob");
            }
            sb.free(slot);
            assertEquals(slot, sb.allocate(2));
            SlotSnapshot s = sb.reader().slot(slot).orElseThrow();
            assertEquals(List.of(0L, 0L, 0L, 0L), List.of(s.pid(), s.requests(), s.contentLength(), s.acceptedTimeUs()));
            assertEquals(List.of("", "", "", "", ""), List.of(s.method(), s.uri(), s.queryString(), s.script(), s.user()));
        }
    }

    @Test
    void freeingAFreeSlotIsABug() {
        try (Scoreboard sb = create("www", 2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> sb.free(1));
            assertTrue(e.getMessage().contains("not allocated"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> sb.free(2));
        }
    }

    @Test
    void replacesAFileLeftByADeadMaster() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path file;
        Object oldInode;
        try (Scoreboard old = create("www", 2)) {
            file = old.path();
            FileWords.putLong(file, ScoreboardLayout.HEADER_MASTER_PID_OFFSET, gone.pid());
            oldInode = Files.getAttribute(file, "unix:ino");
            try (Scoreboard sb = create("www", 3)) {
                assertNotEquals(oldInode, Files.getAttribute(file, "unix:ino"), "a new memfd, not the old mapping");
                PoolHeaderSnapshot h = ScoreboardReader.open(file).header();
                assertEquals(ProcessHandle.current().pid(), h.masterPid());
                assertEquals(3, h.slotCount());
            }
        }
    }

    @Test
    void replacesTheDanglingLinkOfAGoneMaster() throws Exception {
        Path file;
        try (Scoreboard old = create("www", 2)) {
            file = old.path();
        }
        assertTrue(Files.isSymbolicLink(file), "a closed scoreboard leaves its link (dangling, or to a reused fd)");
        try (Scoreboard sb = create("www", 3)) {
            PoolHeaderSnapshot h = ScoreboardReader.open(file).header();
            assertEquals(ProcessHandle.current().pid(), h.masterPid());
            assertEquals(3, h.slotCount());
        }
    }

    @Test
    void replacesItsOwnFileAndFilesThatAreNotScoreboards() throws Exception {
        try (Scoreboard first = create("www", 2)) {
            first.allocate(1);
        }
        try (Scoreboard again = create("www", 2)) {
            assertEquals(List.of(), again.reader().slots());
        }
        Path junk = dir.resolve("jfpm-junk.scoreboard");
        Files.write(junk, "not a scoreboard".getBytes(StandardCharsets.US_ASCII));
        try (Scoreboard sb = create("junk", 1)) {
            assertEquals("junk", ScoreboardReader.open(junk).header().poolName());
        }
    }

    @Test
    void refusesAFileOfALiveMasterAndNamesFileAndPid() throws Exception {
        Process master = new ProcessBuilder("sleep", "30").start();
        try {
            try (Scoreboard other = create("www", 2)) {
                Path file = other.path();
                FileWords.putLong(file, ScoreboardLayout.HEADER_MASTER_PID_OFFSET, master.pid());
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> create("www", 2));
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("pid " + master.pid()), e.getMessage());
                assertEquals(master.pid(), FileWords.getLong(file, ScoreboardLayout.HEADER_MASTER_PID_OFFSET), "left alone");
            }
        } finally {
            master.destroyForcibly().waitFor();
        }
    }

    @Test
    void treatsALivePidThatStartedAfterTheFileAsReused() throws Exception {
        Process unrelated = new ProcessBuilder("sleep", "30").start();
        try {
            try (Scoreboard old = create("www", 2)) {
                Path file = old.path();
                FileWords.putLong(file, ScoreboardLayout.HEADER_MASTER_PID_OFFSET, unrelated.pid());
                FileWords.putLong(file, ScoreboardLayout.HEADER_START_TIME_US_OFFSET, 1_000_000L);
                try (Scoreboard sb = create("www", 2)) {
                    assertEquals(ProcessHandle.current().pid(), sb.reader().header().masterPid());
                }
            }
        } finally {
            unrelated.destroyForcibly().waitFor();
        }
    }

    @Test
    void cutsALongPoolNameInTheHeaderButNotInTheFileName() throws Exception {
        String name = "pool-" + "é".repeat(40);
        try (Scoreboard sb = create(name, 1)) {
            assertEquals(dir.resolve("jfpm-" + name + ".scoreboard"), sb.path());
            String stored = sb.reader().header().poolName();
            assertTrue(name.startsWith(stored), stored);
            assertEquals(5 + 29, stored.length(), "63 bytes: 'pool-' and 29 two-byte characters");
        }
    }

    @Test
    void rejectsPoolNamesThatEscapeTheDirectory() {
        for (String bad : new String[] {"", "a/b", "..", ".", "a\0b"}) {
            assertThrows(IllegalArgumentException.class, () -> create(bad, 1), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> create("www", 0));
    }

    @Test
    void closeStopsTheMasterButNotItsReadersAndDeleteUnlinks() throws Exception {
        Scoreboard sb = create("www", 2);
        sb.allocate(3);
        ScoreboardReader reader = sb.reader();
        sb.close();
        sb.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sb.allocate(1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(3, reader.slot(0).orElseThrow().generation());
        assertTrue(Files.isSymbolicLink(sb.path()));
        sb.delete();
        assertFalse(Files.exists(sb.path(), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(new Object[] {"www", 1}, new Object[] {reader.header().poolName(), reader.slots().size()});
    }
}
