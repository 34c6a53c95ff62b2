package org.jfpm.scoreboard;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Instant;

/** Native-order 64-bit word access to the mapping (byte offsets, 8-byte aligned for atomic modes) and the clock. */
final class Words {

    /** Over a {@code ByteBuffer}; the index is a byte offset. */
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** Over a {@code byte[]} copy of a slot; the index is a byte offset. */
    static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Zeros for clearing fields and slots with bulk puts. */
    static final byte[] ZEROS = new byte[ScoreboardLayout.SLOT_SIZE];

    private Words() {
    }

    /** Microseconds since the Unix epoch, the unit of every time in the file. */
    static long nowUs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
