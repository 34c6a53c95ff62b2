package org.jfpm.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jfpm.scoreboard.SlotSnapshot;

/**
 * The {@code slowlog} file: one entry per request that ran past {@code request-slowlog-timeout}, in
 * PHP-FPM's layout ({@code fpm_php_trace.c}) as far as jfpm knows the request:
 *
 * <pre>
 *
 * [02-Dec-2026 15:41:59]  [pool www] pid 1234
 * script_filename = /srv/www/slow.php
 * request = "GET /slow.php?id=7" (5.000123 sec)
 * [no backtrace: jfpm does not ptrace its workers]
 * </pre>
 *
 * PHP-FPM stops the child with ptrace and prints its PHP call stack ({@code [0x...] func() file:line});
 * jfpm reads only the scoreboard, so the frames are missing. The file is opened for each entry
 * ({@code O_APPEND}, created 0640), as PHP-FPM opens it per trace: a rotated file needs no signal.
 */
final class SlowLog {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ENGLISH);

    private SlowLog() {
    }

    static String entry(ZonedDateTime when, String pool, long pid, SlotSnapshot s, long elapsedUs) {
        String request = s.method() + " " + s.uri() + (s.queryString().isEmpty() ? "" : "?" + s.queryString());
        return "\n[" + DATE.format(when) + "]  [pool " + pool + "] pid " + pid + "\n"
                + "script_filename = " + s.script() + "\n"
                + "request = \"" + request + "\" (" + String.format(Locale.ROOT, "%d.%06d", elapsedUs / 1_000_000,
                elapsedUs % 1_000_000) + " sec)\n"
                + "[no backtrace: jfpm does not ptrace its workers]\n";
    }

    /** Appends one entry to {@code file} with a single write. */
    static void append(Path file, String entry) throws IOException {
        try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")))) {
            ByteBuffer b = ByteBuffer.wrap(entry.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }
}
