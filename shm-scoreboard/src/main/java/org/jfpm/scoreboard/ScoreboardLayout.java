package org.jfpm.scoreboard;

/**
 * Layout v1 of a pool's scoreboard file, {@code {scoreboard-dir}/jfpm-{pool}.scoreboard}; mirrored
 * in C by {@code src/main/c/jfpm_scoreboard.h} (a test compares the two). Every integer is a
 * native-order 64-bit word at an 8-byte-aligned offset, so that it can be accessed atomically;
 * strings are UTF-8, NUL-padded, and always hold at least one NUL.
 *
 * <pre>
 * File
 *   0 +--------------------------------------------------------------+
 *     |                    Header (HEADER_SIZE = 4096)               |
 *4096 +--------------------------------------------------------------+
 *     |                    Slot 0 (SLOT_SIZE = 2048)                 |
 *     +--------------------------------------------------------------+
 *     |                    ... slot_count slots                      |
 *     +--------------------------------------------------------------+
 *
 * Header                                            writer
 *   0 | magic "JFPMSCB1" (0x314243534D50464A)       | master
 *   8 | version = 1, stored last (release); 0 = not ready
 *  16 | header_size = 4096                          | master
 *  24 | slot_size = 2048                            | master
 *  32 | slot_count                                  | master
 *  40 | slots_offset = 4096                         | master
 *  48 | master_pid                                  | master
 *  56 | start_time_us                               | master
 *  64 | heartbeat_us                                | master, every second
 *  72 | pm_mode (1 static, 2 dynamic, 3 ondemand)   | master
 *  80 | accounting (0 none, 1 sdk, 2 preload)       | master
 *  88 | max_children                                | master
 *  96 | accepted_conn                               | workers, atomic fetch-add
 * 104 | max_children_reached                        | master
 * 112 | slow_requests                               | master
 * 120 | terminated_requests                         | master
 * 128 | max_active_processes                        | master (sampled) and workers (CAS max)
 * 136 | listen_queue                                | master
 * 144 | max_listen_queue                            | master
 * 152 | listen_queue_len                            | master
 * 160 | generation                                  | master
 * 168 | active_requests (workers in a request)      | workers (atomic +1/-1), master (re-count)
 * 176 | reserved (0) ... 255
 * 256 | pool_name[64]                               | master
 * 320 | reserved (0) ... 4095
 *
 * Slot (at slotOffset(i) = 4096 + i * 2048)
 *   0 | seq: seqlock, odd while a write is in progress | whoever writes
 *   8 | in_use (1 allocated, 0 free)                | master, only while no worker is attached
 *  16 | generation                                  | master
 *  24 | start_time_us (spawn)                       | master
 *  32 | pid                                         | worker, from here on
 *  40 | stage (RequestStage code)
 *  48 | accepted_us
 *  56 | last_activity_us
 *  64 | requests
 *  72 | duration_us (last finished request; 0 while one is open)
 *  80 | content_length
 *  88 | cpu_us (last finished request, user + system)
 *  96 | memory (bytes, at the end of the last request)
 * 104 | req_cpu_start_us (worker-private)
 * 112 | reserved ... 127
 * 128 | method[16]
 * 144 | uri[512]
 * 656 | query[512]
 *1168 | script[512]
 *1680 | user[64]
 *1744 | reserved ... 2047
 * </pre>
 *
 * Names follow one rule, which the C agreement test relies on: {@code HEADER_<FIELD>_OFFSET},
 * {@code SLOT_<FIELD>_OFFSET}, and {@code _LENGTH} for the byte size of a string field.
 */
public final class ScoreboardLayout {

    /** The bytes {@code "JFPMSCB1"} read as a little-endian word. */
    public static final long MAGIC = 0x314243534D50464AL;
    public static final long VERSION = 1;
    public static final int HEADER_SIZE = 4096;
    public static final int SLOT_SIZE = 2048;
    /** The most slots a file can hold while staying within one {@code MappedByteBuffer} (2 GiB). */
    public static final int MAX_SLOT_COUNT = (Integer.MAX_VALUE - HEADER_SIZE) / SLOT_SIZE;

