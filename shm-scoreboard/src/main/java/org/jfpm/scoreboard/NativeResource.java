package org.jfpm.scoreboard;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A native file built by this module's Maven build and shipped in the jar (the preload library, the
 * launcher), copied out of the classpath into a directory under a content-hashed name, mode 0755.
 */
final class NativeResource {

    private NativeResource() {
    }

    /**
     * Makes sure {@code dir} holds {@code resource} as {@code prefix<16 hex digits of SHA-256>suffix}
     * and returns its absolute path. An existing regular file (not a symlink) with the same content is
     * reused; otherwise the bytes go to a temporary file in {@code dir}, renamed atomically into place.
     * The directory must be one only this process's user can write (see {@code org.jfpm.os.PrivateDir}):
     * this method does not defend against another user swapping the file.
     */
    static Path extract(Path dir, String resource, String prefix, String suffix) throws IOException {
        byte[] bytes = bytes(resource);
        Path target = dir.toAbsolutePath().resolve(prefix + hash(bytes) + suffix);
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            if (!Files.isExecutable(target)) {
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), prefix, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.write(tmp, bytes);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("rename " + tmp + " -> " + target + ": atomic move not supported", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The resource's bytes, read from the classpath. */
    static byte[] bytes(String resource) throws IOException {
        try (InputStream in = NativeResource.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the classpath (shm-scoreboard was built without a C compiler?)");
            }
            return in.readAllBytes();
        }
    }

    static String hash(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
