package org.jfpm.os;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The listening sockets systemd passed to this process ({@code sd_listen_fds(3)}): {@code LISTEN_FDS}
 * descriptors from fd 3 on, named by {@code LISTEN_FDNAMES} (colon-separated, {@code FileDescriptorName=}
 * of the socket unit; "unknown" when unnamed), meant for the process whose pid is {@code LISTEN_PID}.
 * A pool takes one with {@code listen = "systemd:NAME"}.
 *
 * <p>The descriptors stay open for jfpm's whole life, whatever reloads do (systemd keeps its own
 * copy, and a reload may hand the same name to a pool again): {@link ListenSocket#inherited} never
 * closes them. {@link #adopt()} marks them close-on-exec. The variables are not unset in jfpm's
 * own environment (the JVM cannot), but no worker inherits them ({@link #ENVIRONMENT}).
 *
 * <p>Immutable once made; {@link #adopt()} is idempotent and thread-safe.
 */
public final class SystemdSockets {
    public static final String LISTEN_FDS = "LISTEN_FDS";
    public static final String LISTEN_PID = "LISTEN_PID";
    public static final String LISTEN_FDNAMES = "LISTEN_FDNAMES";
    /** The protocol's variables: meant for jfpm alone, never passed to a worker. */
    public static final Set<String> ENVIRONMENT = Set.of(LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES);
    /** {@code SD_LISTEN_FDS_START}. */
    public static final int FIRST_FD = 3;
    private static final String UNNAMED = "unknown";

    private static SystemdSockets current;

    private final long selfPid;
    /** Why there are no sockets for us, or null when {@code fds} holds them. */
    private final String none;
    /** name → fds, in fd order. */
    private final Map<String, List<Integer>> byName;
    private final List<Integer> fds;
    private boolean adopted;

    private SystemdSockets(long selfPid, String none, Map<String, List<Integer>> byName, List<Integer> fds) {
        this.selfPid = selfPid;
        this.none = none;
        this.byName = byName;
        this.fds = fds;
    }

    /** The sockets passed to this process (its environment and pid), read once. */
    public static synchronized SystemdSockets current() {
        if (current == null) {
            current = fromEnvironment(System.getenv(), ProcFs.selfPid());
        }
        return current;
    }

    /** Reads the variables as {@code sd_listen_fds_with_names} does; touches no descriptor. */
    public static SystemdSockets fromEnvironment(Map<String, String> env, long selfPid) {
        return fromEnvironment(env, selfPid, FIRST_FD);
    }

    /** As {@link #fromEnvironment(Map, long)} with the first descriptor at {@code firstFd} instead of 3 (for tests). */
    public static SystemdSockets fromEnvironment(Map<String, String> env, long selfPid, int firstFd) {
        String count = env.get(LISTEN_FDS);
        if (count == null || count.isEmpty()) {
            return none(selfPid, "no socket was passed (" + LISTEN_FDS + " is not set: start jfpm from a service"
                    + " with a .socket unit, or under systemd-socket-activate)");
        }
        String pid = env.get(LISTEN_PID);
        if (pid == null || pid.isEmpty()) {
            return none(selfPid, LISTEN_PID + " is not set (so " + LISTEN_FDS + "=" + count + " is meant for no process)");
        }
        long forPid;
        try {
            forPid = Long.parseLong(pid.trim());
        } catch (NumberFormatException e) {
            return none(selfPid, LISTEN_PID + " is '" + pid + "', not a pid");
        }
        if (forPid != selfPid) {
            return none(selfPid, LISTEN_PID + " is " + forPid + ", not this jfpm's pid " + selfPid
                    + " (the sockets were passed to another process)");
        }
        int n;
        try {
            n = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0) {
            return none(selfPid, LISTEN_FDS + " is '" + count + "', not a positive number of sockets");
        }
        String namesVar = env.get(LISTEN_FDNAMES);
        String[] names = namesVar == null || namesVar.isEmpty() ? new String[0] : namesVar.split(":", -1);
        if (names.length != 0 && names.length != n) {
            return none(selfPid, LISTEN_FDNAMES + " has " + names.length + " name(s) for " + LISTEN_FDS + "=" + n
                    + ": '" + namesVar + "'");
        }
        Map<String, List<Integer>> byName = new LinkedHashMap<>();
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = names.length == 0 || names[i].isEmpty() ? UNNAMED : names[i];
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(firstFd + i);
            fds.add(firstFd + i);
        }
        byName.replaceAll((k, v) -> List.copyOf(v));
        return new SystemdSockets(selfPid, null, byName, List.copyOf(fds));
    }

    private static SystemdSockets none(long selfPid, String why) {
        return new SystemdSockets(selfPid, why, Map.of(), List.of());
    }

    /** True when systemd passed this process at least one socket. */
    public boolean passed() {
        return none == null;
    }

    /** The passed descriptors, in order. */
    public List<Integer> fds() {
        return fds;
    }

    /** name → descriptors (several when sockets share a name), in {@code LISTEN_FDNAMES} order. */
    public Map<String, List<Integer>> byName() {
        return byName;
    }

    /**
     * Why {@code listen = "systemd:NAME"} cannot take {@code name}, worded as what was expected (for a
     * configuration error line {@code key = value: expected ...}); empty when the name is one
     * listening stream socket. Reads the descriptor's state ({@code fstat}, {@code getsockopt}) and
     * changes nothing.
     */
    public Optional<String> problem(String name) {
        String want = "a socket passed by systemd named '" + name + "'";
        if (none != null) {
            return Optional.of(want + ", but " + none);
        }
        List<Integer> found = byName.get(name);
        if (found == null) {
            return Optional.of(want + ", but " + LISTEN_FDNAMES + " names " + describe()
                    + " (FileDescriptorName= in the .socket unit, --fdname= of systemd-socket-activate)");
        }
        if (found.size() > 1) {
            return Optional.of("one socket named '" + name + "', but systemd passed " + found.size() + " (fds "
                    + found + "): a pool listens on one socket; give each ListenStream= a .socket unit with its own"
                    + " FileDescriptorName=");
        }
        int fd = found.get(0);
        if (!SocketInfo.isSocket(fd)) {
            return Optional.of(want + ", but fd " + fd + " is not an open socket");
        }
        try {
            if (SocketInfo.type(fd) != SocketInfo.SOCK_STREAM) {
                return Optional.of(want + " of type stream (ListenStream=), but fd " + fd
                        + " is not a stream socket (ListenDatagram= or ListenSequentialPacket=?)");
            }
            if (!SocketInfo.listening(fd)) {
                return Optional.of(want + " that listens, but fd " + fd + " is not listening (Accept=yes passes"
                        + " connections, not the listening socket: use Accept=no)");
            }
        } catch (NativeException e) {
            return Optional.of(want + ", but fd " + fd + " cannot be inspected: " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * The descriptor of the socket named {@code name}.
     *
     * @throws IllegalArgumentException it cannot be used (the message is {@link #problem}'s)
     */
    public int fd(String name) {
        Optional<String> problem = problem(name);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("listen systemd:" + name + ": expected " + problem.get());
        }
        return byName.get(name).get(0);
    }

    /**
     * Marks every passed descriptor close-on-exec (systemd passes them without), so nothing jfpm runs
     * inherits them by accident; workers get theirs as fd 0 through {@code dup2}. Once; does nothing when
     * no socket was passed to this process. A descriptor that is not open is skipped.
     */
    public synchronized void adopt() {
        if (adopted || none != null) {
            return;
        }
        adopted = true;
        for (int fd : fds) {
            if (SocketInfo.isSocket(fd)) {
                SocketInfo.setCloseOnExec(fd);
            }
        }
    }

    /** "www (fd 3), admin (fd 4)". */
    public String describe() {
        if (none != null) {
            return "nothing (" + none + ")";
        }
        List<String> parts = new ArrayList<>();
        byName.forEach((name, list) -> parts.add(name + (list.size() == 1 ? " (fd " + list.get(0) + ")" : " (fds " + list + ")")));
        return String.join(", ", parts);
    }

    long selfPid() {
        return selfPid;
    }
}