    public static final int HEADER_MAGIC_OFFSET = 0;
    public static final int HEADER_VERSION_OFFSET = 8;
    public static final int HEADER_HEADER_SIZE_OFFSET = 16;
    public static final int HEADER_SLOT_SIZE_OFFSET = 24;
    public static final int HEADER_SLOT_COUNT_OFFSET = 32;
    public static final int HEADER_SLOTS_OFFSET_OFFSET = 40;
    public static final int HEADER_MASTER_PID_OFFSET = 48;
    public static final int HEADER_START_TIME_US_OFFSET = 56;
    public static final int HEADER_HEARTBEAT_US_OFFSET = 64;
    public static final int HEADER_PM_MODE_OFFSET = 72;
    public static final int HEADER_ACCOUNTING_OFFSET = 80;
    public static final int HEADER_MAX_CHILDREN_OFFSET = 88;
    public static final int HEADER_ACCEPTED_CONN_OFFSET = 96;
    public static final int HEADER_MAX_CHILDREN_REACHED_OFFSET = 104;
    public static final int HEADER_SLOW_REQUESTS_OFFSET = 112;
    public static final int HEADER_TERMINATED_REQUESTS_OFFSET = 120;
    public static final int HEADER_MAX_ACTIVE_PROCESSES_OFFSET = 128;
    public static final int HEADER_LISTEN_QUEUE_OFFSET = 136;
    public static final int HEADER_MAX_LISTEN_QUEUE_OFFSET = 144;
    public static final int HEADER_LISTEN_QUEUE_LEN_OFFSET = 152;
    public static final int HEADER_GENERATION_OFFSET = 160;
    /** Workers in a request now: +1/-1 by workers, re-counted every second by the master. */
    public static final int HEADER_ACTIVE_REQUESTS_OFFSET = 168;
    public static final int HEADER_POOL_NAME_OFFSET = 256;
    public static final int HEADER_POOL_NAME_LENGTH = 64;
    /** The longest pool name the header holds, in UTF-8 bytes (one byte stays NUL). */
    public static final int POOL_NAME_MAX = HEADER_POOL_NAME_LENGTH - 1;

    public static final int SLOT_SEQ_OFFSET = 0;
    public static final int SLOT_IN_USE_OFFSET = 8;
    public static final int SLOT_GENERATION_OFFSET = 16;
    public static final int SLOT_START_TIME_US_OFFSET = 24;
    public static final int SLOT_PID_OFFSET = 32;
    public static final int SLOT_STAGE_OFFSET = 40;
    public static final int SLOT_ACCEPTED_US_OFFSET = 48;
    public static final int SLOT_LAST_ACTIVITY_US_OFFSET = 56;
    public static final int SLOT_REQUESTS_OFFSET = 64;
    public static final int SLOT_DURATION_US_OFFSET = 72;
    public static final int SLOT_CONTENT_LENGTH_OFFSET = 80;
    public static final int SLOT_CPU_US_OFFSET = 88;
    public static final int SLOT_MEMORY_OFFSET = 96;
    public static final int SLOT_REQ_CPU_START_US_OFFSET = 104;
    public static final int SLOT_METHOD_OFFSET = 128;
    public static final int SLOT_METHOD_LENGTH = 16;
    public static final int SLOT_URI_OFFSET = 144;
    public static final int SLOT_URI_LENGTH = 512;
    public static final int SLOT_QUERY_OFFSET = 656;
    public static final int SLOT_QUERY_LENGTH = 512;
    public static final int SLOT_SCRIPT_OFFSET = 1168;
    public static final int SLOT_SCRIPT_LENGTH = 512;
    public static final int SLOT_USER_OFFSET = 1680;
    public static final int SLOT_USER_LENGTH = 64;

    /** End of the last slot field: readers copy {@code [0, SLOT_DATA_END)} of a slot under its seqlock. */
    static final int SLOT_DATA_END = SLOT_USER_OFFSET + SLOT_USER_LENGTH;

    private ScoreboardLayout() {
    }

    /** The exact size of a file with {@code slots} slots. */
    public static long fileSize(int slots) {
        if (slots < 0 || slots > MAX_SLOT_COUNT) {
            throw new IllegalArgumentException("slots " + slots + " not in [0, " + MAX_SLOT_COUNT + "]");
        }
        return HEADER_SIZE + (long) slots * SLOT_SIZE;
    }

    /** The byte offset of slot {@code i} in the file (no bounds check against a file's slot count). */
    public static int slotOffset(int i) {
        if (i < 0 || i >= MAX_SLOT_COUNT) {
            throw new IndexOutOfBoundsException("slot " + i);
        }
        return HEADER_SIZE + i * SLOT_SIZE;
    }
}
