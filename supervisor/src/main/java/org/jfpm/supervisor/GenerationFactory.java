package org.jfpm.supervisor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.jfpm.os.ListenSocket;
import org.jfpm.pool.Generation;
import org.jfpm.pool.PoolConfig;
import org.jfpm.pool.PoolRuntime;
import org.jfpm.scoreboard.Scoreboard;

/**
 * Makes a pool generation: a lease on its listening socket and a scoreboard file of its own (at the
 * pool's path, replacing the previous generation's, which stays mapped until that one is drained).
 * All or nothing: a failure gives the lease back and leaves nothing behind.
 */
final class GenerationFactory {

    private final Path scoreboardDir;
    private final PoolRuntime runtime;
    private final Listeners listeners;

    GenerationFactory(Path scoreboardDir, PoolRuntime runtime, Listeners listeners) {
        this.scoreboardDir = scoreboardDir;
        this.runtime = runtime;
        this.listeners = listeners;
    }

    Generation create(PoolConfig pool, long number) {
        ListenSocket socket = listeners.acquire(pool);
        Scoreboard sb = null;
        try {
            sb = Scoreboard.create(scoreboardDir, pool.name(), pool.pm().mode(), pool.accounting(),
                    pool.pm().maxChildren(), pool.scoreboardSlots());
            handToWorkers(sb.path(), pool);
            return Generation.of(number, pool, socket, sb, runtime);
        } catch (RuntimeException | IOException e) {
            if (sb != null) {
                sb.delete();
            }
            listeners.release(socket);
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Workers write their own slot: when they run as another user (pool {@code user}/{@code group}),
     * the scoreboard file becomes theirs (mode stays 0644: the master maps it read-write as root).
     */
    private static void handToWorkers(Path scoreboard, PoolConfig pool) throws IOException {
        if (pool.user().isEmpty() && pool.group().isEmpty()) {
            return;
        }
        UserPrincipalLookupService users = scoreboard.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(scoreboard, PosixFileAttributeView.class);
        if (!pool.user().isEmpty()) {
            view.setOwner(users.lookupPrincipalByName(pool.user()));
        }
        if (!pool.group().isEmpty()) {
            view.setGroup(users.lookupPrincipalByGroupName(pool.group()));
        }
    }
}
