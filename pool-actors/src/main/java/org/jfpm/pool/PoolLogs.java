package org.jfpm.pool;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A pool's own log files (validated by the supervisor's config loader).
 *
 * @param accessLog    the access log ({@code access-log}), written by the workers themselves, one line per
 *                     request (the preload library); null = none
 * @param accessFormat its line format ({@code access-format}, PHP-FPM's {@code access.format} codes; see
 *                     {@link AccessFormat})
 * @param slowlog      where {@code request-slowlog-timeout} entries go ({@code slowlog}); null = the master's
 *                     log only
 * @param logLimit     the longest line ({@code jfpm.log-limit}): access log lines are cut there
 */
public record PoolLogs(Path accessLog, String accessFormat, Path slowlog, int logLimit) {
    public static final String DEFAULT_ACCESS_FORMAT = "%R - %u %t \"%m %r\" %s";
    public static final int DEFAULT_LOG_LIMIT = 1024;
    /** No access log, no slowlog file. */
    public static final PoolLogs NONE = new PoolLogs(null, DEFAULT_ACCESS_FORMAT, null, DEFAULT_LOG_LIMIT);

    public PoolLogs {
        Objects.requireNonNull(accessFormat, "accessFormat");
        if (logLimit < 1) {
            throw new IllegalArgumentException("logLimit " + logLimit + " is not positive");
        }
    }
}
