package org.jfpm.supervisor.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TopCommand}'s keys and its terminal check. */
class TopCommandTest {

    private final TopCommand top = new TopCommand(new TopCommand.Options(List.of("www", "api"), 1, 0, false, "state"),
            Path.of("/nonexistent"));

    @Test
    void qAndCtrlDQuitAndOtherKeysAreIgnored() {
        assertEquals(TopCommand.Action.QUIT, top.onKey('q'));
        assertEquals(TopCommand.Action.QUIT, top.onKey('Q'));
        assertEquals(TopCommand.Action.QUIT, top.onKey(4));
        assertEquals(TopCommand.Action.NONE, top.onKey(26), "Ctrl-Z is only a key");
        assertEquals(TopCommand.Action.NONE, top.onKey(0x1b), "an arrow key's ESC");
        assertEquals(TopCommand.Action.REFRESH, top.onKey(' '));
    }

    @Test
    void sCyclesTheSortAndPCyclesThePoolsThenAll() {
        assertEquals(TopCommand.Action.REDRAW, top.onKey('s'));
        assertEquals(SortKey.PID, top.sort());
        assertNull(top.selectedPool());
        assertEquals(TopCommand.Action.REDRAW, top.onKey('p'));
        assertEquals("www", top.selectedPool());
        top.onKey('p');
        assertEquals("api", top.selectedPool());
        top.onKey('p');
        assertNull(top.selectedPool());
    }

    @Test
    void aPipeIsNotATerminal() {
        // surefire gives the forked test JVM pipes for stdin and stdout
        assertFalse(TopCommand.isTerminal(1));
        assertFalse(TopCommand.isTerminal(12345));
    }
}
