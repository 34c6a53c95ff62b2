package org.jfpm.pool;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jfpm.os.Pipe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code catch-workers-output}: one daemon thread per captured stream reads a worker's stdout or
 * stderr line by line and logs each line as PHP-FPM does:
 * {@code [pool www] child 1234 said into stderr: "..."}. The thread owns the pipe's read end and
 * closes it at end of file, i.e. when the worker (and anything it forked that kept the fd) exited.
 * Lines longer than {@link #MAX_LINE} bytes are split, as PHP-FPM splits at its buffer size.
 */
final class WorkerOutput implements Runnable {

    static final int MAX_LINE = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(WorkerOutput.class);

    private final Pipe pipe;
    private final String prefix;

    private WorkerOutput(Pipe pipe, String pool, long pid, String stream) {
        this.pipe = pipe;
        this.prefix = "[pool " + pool + "] child " + pid + " said into " + stream + ": \"";
    }

    /** Starts the reader; call after the worker was spawned and the supervisor's write end closed. */
    static void start(Pipe pipe, String pool, long pid, String stream) {
        Thread t = new Thread(new WorkerOutput(pipe, pool, pid, stream), "jfpm-output-" + pid + "-" + stream);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        byte[] buf = new byte[4096];
        ByteArrayOutputStream line = new ByteArrayOutputStream(MAX_LINE);
        try {
            int n;
            while ((n = pipe.read(buf, 0, buf.length)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        emit(line);
                    } else {
                        line.write(b);
                        if (line.size() >= MAX_LINE) {
                            emit(line);
                        }
                    }
                }
            }
            if (line.size() > 0) {
                emit(line);
            }
        } catch (RuntimeException e) {
            LOG.warn("{}...\" cut short: {}", prefix, e.getMessage());
        } finally {
            pipe.close();
        }
    }

    private void emit(ByteArrayOutputStream line) {
        String text = line.toString(StandardCharsets.UTF_8);
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        LOG.warn("{}{}\"", prefix, text);
        line.reset();
    }
}
