package org.jfpm.supervisor.status;

/**
 * PHP-FPM's status page formats, with the content types PHP-FPM 8.2 sends (as seen through
 * nginx: PHP appends {@code ;charset=UTF-8} to text types).
 */
public enum StatusFormat {
    TEXT("text/plain;charset=UTF-8"),
    HTML("text/html;charset=UTF-8"),
    XML("text/xml;charset=UTF-8"),
    JSON("application/json"),
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private final String contentType;

    StatusFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The Content-Type PHP-FPM sends for this format. */
    public String contentType() {
        return contentType;
    }
}
