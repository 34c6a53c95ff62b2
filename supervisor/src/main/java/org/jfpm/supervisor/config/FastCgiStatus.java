package org.jfpm.supervisor.config;

import java.util.Optional;
import org.jfpm.os.ListenAddress;

/**
 * A pool's status over FastCGI, PHP-FPM's {@code pm.status_listen} / {@code pm.status_path} /
 * {@code ping.path} / {@code ping.response}: the master itself answers FastCGI requests on
 * {@code listen}, whose {@code SCRIPT_NAME} is {@code statusPath} (the pool's status page, in the
 * format the query string asks for) or {@code pingPath} ({@code pingResponse}). The pool's own
 * {@code listen} keeps going to the workers.
 *
 * @param pool         the pool whose status is served
 * @param listen       {@code status-listen}: where the master answers; empty when off
 * @param statusPath   {@code status-path}: the status page's SCRIPT_NAME, {@code ""} for none
 * @param pingPath     {@code ping-path}: the ping's SCRIPT_NAME, {@code ""} for none
 * @param pingResponse {@code ping-response}: the ping's body
 * @param backlog      listen(2) backlog (the pool's {@code listen-backlog})
 * @param unixMode     unix sockets: file mode (the pool's {@code listen-mode})
 * @param unixOwner    unix sockets: owner, {@code ""} to keep (the pool's {@code listen-owner})
 * @param unixGroup    unix sockets: group, {@code ""} to keep (the pool's {@code listen-group})
 */
public record FastCgiStatus(String pool, Optional<ListenAddress> listen, String statusPath, String pingPath,
                            String pingResponse, int backlog, int unixMode, String unixOwner, String unixGroup) {

    /** The configuration key of a pool's {@code status-listen}. */
    public static String listenKey(String pool) {
        return "jfpm.pools." + pool + ".status-listen";
    }
}
