package org.jfpm.supervisor.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jfpm.supervisor.status.PoolFields;
import org.junit.jupiter.api.Test;

/** {@link TopScreen}: the layout into a width and height, the escapes, the number formats. */
class TopScreenTest {

    private static final TopScreen.View VIEW = new TopScreen.View("10:02:03", 1, SortKey.STATE, null, true);

    private static PoolFields fields(String name) {
        return new PoolFields(name, "dynamic", 0, 0, 1234, 0, 2, 511, 2, 1, 3, 3, 0, 0, 5, 0, "sdk");
    }

    private static TopPool pool(String name, List<TopRow> rows) {
        return new TopPool(name, null, fields(name), 12.5, null, 0, rows);
    }

    private static final TopRow BUSY = new TopRow(1, 48213, "Running", 0, 17, 2_510_000, Double.NaN, 40_056_832,
            "GET /sleep?ms=3000 (/srv/www/hello.php)");
    private static final TopRow IDLE = new TopRow(0, 48212, "Idle", 2, 16, 1_500, 42.0, 39_000_000, "GET /index.php");

    private static String text(List<TopScreen.Line> lines) {
        return TopScreen.plain(lines);
    }

    @Test
    void aPoolShowsItsHeaderThenOneRowPerWorkerBusyFirst() {
        String s = text(TopScreen.lines(VIEW, List.of(pool("www", List.of(IDLE, BUSY))), 160, 50));
        assertEquals("""
                jfpm top  10:02:03  every 1s  sort: state  pools: all   q quit  s sort  p pool  space refresh

                 www  dynamic  processes 3 (active 1, idle 2, max children 5)  listen queue 0/511 (max 2)
                 accepted conn 1234  12.5 req/s  max active 3  max children reached 0  slow requests 0
                SLOT   PID STATE   REQS     DUR  CPU%    RSS REQUEST
                   1 48213 Running   17   2.51s     -  38.2M GET /sleep?ms=3000 (/srv/www/hello.php)
                   0 48212 Idle      16     1ms  42.0  37.2M GET /index.php
                """, s);
    }

    @Test
    void everyLineFitsTheWidthAndTheHeightSaysWhatWasLeftOut() {
        TopRow longUri = new TopRow(2, 7, "Running", 0, 1, 5, Double.NaN, -1, "GET /" + "\u4e2d".repeat(300));
        List<TopScreen.Line> lines = TopScreen.lines(VIEW, List.of(pool("www", List.of(BUSY, IDLE, longUri))), 40, 6);
        assertEquals(6, lines.size());
        for (TopScreen.Line l : lines) {
            assertTrue(Cells.width(l.text()) <= 40, l.text());
        }
        assertEquals("... 3 more lines (p: one pool at a time)", lines.get(5).text());
    }

    @Test
    void theSortColumnIsMarkedInTheHeading() {
        for (SortKey k : SortKey.values()) {
            TopScreen.View v = new TopScreen.View("t", 1, k, null, false);
            TopScreen.Line heading = TopScreen.lines(v, List.of(pool("www", List.of(BUSY))), 160, 50).stream()
                    .filter(l -> l.text().startsWith("SLOT")).findFirst().orElseThrow();
            String marked = heading.text().substring(heading.markFrom(), heading.markTo()).trim();
            String expected = switch (k) {
                case SLOT -> "SLOT";
                case PID -> "PID";
                case STATE -> "STATE";
                case REQUESTS -> "REQS";
                case DURATION -> "DUR";
                case CPU -> "CPU%";
                case RSS -> "RSS";
            };
            assertEquals(expected, marked, k.label());
        }
    }

    @Test
    void anUnreadablePoolShowsItsErrorAndAStoppedMasterItsNote() {
        TopPool missing = TopPool.failed("api", "no scoreboard file /dev/shm/jfpm-api.scoreboard");
        TopPool frozen = new TopPool("www", null, fields("www"), Double.NaN, "master 42 is stopped (SIGSTOP or a debugger)", 2,
                List.of());
        String s = text(TopScreen.lines(VIEW, List.of(frozen, missing), 160, 50));
        assertTrue(s.contains("\n api  no scoreboard file /dev/shm/jfpm-api.scoreboard\n"), s);
        assertTrue(s.contains(" - req/s"), s);
        assertTrue(s.contains("unreadable slots 2"), s);
        assertTrue(s.contains("\n master 42 is stopped (SIGSTOP or a debugger)\n"), s);
        assertTrue(s.contains(" (no workers)"), s);
    }

    @Test
    void theAnsiFrameDrawsOverThePreviousOneAndCarriesNoWorkerEscape() {
        TopRow evil = TopRow.of(0, new org.jfpm.supervisor.status.ProcessFields(1, org.jfpm.scoreboard.RequestStage.EXECUTING,
                "Running", 0, 0, 1, 5, "GET\u001b[2J", "/\u001b]0;title\u0007", 0, "-", "\u009b31m", 0, 0, -1));
        assertEquals("GET?[2J /?]0;title? (?31m)", evil.request());
        String frame = TopScreen.ansi(TopScreen.lines(VIEW, List.of(pool("www", List.of(evil))), 80, 24), 80);
        assertTrue(frame.startsWith("\u001b[H"), frame);
        assertTrue(frame.endsWith("\u001b[J"), frame);
        assertFalse(frame.contains("\u001b[2J") || frame.contains("\u001b]") || frame.contains("\u009b") || frame.contains("\u0007"),
                frame);
        assertTrue(frame.contains("\u001b[7m www  dynamic"), "the pool header in reverse video: " + frame);
        assertFalse(frame.endsWith("\n\u001b[J"), "no newline after the last line: the screen must not scroll");
    }

    @Test
    void numberFormats() {
        assertEquals("850us", TopScreen.duration(850));
        assertEquals("12ms", TopScreen.duration(12_345));
        assertEquals("2.51s", TopScreen.duration(2_519_000));
        assertEquals("12m05s", TopScreen.duration(725_000_000));
        assertEquals("3h02m", TopScreen.duration(10_920_000_000L));
        assertEquals("2562047788h00m", TopScreen.duration(Long.MAX_VALUE));
        assertEquals("-", TopScreen.bytes(-1));
        assertEquals("512K", TopScreen.bytes(512 * 1024));
        assertEquals("38.2M", TopScreen.bytes(40_056_832));
        assertEquals("8.0E", TopScreen.bytes(Long.MAX_VALUE));
        assertEquals("-", TopScreen.percent(Double.NaN));
        assertEquals(">9999", TopScreen.percent(1e300));
        assertEquals("0.5", TopScreen.percent(0.5));
        assertEquals("-", TopScreen.rate(Double.NaN));
        assertEquals("12.5", TopScreen.rate(12.5));
        assertEquals("0.5s", TopScreen.seconds(0.5));
        assertEquals("1s", TopScreen.seconds(1));
    }
}
