package org.jfpm.scoreboard;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The master's side of a layout-v1 scoreboard file, as far as the preload tests need it: create,
 * allocate a slot, read a slot under its seqlock, read the header's accepted_conn. Written against
 * layout v1 (docs: notes/layout-v1.md) directly with a mapped FileChannel.
 */
final class PreloadScoreboard implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final long MAGIC = 0x314243534D50464AL;
    private static final int HEADER = 4096;
    private static final int SLOT = 2048;

    private final Path path;
    private final int slots;
    private final MappedByteBuffer map;

    private PreloadScoreboard(Path path, int slots, MappedByteBuffer map) {
        this.path = path;
        this.slots = slots;
        this.map = map;
    }

    static PreloadScoreboard create(Path dir, String pool, int slots) throws IOException {
        Path path = dir.resolve("jfpm-" + pool + ".scoreboard");
        int size = HEADER + slots * SLOT;
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[size]));
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
        PreloadScoreboard sb = new PreloadScoreboard(path, slots, map);
        sb.put(0, MAGIC);
        sb.put(16, HEADER);
        sb.put(24, SLOT);
        sb.put(32, slots);
        sb.put(40, HEADER);
        sb.put(48, ProcessHandle.current().pid());
        sb.put(56, nowUs());
        sb.put(72, PmMode.STATIC.code());
        sb.put(80, Accounting.PRELOAD.code());
        sb.put(88, slots);
        byte[] name = pool.getBytes(StandardCharsets.UTF_8);
        map.put(256, name, 0, Math.min(name.length, 63));
        LONGS.setRelease(map, 8, 1L);
        return sb;
    }

    Path path() {
        return path;
    }

    /** Allocates slot {@code i} as the master does before a spawn: in_use, generation, start time, stage 0. */
    void allocate(int i, long generation) {
        int base = HEADER + i * SLOT;
        long seq = (long) LONGS.getOpaque(map, base);
        LONGS.setOpaque(map, base, seq + 1);
        VarHandle.releaseFence();
        for (int off = 8; off < SLOT; off += 8) {
            LONGS.setOpaque(map, base + off, 0L);
        }
        LONGS.setOpaque(map, base + 8, 1L);
        LONGS.setOpaque(map, base + 16, generation);
        LONGS.setOpaque(map, base + 24, nowUs());
        LONGS.setRelease(map, base, seq + 2);
    }

    long acceptedConn() {
        return (long) LONGS.getAcquire(map, 96);
    }

    /** A consistent copy of slot {@code i}, taken under its seqlock. */
    SlotSnapshot slot(int i) {
        int base = HEADER + i * SLOT;
        for (int attempt = 0; attempt < 100_000; attempt++) {
            long s1 = (long) LONGS.getAcquire(map, base);
            if ((s1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long[] w = new long[14];
            for (int k = 0; k < w.length; k++) {
                w[k] = (long) LONGS.getOpaque(map, base + 8 * k);
            }
            String method = str(base + 128, 16);
            String uri = str(base + 144, 512);
            String query = str(base + 656, 512);
            String script = str(base + 1168, 512);
            String user = str(base + 1680, 64);
            VarHandle.loadLoadFence();
            if ((long) LONGS.getOpaque(map, base) == s1) {
                return new SlotSnapshot(i, w[1] == 1, w[4], w[2], RequestStage.ofCode(w[5]), w[3], w[6], w[7], w[8],
                        w[9], w[10], w[11], w[12], method, uri, query, script, user);
            }
        }
        throw new IllegalStateException("slot " + i + " of " + path + " is unstable");
    }

    int slotCount() {
        return slots;
    }

    private String str(int off, int cap) {
        byte[] b = new byte[cap];
        map.get(off, b);
        int n = 0;
        while (n < cap && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private void put(int off, long v) {
        LONGS.setOpaque(map, off, v);
    }

    static long nowUs() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    @Override
    public void close() {
        // the mapping is released by GC (JDK 17); the file lives in the test's temp dir
    }
}
