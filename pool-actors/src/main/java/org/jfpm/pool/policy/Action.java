package org.jfpm.pool.policy;

/** What a policy asks its PoolActor to do. Decisions are data; the PoolActor carries them out. */
public sealed interface Action {

    /** Spawn {@code count} workers (the PoolActor caps at max-children regardless). */
    record Spawn(int count, String reason) implements Action {
    }

    /** Stop one worker. The pid must be one from the view's workers; the PoolActor ignores any other. */
    record Bury(long pid, BuryMode mode, String reason) implements Action {
    }

    /** The policy wanted to spawn but max-children stopped it (counted once per episode, as PHP-FPM does). */
    record MaxChildrenReached(int maxChildren) implements Action {
    }

    /** A line for the log in PHP-FPM's wording, e.g. "seems busy ...". */
    record Log(Level level, String message) implements Action {
    }

    enum BuryMode {
        /** The pool's stop-signal; the worker finishes its request. */
        GRACEFUL,
        /** SIGTERM. */
        TERMINATE,
        /** SIGKILL. */
        KILL
    }

    enum Level { DEBUG, INFO, NOTICE, WARNING }
}
