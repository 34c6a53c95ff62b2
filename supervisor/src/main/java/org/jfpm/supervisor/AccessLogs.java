package org.jfpm.supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jfpm.os.AppendFile;
import org.jfpm.pool.PoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pools' access log files, one descriptor per path, each shared by leases as {@link Listeners}
 * shares sockets: every pool generation whose workers inherit the file holds one (several pools may
 * write one file, as in PHP-FPM). The descriptor is closed when its last lease comes back, through
 * {@code closer} (the spawn thread), so that a spawn queued there still finds it open.
 *
 * <p>{@link #reopenReplaced()} is SIGUSR1's part: each file whose path now names another file (or none)
 * is opened again onto the same fd number; the caller then replaces the workers that hold the old one.
 * Used from one thread at a time (the master actor, or the supervisor before it starts).
 */
final class AccessLogs {

    private static final Logger LOG = LoggerFactory.getLogger(AccessLogs.class);

    private static final class Lease {
        final AppendFile file;
        int holders;

        Lease(AppendFile file) {
            this.file = file;
        }
    }

    private final Map<Path, Lease> byPath = new LinkedHashMap<>();
    private final Executor closer;

    AccessLogs(Executor closer) {
        this.closer = closer;
    }

    /** The key of a pool's access log in messages. */
    static String poolKey(String pool) {
        return "jfpm.pools." + pool + ".access-log";
    }

    /**
     * The open file for the pool's {@code access-log}, or null when it has none.
     *
     * @throws FileUnavailable when the file cannot be opened (the message names the pool's key)
     */
    AppendFile acquire(PoolConfig pool) {
        Path path = pool.logs().accessLog();
        if (path == null) {
            return null;
        }
        Lease lease = byPath.get(path);
        if (lease == null) {
            try {
                lease = new Lease(AppendFile.open(path));
            } catch (IOException e) {
                throw new FileUnavailable(poolKey(pool.name()), path.toString(), e.getMessage(), e);
            }
            byPath.put(path, lease);
        }
        lease.holders++;
        return lease.file;
    }

    /** Gives a lease back; the last one closes the file (on the closer). Null is ignored. */
    void release(AppendFile file) {
        if (file == null) {
            return;
        }
        Lease lease = byPath.get(file.path());
        if (lease == null || lease.file != file) {
            LOG.warn("access log {} released but not leased", file.path());
            return;
        }
        if (--lease.holders == 0) {
            byPath.remove(file.path());
            closer.execute(file::close);
        }
    }

    /** The files whose path names another file now, each opened again onto its old fd number; failures are logged. */
    List<Path> reopenReplaced() {
        List<Path> reopened = new ArrayList<>();
        for (Lease lease : byPath.values()) {
            try {
                if (lease.file.reopenIfReplaced()) {
                    reopened.add(lease.file.path());
                }
            } catch (IOException e) {
                LOG.error("unable to re-open the access log {}: {}", lease.file.path(), e.getMessage());
            }
        }
        return reopened;
    }

    /** Closes every file at once (after the last worker is gone). */
    void closeAll() {
        for (Lease lease : byPath.values()) {
            lease.file.close();
        }
        byPath.clear();
    }
}
