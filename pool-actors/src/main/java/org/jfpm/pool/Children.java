package org.jfpm.pool;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pool's workers by pid, across its generations, and its spawns in flight. Master-private state
 * (the pids are the master's own spawns, never read from a scoreboard); used by one actor only.
 */
final class Children {

    private final Map<Long, Child> byPid = new LinkedHashMap<>();
    private final List<SpawnTicket> inFlight = new ArrayList<>();

    SpawnTicket startSpawn(int slot, long generation) {
        SpawnTicket t = new SpawnTicket(slot, generation);
        inFlight.add(t);
        return t;
    }

    /** The spawn of {@code ticket} is over (it succeeded or failed); false if it was not in flight. */
    boolean endSpawn(SpawnTicket ticket) {
        return inFlight.remove(ticket);
    }

    void add(Child c) {
        byPid.put(c.pid(), c);
    }

    Child get(long pid) {
        return byPid.get(pid);
    }

    Child remove(long pid) {
        return byPid.remove(pid);
    }

    Collection<Child> all() {
        return Collections.unmodifiableCollection(byPid.values());
    }

    List<Child> inSlotOrder() {
        List<Child> list = new ArrayList<>(byPid.values());
        list.sort(Comparator.comparingLong((Child c) -> -c.generation.number()).thenComparingInt(c -> c.slot));
        return list;
    }

    List<Child> of(long generation) {
        List<Child> list = new ArrayList<>();
        for (Child c : byPid.values()) {
            if (c.generation.number() == generation) {
                list.add(c);
            }
        }
        return list;
    }

    int spawnsInFlight(long generation) {
        int n = 0;
        for (SpawnTicket t : inFlight) {
            if (t.generation == generation) {
                n++;
            }
        }
        return n;
    }

    int spawnsInFlight() {
        return inFlight.size();
    }

    /** Workers of {@code generation} that count against max-children: serving ones plus spawns in flight. */
    int running(long generation) {
        int n = spawnsInFlight(generation);
        for (Child c : byPid.values()) {
            if (c.generation.number() == generation && !c.leaving()) {
                n++;
            }
        }
        return n;
    }

    /** True when the generation has neither a live worker nor a spawn in flight. */
    boolean isEmpty(long generation) {
        return spawnsInFlight(generation) == 0 && of(generation).isEmpty();
    }

    boolean isEmpty() {
        return byPid.isEmpty() && inFlight.isEmpty();
    }

    int size() {
        return byPid.size();
    }

    /** Cancels every spawn in flight (a child already spawned is killed by its ticket). */
    void cancelSpawns() {
        for (SpawnTicket t : inFlight) {
            t.cancel();
        }
    }
}
