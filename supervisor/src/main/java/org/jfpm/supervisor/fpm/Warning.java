package org.jfpm.supervisor.fpm;

/** Something import-fpm could not translate as is, at {@code source}; printed to stderr. */
public record Warning(Source source, String message) {

    @Override
    public String toString() {
        return source + ": " + message;
    }
}
