package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Utf8FieldTest {

    @ParameterizedTest(name = "{0} x{1} in {2} bytes keeps {3}")
    @CsvSource({
            "a, 20, 16, 15",
            "a, 15, 16, 15",
            "a, 3, 16, 3",
            "é, 8, 16, 7",
            "€, 6, 16, 5",
            "😀, 4, 16, 3",
            "😀, 3, 16, 3",
            "é, 600, 512, 255",
    })
    void cutsAtACharacterBoundaryAndLeavesANul(String unit, int repeat, int length, int keptUnits) {
        ByteBuffer buf = ByteBuffer.allocate(length + 2);
        Arrays.fill(buf.array(), (byte) 'x');
        Utf8Field.write(buf, 1, length, unit.repeat(repeat));
        byte[] field = Arrays.copyOfRange(buf.array(), 1, 1 + length);
        assertEquals(unit.repeat(keptUnits), Utf8Field.read(field, 0, length));
        assertEquals(0, field[length - 1], "last byte is NUL");
        int used = unit.repeat(keptUnits).getBytes(StandardCharsets.UTF_8).length;
        for (int i = used; i < length; i++) {
            assertEquals(0, field[i], "byte " + i + " is NUL padding");
        }
        assertEquals('x', buf.get(0));
        assertEquals('x', buf.get(length + 1), "nothing written past the field");
    }

    @Test
    void aShorterValueClearsTheRestOfALongerOne() {
        ByteBuffer buf = ByteBuffer.allocate(32);
        Utf8Field.write(buf, 0, 32, "/a/very/long/uri/indeed");
        Utf8Field.write(buf, 0, 32, "/b");
        assertEquals("/b", Utf8Field.read(buf.array(), 0, 32));
        Utf8Field.write(buf, 0, 32, null);
        assertEquals("", Utf8Field.read(buf.array(), 0, 32));
    }

    @Test
    void unpairedSurrogatesBecomeQuestionMarks() {
        ByteBuffer buf = ByteBuffer.allocate(16);
        Utf8Field.write(buf, 0, 16, "a\uD800b\uDC00");
        assertEquals("a?b?", Utf8Field.read(buf.array(), 0, 16));
    }

    @Test
    void readsUntrustedBytesSafely() {
        byte[] noNul = "abcd".getBytes(StandardCharsets.US_ASCII);
        assertEquals("abcd", Utf8Field.read(noNul, 0, 4));
        byte[] malformed = {(byte) 0xFF, 'a', (byte) 0xC3, 0};
        assertEquals("\uFFFDa\uFFFD", Utf8Field.read(malformed, 0, 4));
        byte[] controls = {'a', 0x1B, '[', '2', 'J', '\n', 0};
        assertEquals("a\uFFFD[2J\uFFFD", Utf8Field.read(controls, 0, controls.length));
    }
}
