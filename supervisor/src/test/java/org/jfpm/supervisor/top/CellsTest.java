package org.jfpm.supervisor.top;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Cells}: worker strings reach the terminal only as their own cells. */
class CellsTest {

    @Test
    void escapesAndControlsBecomeQuestionMarks() {
        assertEquals("?[2J?]0;pwned?/x?y", Cells.clean("\u001b[2J\u009b]0;pwned\u0007/x\ny"));
        assertEquals("a?b", Cells.clean("a\u007fb"));
    }

    @Test
    void formatCharactersAndCombiningMarksCannotReorderOrStackText() {
        assertEquals("?txt.php?", Cells.clean("\u202etxt.php\u200d"));
        assertEquals("e?", Cells.clean("e\u0301"));
        assertEquals("?", Cells.clean("\ud800"), "an unpaired surrogate");
    }

    @Test
    void printableTextIsKeptAsItIs() {
        String s = "GET /caf\u00e9/\u4e2d\u6587?q=1 \ud83d\ude00";
        assertEquals(s, Cells.clean(s));
        assertEquals("", Cells.clean(null));
    }

    @Test
    void cleanLooksAtABoundedPrefix() {
        assertEquals(Cells.MAX_CHARS, Cells.clean("x".repeat(100_000)).length());
    }

    @Test
    void wideCharactersTakeTwoCellsAndAreNeverSplit() {
        assertEquals(4, Cells.width("\u4e2d\u6587"));
        assertEquals(2, Cells.width("\ud83d\ude00"));
        assertEquals("\u4e2d", Cells.fit("\u4e2d\u6587", 3));
        assertEquals("\u4e2d ", Cells.padRight("\u4e2d\u6587", 3));
        assertEquals(" \u4e2d", Cells.padLeft("\u4e2d\u6587", 3));
        assertEquals("", Cells.fit("\ud83d\ude00", 1));
    }

    @Test
    void padsFillAndCutToExactlyTheWidth() {
        assertEquals("ab  ", Cells.padRight("ab", 4));
        assertEquals("  ab", Cells.padLeft("ab", 4));
        assertEquals("abc", Cells.padRight("abcdef", 3));
        assertEquals("", Cells.fit("abc", 0));
        assertTrue(Cells.fit("abc", -5).isEmpty());
    }
}
