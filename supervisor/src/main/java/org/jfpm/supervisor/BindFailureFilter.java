package org.jfpm.supervisor;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Pekko's "Bind failed" error and its stack trace: the supervisor reports the same failure
 * as one line naming {@code jfpm.status.listen}. Every other TcpListener message passes.
 */
public final class BindFailureFilter extends Filter<ILoggingEvent> {

    static final String TCP_LISTENER = "org.apache.pekko.io.TcpListener";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return TCP_LISTENER.equals(event.getLoggerName()) && event.getMessage() != null
                && event.getMessage().startsWith("Bind failed") ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
