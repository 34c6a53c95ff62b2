package org.jfpm.supervisor;

/**
 * A configured file that cannot be opened at start or reload (a log file: missing permission, a
 * directory gone): a configuration error that only opening finds, so {@code --test} does not see it.
 * The message names the key as a {@link org.jfpm.supervisor.config.ConfigError} line does:
 * {@code jfpm.pools.www.access-log = "/var/log/x.log": cannot open /var/log/x.log: Permission denied (errno 13)}.
 */
final class FileUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FileUnavailable(String key, String value, String reason, Throwable cause) {
        super(key + " = \"" + value + "\": " + reason, cause);
    }
}
