package org.jfpm.supervisor.fpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobTest {

    @TempDir
    Path tmp;

    @Test
    void expandsLikeGlobWithDirectoriesSkippedAndDotfilesHidden() throws IOException {
        Path pools = Files.createDirectories(tmp.resolve("pool.d"));
        for (String f : List.of("www.conf", "api.conf", ".hidden.conf", "notes.txt", "b1.conf", "b2.conf")) {
            Files.writeString(pools.resolve(f), "");
        }
        Files.createDirectories(pools.resolve("dir.conf"));
        assertEquals(List.of(pools.resolve("api.conf"), pools.resolve("b1.conf"), pools.resolve("b2.conf"),
                pools.resolve("www.conf")), Glob.expand(pools + "/*.conf"));
        assertEquals(List.of(pools.resolve("b1.conf"), pools.resolve("b2.conf")), Glob.expand(pools + "/b?.conf"));
        assertEquals(List.of(pools.resolve("b2.conf")), Glob.expand(pools + "/b[2-9].conf"));
        assertEquals(List.of(pools.resolve("b1.conf")), Glob.expand(pools + "/b[!2].conf"));
        assertEquals(List.of(pools.resolve(".hidden.conf")), Glob.expand(pools + "/.*.conf"));
        assertEquals(List.of(pools.resolve("www.conf")), Glob.expand(tmp + "/*/www.conf"));
        assertEquals(List.of(), Glob.expand(pools + "/*.ini"));
    }

    @Test
    void aMissingDirectoryBeforeTheWildcardAbortsAsGlobErrDoes() {
        IOException e = assertThrows(IOException.class, () -> Glob.expand(tmp + "/missing/*.conf"));
        assertEquals("no directory " + tmp.resolve("missing"), e.getMessage());
    }

    @Test
    void patternsAreRecognised() {
        assertEquals(true, Glob.isPattern("/etc/php/*/fpm"));
        assertEquals(false, Glob.isPattern("/etc/php/8.2/fpm/pool.d/www.conf"));
        assertEquals(true, Glob.regex("*.conf").matcher("www.conf").matches());
        assertEquals(false, Glob.regex("*.conf").matcher("www.conf.dpkg-old").matches());
        assertEquals(true, Glob.regex("w?w.[c]onf").matcher("www.conf").matches());
        assertEquals(true, Glob.regex("a+b(c).conf").matcher("a+b(c).conf").matches());
    }
}
