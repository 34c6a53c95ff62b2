package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoreboardLayoutTest {

    record FieldSpan(String name, int offset, int size, boolean string) {
        int end() {
            return offset + size;
        }
    }

    /** Every {@code PREFIX_*_OFFSET} constant, sized by its {@code _LENGTH} twin (strings) or 8 (words). */
    static List<FieldSpan> fields(String prefix) throws IllegalAccessException {
        List<FieldSpan> spans = new ArrayList<>();
        for (Field f : ScoreboardLayout.class.getFields()) {
            String name = f.getName();
            if (Modifier.isStatic(f.getModifiers()) && name.startsWith(prefix) && name.endsWith("_OFFSET")) {
                String base = name.substring(0, name.length() - "_OFFSET".length());
                int length = lengthOf(base + "_LENGTH");
                spans.add(new FieldSpan(base, f.getInt(null), length < 0 ? 8 : length, length >= 0));
            }
        }
        spans.sort(Comparator.comparingInt(FieldSpan::offset));
        return spans;
    }

    private static int lengthOf(String name) throws IllegalAccessException {
        try {
            return ScoreboardLayout.class.getField(name).getInt(null);
        } catch (NoSuchFieldException e) {
            return -1;
        }
    }

    @Test
    void everyWordIsEightByteAligned() throws Exception {
        for (String prefix : List.of("HEADER_", "SLOT_")) {
            for (FieldSpan f : fields(prefix)) {
                assertEquals(0, f.offset() % 8, f.name() + " at " + f.offset());
            }
        }
    }

    @Test
    void headerFieldsDoNotOverlapAndFitTheHeader() throws Exception {
        assertNoOverlap(fields("HEADER_"), ScoreboardLayout.HEADER_SIZE);
        assertEquals(23, fields("HEADER_").size());
    }

    @Test
    void slotFieldsDoNotOverlapAndStringsEndInsideTheSlot() throws Exception {
        List<FieldSpan> slot = fields("SLOT_");
        assertNoOverlap(slot, ScoreboardLayout.SLOT_SIZE);
        assertEquals(19, slot.size());
        assertEquals(5, slot.stream().filter(FieldSpan::string).count());
        assertEquals(slot.get(slot.size() - 1).end(), ScoreboardLayout.SLOT_DATA_END);
        assertEquals(ScoreboardLayout.SLOT_SEQ_OFFSET, slot.get(0).offset(), "seq comes first");
    }

    private static void assertNoOverlap(List<FieldSpan> spans, int regionSize) {
        for (int i = 1; i < spans.size(); i++) {
            FieldSpan prev = spans.get(i - 1);
            assertTrue(prev.end() <= spans.get(i).offset(), prev.name() + " overlaps " + spans.get(i).name());
        }
        FieldSpan last = spans.get(spans.size() - 1);
        assertTrue(last.end() <= regionSize, last.name() + " ends at " + last.end());
    }

    @Test
    void magicSpellsJfpmscb1InFileOrder() {
        byte[] bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(ScoreboardLayout.MAGIC).array();
        assertEquals("JFPMSCB1", new String(bytes, StandardCharsets.US_ASCII));
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "layout v1 targets little-endian hosts");
    }

    @Test
    void fileSizeAndSlotOffsetFollowTheGeometry() {
        assertEquals(4096, ScoreboardLayout.fileSize(0));
        assertEquals(4096 + 3 * 2048, ScoreboardLayout.fileSize(3));
        assertEquals(4096, ScoreboardLayout.slotOffset(0));
        assertEquals(4096 + 2 * 2048, ScoreboardLayout.slotOffset(2));
        assertTrue(ScoreboardLayout.fileSize(ScoreboardLayout.MAX_SLOT_COUNT) <= Integer.MAX_VALUE);
        assertTrue(ScoreboardLayout.fileSize(ScoreboardLayout.MAX_SLOT_COUNT) + 2048 > Integer.MAX_VALUE);
        assertThrows(IllegalArgumentException.class, () -> ScoreboardLayout.fileSize(-1));
        assertThrows(IllegalArgumentException.class, () -> ScoreboardLayout.fileSize(ScoreboardLayout.MAX_SLOT_COUNT + 1));
        assertThrows(IndexOutOfBoundsException.class, () -> ScoreboardLayout.slotOffset(-1));
    }
}
