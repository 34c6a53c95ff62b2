package org.jfpm.os;

/**
 * A failed libc call: the call (with what it was called on) and its errno, e.g.
 * {@code posix_spawnp(/usr/bin/php-cgi): No such file or directory (errno 2)}.
 */
public final class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /** {@code call} names the function and its subject, e.g. {@code bind(127.0.0.1:9000)}. */
    public NativeException(String call, int errno) {
        super(call + ": " + Native.strerror(errno) + " (errno " + errno + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
