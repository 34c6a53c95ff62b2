package org.jfpm.supervisor.fpm;

/** A PHP-FPM configuration file that cannot be read or parsed; the message names the file and line. */
public final class FpmConfigException extends Exception {

    private final Source source;

    public FpmConfigException(Source source, String message) {
        super(source + ": " + message);
        this.source = source;
    }

    /** Where, or null when no line applies (e.g. a file that cannot be opened names only the including line). */
    public Source source() {
        return source;
    }
}
