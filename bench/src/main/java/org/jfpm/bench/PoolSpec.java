package org.jfpm.bench;

/**
 * The process-manager settings a benchmark gives both jfpm and PHP-FPM.
 *
 * @param mode               static, dynamic or ondemand
 * @param idleTimeoutSeconds ondemand's process-idle-timeout
 */
record PoolSpec(String mode, int maxChildren, int startServers, int minSpare, int maxSpare, int maxSpawnRate,
                int idleTimeoutSeconds) {

    static PoolSpec dynamic(int maxChildren, int startServers, int minSpare, int maxSpare) {
        return new PoolSpec("dynamic", maxChildren, startServers, minSpare, maxSpare, 32, 10);
    }

    /** Exactly {@code maxChildren} workers. */
    static PoolSpec fixed(int maxChildren) {
        return new PoolSpec("static", maxChildren, maxChildren, 0, 0, 32, 10);
    }

    static PoolSpec ondemand(int maxChildren, int idleTimeoutSeconds) {
        return new PoolSpec("ondemand", maxChildren, 0, 0, 0, 32, idleTimeoutSeconds);
    }

    /** Workers at rest: max-children for static, start-servers for dynamic, 0 for ondemand. */
    int atRest() {
        return mode.equals("ondemand") ? 0 : startServers;
    }
}
