package org.jfpm.supervisor.status;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jfpm.pool.PoolStatus;

/**
 * Where the status server gets its data: immutable snapshots of every pool, in the order the
 * pools should be shown. Implementations must not block the calling thread (the master answers
 * through an ask); the server bounds the wait and answers 500 when the stage fails or is late.
 */
@FunctionalInterface
public interface StatusSource {
    CompletionStage<List<PoolStatus>> pools();
}
