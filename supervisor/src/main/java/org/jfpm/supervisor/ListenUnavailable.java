package org.jfpm.supervisor;

import org.jfpm.os.ListenAddress;

/**
 * A configured listen address that cannot be bound (in use, not on this host, no permission): a
 * configuration error found only when binding, so {@code --test} does not see it. The message names
 * the key, as a {@link org.jfpm.supervisor.config.ConfigError} line does:
 * {@code jfpm.pools.www.listen = "127.0.0.1:9000": address already in use (errno 98)}.
 */
final class ListenUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ListenUnavailable(String key, ListenAddress address, String reason, Throwable cause) {
        super(key + " = \"" + address + "\": " + lowerFirst(reason), cause);
    }

    /** The key of a pool's {@code listen}. */
    static String poolKey(String pool) {
        return "jfpm.pools." + pool + ".listen";
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
