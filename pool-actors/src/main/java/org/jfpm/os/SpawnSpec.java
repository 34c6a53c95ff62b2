package org.jfpm.os;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to spawn.
 *
 * @param argv     the program and its arguments; {@code argv[0]} is looked up on the supervisor's PATH
 *                 (prefer absolute paths)
 * @param env      the child's exact environment (nothing is inherited)
 * @param stdinFd  a supervisor fd that becomes the child's fd 0 (for workers: the listening socket);
 *                 -1 = inherit the supervisor's fd 0
 * @param stdoutFd the child's fd 1 (e.g. a {@link Pipe}'s write end); -1 = inherit the supervisor's
 * @param stderrFd the child's fd 2; -1 = inherit the supervisor's
 * @param chdir    the child's working directory, or null for the supervisor's
 * @param prefix   a privilege helper prepended to argv, e.g. {@code setpriv --reuid=... --}; empty = none
 * @param inherited supervisor fds that become the child's fds 3, 4, ... in order (for workers: the
 *                 scoreboard's memfd; for a template also its control socket); empty = the child's
 *                 fds end at 2. Each must be above the last target (jfpm keeps them at 64 and up), so
 *                 that no {@code dup2} overwrites one still to be copied.
 */
public record SpawnSpec(List<String> argv, Map<String, String> env, int stdinFd, int stdoutFd, int stderrFd,
                        Path chdir, List<String> prefix, List<Integer> inherited) {
    public SpawnSpec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
        prefix = prefix == null ? List.of() : List.copyOf(prefix);
        inherited = inherited == null ? List.of() : List.copyOf(inherited);
        for (int fd : inherited) {
            if (fd < 3 + inherited.size()) {
                throw new IllegalArgumentException("inherited fd " + fd + " is below " + (3 + inherited.size())
                        + ": a dup2 onto 3.. could overwrite it");
            }
        }
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty: expected at least the program to run");
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().indexOf('=') >= 0) {
                throw new IllegalArgumentException("environment variable name '" + e.getKey() + "' is empty or contains '='");
            }
        }
    }

    /** A spec with no fds beyond 2. */
    public SpawnSpec(List<String> argv, Map<String, String> env, int stdinFd, int stdoutFd, int stderrFd,
                     Path chdir, List<String> prefix) {
        this(argv, env, stdinFd, stdoutFd, stderrFd, chdir, prefix, List.of());
    }

    /** A spec with no redirections, no chdir and no prefix. */
    public static SpawnSpec of(List<String> argv, Map<String, String> env) {
        return new SpawnSpec(argv, env, -1, -1, -1, null, List.of());
    }

    /** {@code prefix + argv}: what is actually exec'd. */
    public List<String> commandLine() {
        if (prefix.isEmpty()) {
            return argv;
        }
        List<String> all = new java.util.ArrayList<>(prefix);
        all.addAll(argv);
        return List.copyOf(all);
    }

    public SpawnSpec withStdin(int fd) {
        return new SpawnSpec(argv, env, fd, stdoutFd, stderrFd, chdir, prefix, inherited);
    }

    public SpawnSpec withStdout(int fd) {
        return new SpawnSpec(argv, env, stdinFd, fd, stderrFd, chdir, prefix, inherited);
    }

    public SpawnSpec withStderr(int fd) {
        return new SpawnSpec(argv, env, stdinFd, stdoutFd, fd, chdir, prefix, inherited);
    }

    public SpawnSpec withChdir(Path dir) {
        return new SpawnSpec(argv, env, stdinFd, stdoutFd, stderrFd, dir, prefix, inherited);
    }

    public SpawnSpec withPrefix(List<String> helper) {
        return new SpawnSpec(argv, env, stdinFd, stdoutFd, stderrFd, chdir, Objects.requireNonNull(helper), inherited);
    }

    public SpawnSpec withInherited(List<Integer> fds) {
        return new SpawnSpec(argv, env, stdinFd, stdoutFd, stderrFd, chdir, prefix, fds);
    }
}
