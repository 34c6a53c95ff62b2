package org.jfpm.supervisor;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import org.jfpm.os.ProcFs;
import org.jfpm.os.SyslogSocket;

/**
 * The master's log appender: each event, encoded by {@code logback.xml}'s pattern (PHP-FPM's
 * {@code [date] LEVEL: message}), goes to one of three places, as PHP-FPM's {@code error_log}:
 *
 * <ul>
 * <li><b>stderr</b> (the default), always through the current {@code System.err};</li>
 * <li><b>a file</b>, opened {@code O_APPEND} (created 0640) and re-opened by {@link #reopen()} on
 *     SIGUSR1, for logrotate;</li>
 * <li><b>syslog</b>: one RFC 3164 datagram per event to {@code /dev/log},
 *     {@code <PRI>Mmm dd hh:mm:ss ident[pid]: [LEVEL] message}, as glibc's {@code syslog(3)} and PHP-FPM
 *     send it.</li>
 * </ul>
 *
 * <p>Every line longer than the limit ({@code log-limit}, bytes, the newline not counted) is cut and ends
 * in {@code ...}, as PHP-FPM's {@code zlog} cuts its messages. A file that cannot be written falls back to
 * stderr for that line. Thread-safe ({@link AppenderBase} serialises {@code append}).
 */
public final class FpmAppender extends AppenderBase<ILoggingEvent> {

    private static final DateTimeFormatter SYSLOG_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    /** Where lines go. */
    sealed interface Target permits Stderr, File, Syslog {
    }

    record Stderr() implements Target {
    }

    record File(Path path) implements Target {
    }

    record Syslog(Path socket, String ident, int facility) implements Target {
    }

    private Encoder<ILoggingEvent> encoder;
    private Target target = new Stderr();
    private int limit = 1024;
    private FileChannel file;
    private SyslogSocket syslog;
    private final ZoneId zone = ZoneId.systemDefault();

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        super.start();
    }

    /**
     * Switches to {@code next} with lines of at most {@code lineLimit} bytes. The new file or socket is
     * opened first: on failure nothing changes.
     *
     * @throws IOException naming the file or socket and the reason
     */
    public synchronized void configure(Target next, int lineLimit) throws IOException {
        FileChannel newFile = next instanceof File f ? open(f.path()) : null;
        SyslogSocket newSyslog = null;
        try {
            if (next instanceof Syslog s) {
                newSyslog = SyslogSocket.connect(s.socket());
            }
        } catch (IOException e) {
            closeQuietly(newFile);
            throw e;
        }
        closeTarget();
        target = next;
        file = newFile;
        syslog = newSyslog;
        limit = lineLimit;
    }

    /** The current target. */
    public synchronized Target target() {
        return target;
    }

    /**
     * Opens the log file again at its path (logrotate renamed it away): new lines go to the new file.
     * For syslog the socket is connected again; stderr has nothing to re-open.
     *
     * @return whether something was re-opened
     * @throws IOException when the file or socket cannot be opened (the old one is kept)
     */
    public synchronized boolean reopen() throws IOException {
        if (target instanceof File f) {
            FileChannel fresh = open(f.path());
            closeQuietly(file);
            file = fresh;
            return true;
        }
        if (target instanceof Syslog s) {
            SyslogSocket fresh = SyslogSocket.connect(s.socket());
            syslog.close();
            syslog = fresh;
            return true;
        }
        return false;
    }

    private static FileChannel open(Path path) throws IOException {
        try {
            return FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        } catch (IOException e) {
            throw new IOException("cannot open " + path + ": " + reason(e), e);
        }
    }

    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private void closeTarget() {
        closeQuietly(file);
        file = null;
        if (syslog != null) {
            syslog.close();
            syslog = null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // nothing to do: the descriptor is gone either way
            }
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        synchronized (this) {
            if (target instanceof Syslog s && syslog != null) {
                syslog.send(syslogMessage(event, s.ident(), s.facility()));
                return;
            }
            byte[] line = cutLines(encoder.encode(event), limit);
            if (file != null) {
                try {
                    ByteBuffer b = ByteBuffer.wrap(line);
                    while (b.hasRemaining()) {
                        file.write(b);
                    }
                    return;
                } catch (IOException e) {
                    System.err.print("[log file " + ((File) target).path() + ": " + reason(e) + "] ");
                }
            }
            System.err.write(line, 0, line.length);
            System.err.flush();
        }
    }

    /** PHP-FPM's syslog line: {@code <PRI>Mmm dd hh:mm:ss ident[pid]: [LEVEL] message} (RFC 3164, local). */
    byte[] syslogMessage(ILoggingEvent event, String ident, int facility) {
        String level = FpmLevelConverter.fpmName(event.getLevel());
        String message = event.getFormattedMessage();
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            message = message + " (" + t.getClassName() + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")";
        }
        String head = "<" + (facility * 8 + severity(event.getLevel())) + ">"
                + SYSLOG_TIME.format(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone)) + " " + ident + "["
                + ProcFs.selfPid() + "]: ";
        byte[] body = cut(("[" + level + "] " + message.replace('\n', ' ')).getBytes(StandardCharsets.UTF_8), limit);
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** syslog(3) severities: err 3, warning 4, notice 5, debug 7. */
    static int severity(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 5;
            default -> 7;
        };
    }

    /** Each line of {@code text} (newline-separated) cut to {@code max} bytes. */
    static byte[] cutLines(byte[] text, int max) {
        boolean needed = false;
        int start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == '\n') {
                if (i - start > max) {
                    needed = true;
                    break;
                }
                start = i + 1;
            }
        }
        if (!needed) {
            return text;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length);
        start = 0;
        for (int i = 0; i <= text.length; i++) {
            if (i == text.length || text[i] == '\n') {
                byte[] line = java.util.Arrays.copyOfRange(text, start, i);
                out.writeBytes(cut(line, max));
                if (i < text.length) {
                    out.write('\n');
                }
                start = i + 1;
            }
        }
        return out.toByteArray();
    }

    /** {@code line} if it has at most {@code max} bytes, else its start (at a UTF-8 boundary) and "...". */
    static byte[] cut(byte[] line, int max) {
        if (line.length <= max) {
            return line;
        }
        int keep = Math.max(0, max - 3);
        while (keep > 0 && (line[keep] & 0xC0) == 0x80) {
            keep--;
        }
        byte[] out = java.util.Arrays.copyOf(line, keep + 3);
        out[keep] = '.';
        out[keep + 1] = '.';
        out[keep + 2] = '.';
        return out;
    }

    @Override
    public void stop() {
        synchronized (this) {
            closeTarget();
        }
        super.stop();
    }
}
