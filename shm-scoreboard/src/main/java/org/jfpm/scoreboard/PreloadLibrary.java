package org.jfpm.scoreboard;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The accept-hook preload library ({@code libjfpm-preload.so}, built from {@code src/main/c} by the
 * Maven build and shipped inside this jar) and how to hand it to workers.
 *
 * <p>{@link #extract(Path)} copies the library out of the classpath into a file whose name carries
 * the content hash, so that concurrent supervisors and successive versions never overwrite a file a
 * running worker has mapped; the supervisor then sets {@code LD_PRELOAD} (see {@link #ldPreload})
 * in the environment of pools with {@code accounting = preload}. What the library does is described
 * in {@code docs/preload.md}.
 */
public final class PreloadLibrary {

    /** Where the library lives on the classpath. */
    public static final String RESOURCE = "org/jfpm/scoreboard/native/libjfpm-preload.so";

    /** The environment variable that makes the dynamic linker load the library into a worker. */
    public static final String LD_PRELOAD = "LD_PRELOAD";

    private static final String PREFIX = "libjfpm-preload-";
    private static final String SUFFIX = ".so";

    private PreloadLibrary() {
    }

    /**
     * Makes sure {@code dir} holds this jar's library and returns its path,
     * {@code dir/libjfpm-preload-<first 16 hex digits of its SHA-256>.so}, mode 0755.
     * An existing file with that name and the same content is reused; otherwise the library is
     * written to a temporary file in {@code dir} and renamed atomically into place, so a reader
     * never sees a partial file. Safe to call concurrently, from several processes too.
     * {@code dir} must be writable by this user only (see {@code org.jfpm.os.PrivateDir} and
     * {@code docs/preload.md}): anyone who can write it can swap the library every worker loads.
     *
     * @param dir a private directory (created if missing), see {@code org.jfpm.os.PrivateDir}
     * @return the library's absolute path
     * @throws IOException if the library is not on the classpath or the file cannot be written
     */
    public static Path extract(Path dir) throws IOException {
        return NativeResource.extract(dir, RESOURCE, PREFIX, SUFFIX);
    }

    /**
     * The value for a worker's {@code LD_PRELOAD}: {@code library}, followed by the pool's own
     * {@code LD_PRELOAD} when it has one (ld.so takes a colon- or space-separated list).
     *
     * @param library  the path {@link #extract(Path)} returned
     * @param existing the pool's configured {@code LD_PRELOAD}, or {@code null}/empty
     */
    public static String ldPreload(Path library, String existing) {
        String lib = library.toString();
        if (lib.contains(":") || lib.contains(" ")) {
            throw new IllegalArgumentException("LD_PRELOAD path contains ':' or ' ': " + lib);
        }
        return existing == null || existing.isBlank() ? lib : lib + ":" + existing;
    }

    /** The library's bytes, read from the classpath. */
    public static byte[] bytes() throws IOException {
        return NativeResource.bytes(RESOURCE);
    }

    /** The file name {@link #extract(Path)} uses for these bytes. */
    static String fileName(byte[] library) {
        return PREFIX + NativeResource.hash(library) + SUFFIX;
    }
}
