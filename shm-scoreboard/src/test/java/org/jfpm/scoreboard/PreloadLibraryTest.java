package org.jfpm.scoreboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreloadLibraryTest {
    @TempDir
    Path dir;

    @Test
    void extractsAnExecutableElfNamedByItsHash() throws Exception {
        byte[] lib = PreloadLibrary.bytes();
        Path p = PreloadLibrary.extract(dir.resolve("sub"));
        assertTrue(p.isAbsolute());
        assertTrue(p.getFileName().toString().matches("libjfpm-preload-[0-9a-f]{16}\\.so"), p.toString());
        assertEquals(PreloadLibrary.fileName(lib), p.getFileName().toString());
        assertArrayEquals(lib, Files.readAllBytes(p));
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, java.util.Arrays.copyOf(lib, 4));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        try (Stream<Path> files = Files.list(p.getParent())) {
            assertEquals(List.of(p), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void reusesAnIntactCopyAndReplacesADamagedOne() throws Exception {
        Path p = PreloadLibrary.extract(dir);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(p, old);
        assertEquals(p, PreloadLibrary.extract(dir));
        assertEquals(old, Files.getLastModifiedTime(p), "an intact copy is not rewritten");

        Files.write(p, new byte[] {1, 2, 3});
        assertEquals(p, PreloadLibrary.extract(dir));
        assertArrayEquals(PreloadLibrary.bytes(), Files.readAllBytes(p), "a damaged copy is replaced");
    }

    @Test
    void concurrentExtractionsAgree() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit((Callable<Path>) () -> PreloadLibrary.extract(dir)));
            }
            Path first = results.get(0).get();
            for (Future<Path> f : results) {
                assertEquals(first, f.get());
            }
            assertArrayEquals(PreloadLibrary.bytes(), Files.readAllBytes(first));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(1, files.count());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ldPreloadPutsTheLibraryFirst() {
        Path lib = Path.of("/dev/shm/libjfpm-preload-0123456789abcdef.so");
        assertEquals(lib.toString(), PreloadLibrary.ldPreload(lib, null));
        assertEquals(lib.toString(), PreloadLibrary.ldPreload(lib, " "));
        assertEquals(lib + ":/usr/lib/libjemalloc.so.2", PreloadLibrary.ldPreload(lib, "/usr/lib/libjemalloc.so.2"));
        assertThrows(IllegalArgumentException.class, () -> PreloadLibrary.ldPreload(Path.of("/a b/x.so"), null));
        assertThrows(IllegalArgumentException.class, () -> PreloadLibrary.ldPreload(Path.of("/a:b/x.so"), null));
    }
}
