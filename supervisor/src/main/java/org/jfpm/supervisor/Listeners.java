package org.jfpm.supervisor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.NativeException;
import org.jfpm.pool.PoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's listening sockets, one per address, each shared by leases: every pool generation
 * that passes the socket to its workers holds one. A reload that keeps a pool's {@code listen}
 * hands the new generation the same socket, so no connection in its backlog is lost; the socket is
 * closed when its last lease comes back.
 *
 * <p>A socket systemd passed ({@code listen = "systemd:NAME"}) is leased the same way, but its last
 * lease only drops the wrapper: {@link ListenSocket#close()} leaves an inherited descriptor open, so a
 * reload never closes it, and a later generation that names it again gets the same socket.
 *
 * <p>Closing goes through {@code closer}, the spawn thread: a spawn already queued there still
 * sees the fd open, and no later spawn can dup2 a closed (or reused) fd number onto a worker's fd 0.
 * Used from one thread at a time (the master actor, or the supervisor before it starts).
 */
final class Listeners {

    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

    private static final class Lease {
        final ListenSocket socket;
        int holders;

        Lease(ListenSocket socket) {
            this.socket = socket;
        }
    }

    private final Map<ListenAddress, Lease> byAddress = new LinkedHashMap<>();
    private final Executor closer;

    Listeners(Executor closer) {
        this.closer = closer;
    }

    /**
     * The socket for the pool's {@code listen}: the open one, or a new one.
     *
     * @throws ListenUnavailable when the address cannot be bound (the message names the pool's key)
     * @throws RuntimeException when a new socket cannot be opened otherwise (the message says why)
     */
    ListenSocket acquire(PoolConfig pool) {
        Lease lease = byAddress.get(pool.listen());
        if (lease == null) {
            lease = new Lease(open(pool));
            byAddress.put(pool.listen(), lease);
        }
        lease.holders++;
        return lease.socket;
    }

    private static ListenSocket open(PoolConfig pool) {
        try {
            ListenSocket s = ListenSocket.open(pool.listen(), pool.listenBacklog(), pool.listenMode(), pool.listenOwner(),
                    pool.listenGroup());
            if (s.isInherited()) {
                LOG.info("[pool {}] listen = {}: fd {}, passed by systemd (kept open across reloads)", pool.name(),
                        pool.listen(), s.fd());
                if (s.madeBlocking()) {
                    LOG.warn("[pool {}] the socket systemd passed for {} was non-blocking (NonBlocking=yes in the"
                            + " .socket unit?): made it blocking, as workers' accept needs", pool.name(), pool.listen());
                }
            }
            return s;
        } catch (NativeException e) {
            if (!e.call().startsWith("bind(")) {
                throw e;
            }
            throw new ListenUnavailable(ListenUnavailable.poolKey(pool.name()), pool.listen(),
                    e.getMessage().substring(e.call().length() + 2), e);
        }
    }

    /** Gives one lease on {@code socket} back; the last one closes it. Unknown sockets are ignored. */
    void release(ListenSocket socket) {
        for (Map.Entry<ListenAddress, Lease> e : byAddress.entrySet()) {
            Lease lease = e.getValue();
            if (lease.socket == socket) {
                if (--lease.holders <= 0) {
                    byAddress.remove(e.getKey());
                    closer.execute(() -> {
                        socket.close();
                        LOG.debug("listener {} closed", socket.address());
                    });
                }
                return;
            }
        }
    }

    boolean isOpen(ListenAddress address) {
        return byAddress.containsKey(address);
    }

    /** Closes every socket now (after the last worker is gone, or when start-up fails). */
    void closeAll() {
        List<Lease> all = new ArrayList<>(byAddress.values());
        byAddress.clear();
        for (Lease l : all) {
            l.socket.close();
        }
    }
}
