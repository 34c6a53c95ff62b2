package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the preload library is extracted: never into a predictable path another local user could
 * create first. The old path {@code ${java.io.tmpdir}/jfpm-root} is pre-created here owned by
 * {@code nobody}, with a bogus library in it; the workers' {@code LD_PRELOAD} must point into a
 * directory owned by root that neither group nor others can write, which jfpm removes when it stops.
 */
class PreloadDirTest {

    private static final String POOL = "lib";

    @TempDir
    Path tmp;

    @Test
    void workersLoadTheLibraryFromADirectoryOnlyRootCanWrite() throws Exception {
        Path predictable = Path.of(System.getProperty("java.io.tmpdir"), "jfpm-" + System.getProperty("user.name"));
        UserPrincipalLookupService users = predictable.getFileSystem().getUserPrincipalLookupService();
        boolean existed = Files.exists(predictable, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal oldOwner = existed ? Files.getOwner(predictable, LinkOption.NOFOLLOW_LINKS) : null;
        Path bogus = predictable.resolve("libjfpm-preload-0000000000000000.so");
        try {
            Files.createDirectories(predictable);
            Files.setOwner(predictable, users.lookupPrincipalByName("nobody"));
            Files.writeString(bogus, "not a library");
            Path libDir;
            try (Jfpm jfpm = Jfpm.in(tmp).pool(PoolSpec.named(POOL, Workers.python(), "preload").staticPm(1)).start()) {
                jfpm.pollUntil(() -> jfpm.livePids(POOL).size() == 1, Duration.ofSeconds(15), "1 worker started");
                long pid = jfpm.livePids(POOL).get(0);
                jfpm.awaitIdle(POOL, 1, Duration.ofSeconds(15)); // the library attached: it is a real one
                String preload = environ(pid, "LD_PRELOAD");
                Path lib = Path.of(preload);
                libDir = lib.getParent();
                assertFalse(libDir.startsWith(predictable), "LD_PRELOAD " + preload + " is not in " + predictable);
                assertFalse(Files.isSymbolicLink(libDir), libDir + " is no symlink");
                assertEquals(0, (int) (Integer) Files.getAttribute(libDir, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        libDir + " is owned by root");
                int mode = (Integer) Files.getAttribute(libDir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                assertEquals(0, mode & 0022, libDir + " mode " + Integer.toOctalString(mode) + " not group/other-writable");
                assertEquals(0, (int) (Integer) Files.getAttribute(lib, "unix:uid", LinkOption.NOFOLLOW_LINKS));
                int libMode = (Integer) Files.getAttribute(lib, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                assertEquals(0, libMode & 0022, lib + " mode " + Integer.toOctalString(libMode));
                assertTrue(Files.isDirectory(libDir));
            }
            assertFalse(Files.exists(libDir), libDir + " is removed when jfpm stops");
            assertEquals("not a library", Files.readString(bogus), "the other user's file was left alone");
        } finally {
            Files.deleteIfExists(bogus);
            if (existed) {
                Files.setOwner(predictable, oldOwner);
            } else {
                try {
                    Files.deleteIfExists(predictable);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // an older jfpm running meanwhile (another checkout) uses it: hand it back to root
                    Files.setOwner(predictable, users.lookupPrincipalByName("root"));
                }
            }
        }
    }

    private static String environ(long pid, String name) throws IOException {
        byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
        for (String kv : new String(env, StandardCharsets.UTF_8).split("\0")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " is not in the environment of pid " + pid);
    }
}
