package org.jfpm.scoreboard;

import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_HEADER_SIZE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_MAGIC_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SIZE;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOTS_OFFSET_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOT_COUNT_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_SLOT_SIZE_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.HEADER_VERSION_OFFSET;
import static org.jfpm.scoreboard.ScoreboardLayout.MAGIC;
import static org.jfpm.scoreboard.ScoreboardLayout.MAX_SLOT_COUNT;
import static org.jfpm.scoreboard.ScoreboardLayout.SLOT_SIZE;
import static org.jfpm.scoreboard.ScoreboardLayout.VERSION;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Validates an untrusted file's header against layout v1 and its size; shared by the reader and the worker SDK. */
final class HeaderCheck {

    private HeaderCheck() {
    }

    /**
     * Reads the header of the open file and checks magic, version, geometry and size.
     *
     * @return the slot count, consistent with the file size
     */
    static int slotCount(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < HEADER_SIZE) {
            throw new ScoreboardFormatException(file, "truncated: " + size + " bytes, expected at least " + HEADER_SIZE);
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.nativeOrder());
        while (header.hasRemaining()) {
            if (channel.read(header, header.position()) < 0) {
                throw new ScoreboardFormatException(file, "truncated while reading the header");
            }
        }
        long magic = header.getLong(HEADER_MAGIC_OFFSET);
        long version = header.getLong(HEADER_VERSION_OFFSET);
        if (magic != MAGIC && !(magic == 0 && version == 0)) {
            throw new ScoreboardFormatException(file,
                    String.format("bad magic 0x%016X, expected 0x%016X", magic, MAGIC));
        }
        if (version == 0) {
            throw new ScoreboardFormatException(file, "not ready (version 0)");
        }
        if (version != VERSION) {
            throw new ScoreboardFormatException(file, "unsupported version " + Long.toUnsignedString(version)
                    + " (this reader knows version " + VERSION + ")");
        }
        expect(file, "header_size", header.getLong(HEADER_HEADER_SIZE_OFFSET), HEADER_SIZE);
        expect(file, "slot_size", header.getLong(HEADER_SLOT_SIZE_OFFSET), SLOT_SIZE);
        expect(file, "slots_offset", header.getLong(HEADER_SLOTS_OFFSET_OFFSET), HEADER_SIZE);
        long count = header.getLong(HEADER_SLOT_COUNT_OFFSET);
        if (count < 0 || count > MAX_SLOT_COUNT || ScoreboardLayout.fileSize((int) count) != size) {
            throw new ScoreboardFormatException(file, "slot_count " + Long.toUnsignedString(count)
                    + " does not fit the file of " + size + " bytes (expected " + HEADER_SIZE
                    + " + slot_count * " + SLOT_SIZE + ")");
        }
        return (int) count;
    }

    private static void expect(Path file, String field, long actual, long expected) throws ScoreboardFormatException {
        if (actual != expected) {
            throw new ScoreboardFormatException(file,
                    field + " " + Long.toUnsignedString(actual) + ", expected " + expected);
        }
    }
}
