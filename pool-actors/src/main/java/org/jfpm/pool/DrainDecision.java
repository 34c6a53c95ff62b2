package org.jfpm.pool;

/**
 * How many workers of the old generations may be asked to leave now, during a reload: the old
 * generations go as the new one becomes ready, so the pool never serves with fewer ready workers
 * than it had. Pure.
 */
final class DrainDecision {

    private DrainDecision() {
    }

    /**
     * @param oldServing    old-generation workers still serving
     * @param oldAtReload   old-generation workers serving when the reload began
     * @param newReady      new-generation workers ready to accept (ACCEPTING; with accounting = none: alive long enough)
     * @param newComplete   the new generation has no worker starting and no spawn in flight, and is
     *                      ready to serve: at least one worker ready, or a pool that wants none at rest
     *                      (ondemand). A generation whose spawns all failed is not complete: the old
     *                      one keeps serving.
     * @return how many of the {@code oldServing} to drain now
     */
    static int toDrain(int oldServing, int oldAtReload, int newReady, boolean newComplete) {
        if (newComplete) {
            return oldServing;
        }
        int keep = Math.max(0, oldAtReload - newReady);
        return Math.max(0, oldServing - keep);
    }
}
