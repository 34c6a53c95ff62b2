package org.jfpm.os;

/** A template broke its control protocol: no answer in time, a malformed one, or a pid that is not ours. */
public final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }
}
