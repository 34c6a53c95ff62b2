package org.jfpm.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.jfpm.scoreboard.RequestStage;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlowLogTest {

    @TempDir
    Path dir;

    @Test
    void entriesHavePhpFpmsHeadAndScriptLineAndAreAppended() throws Exception {
        SlotSnapshot s = new SlotSnapshot(0, true, 1234, 1, RequestStage.EXECUTING, 1, 2, 3, 1, 0, 0, 0, 0,
                "GET", "/slow.php", "id=7", "/srv/www/slow.php", "");
        ZonedDateTime when = ZonedDateTime.of(2026, 12, 2, 15, 41, 59, 0, ZoneId.of("UTC"));
        String entry = SlowLog.entry(when, "www", 1234, s, 5_000_123);
        assertEquals("""

                [02-Dec-2026 15:41:59]  [pool www] pid 1234
                script_filename = /srv/www/slow.php
                request = "GET /slow.php?id=7" (5.000123 sec)
                [no backtrace: jfpm does not ptrace its workers]
                """, entry);
        Path file = dir.resolve("slow.log");
        SlowLog.append(file, entry);
        SlowLog.append(file, entry);
        assertEquals(entry + entry, Files.readString(file));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(RequestStage.EXECUTING, s.stage());
    }
}
