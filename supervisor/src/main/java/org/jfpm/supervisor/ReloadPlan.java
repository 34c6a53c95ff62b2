package org.jfpm.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.PoolConfig;

/**
 * What a reload does, pool by pool: the diff between the running pools and the new configuration.
 * Pure. A pool is changed when any of its settings differ ({@link PoolConfig} equality); a changed
 * pool keeps its listening socket when its {@code listen} is the same.
 *
 * @param unchanged pools left untouched
 * @param changed   pools that get a new generation (the new configs)
 * @param added     new pools (configs)
 * @param removed   names of pools that drain and go
 */
record ReloadPlan(List<String> unchanged, List<PoolConfig> changed, List<PoolConfig> added, List<String> removed) {

    ReloadPlan {
        unchanged = List.copyOf(unchanged);
        changed = List.copyOf(changed);
        added = List.copyOf(added);
        removed = List.copyOf(removed);
    }

    static ReloadPlan diff(Map<String, PoolConfig> running, List<PoolConfig> next) {
        List<String> unchanged = new ArrayList<>();
        List<PoolConfig> changed = new ArrayList<>();
        List<PoolConfig> added = new ArrayList<>();
        List<String> removed = new ArrayList<>(running.keySet());
        for (PoolConfig p : next) {
            PoolConfig old = running.get(p.name());
            removed.remove(p.name());
            if (old == null) {
                added.add(p);
            } else if (old.equals(p)) {
                unchanged.add(p.name());
            } else {
                changed.add(p);
            }
        }
        return new ReloadPlan(unchanged, changed, added, removed);
    }

    boolean changesNothing() {
        return changed.isEmpty() && added.isEmpty() && removed.isEmpty();
    }

    String summary() {
        return String.format("%d pool(s) changed, %d added, %d removed, %d unchanged", changed.size(), added.size(),
                removed.size(), unchanged.size());
    }
}
