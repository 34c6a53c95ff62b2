package org.jfpm.supervisor.config;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/** The checks {@code --test} makes against this machine, as PHP-FPM's {@code -t} does: users, groups, files. */
final class SystemChecks {

    private SystemChecks() {
    }

    /** A user name or numeric uid known to the system (getpwnam through the JDK). */
    static boolean userExists(String nameOrId) {
        try {
            lookup().lookupPrincipalByName(nameOrId);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A group name or numeric gid known to the system. */
    static boolean groupExists(String nameOrId) {
        try {
            lookup().lookupPrincipalByGroupName(nameOrId);
            return true;
        } catch (UserPrincipalNotFoundException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * {@code text} as a path, or null when it cannot name a file (a NUL character: {@link Path#of}
     * throws {@link java.nio.file.InvalidPathException}, which must become a configuration error).
     */
    static Path path(String text) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static UserPrincipalLookupService lookup() {
        return FileSystems.getDefault().getUserPrincipalLookupService();
    }

    /**
     * Whether argv[0] can be executed: a path with a slash must be an executable regular file
     * (relative paths against {@code chdir}, else the current directory); a bare name must be found
     * on the supervisor's PATH, as {@code posix_spawnp} will search it.
     */
    static boolean executableExists(String program, Path chdir) {
        if (program.indexOf('\0') >= 0) {
            return false; // no file name holds a NUL (Path.of would throw InvalidPathException)
        }
        if (program.indexOf('/') >= 0) {
            Path p = Path.of(program);
            if (!p.isAbsolute() && chdir != null) {
                p = chdir.resolve(p);
            }
            return Files.isRegularFile(p) && Files.isExecutable(p);
        }
        String pathVar = System.getenv("PATH");
        if (pathVar == null || pathVar.isEmpty()) {
            pathVar = "/usr/local/bin:/usr/bin:/bin";
        }
        for (String dir : pathVar.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
