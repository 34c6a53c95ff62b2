package org.jfpm.supervisor.status;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jfpm.pool.PoolStatus;

/**
 * Where the status server gets its data: immutable snapshots of every pool, in the order the
 * pools should be shown. Implementations must not block the calling thread. They may answer with a
 * completed stage (the master's reads the pools' scoreboards on the caller's thread, a few hundred
 * µs for 500 workers), which the server renders at once; for a pending stage the server bounds the
 * wait and answers 500 when the stage fails or is late.
 */
@FunctionalInterface
public interface StatusSource {
    CompletionStage<List<PoolStatus>> pools();
}
