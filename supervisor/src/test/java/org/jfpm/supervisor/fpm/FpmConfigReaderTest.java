package org.jfpm.supervisor.fpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FpmConfigReaderTest {

    @TempDir
    Path tmp;

    private Path write(String name, String... lines) throws Exception {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private FpmConfigReader.Result read(Path prefix, Path... files) throws FpmConfigException {
        return new FpmConfigReader(prefix, Map.of("SOCK_DIR", "/run/x", "HOME", "/root")::get).read(List.of(files));
    }

    private static List<String> keys(List<IniLine.Entry> entries) {
        return entries.stream().map(e -> e.key() + "=" + e.value().value()).toList();
    }

    @Test
    void entriesBeforeAnySectionAreGlobalAndPoolsReopenWithoutCase() throws Exception {
        Path f = write("php-fpm.conf", "pid = /run/a.pid", "[www]", "pm = static", "[global]", "log_level = debug",
                "[WWW]", "pm.max_children = 3", "[api]", "listen = 9001");
        FpmConfigReader.Result r = read(null, f);
        assertEquals(List.of("pid=/run/a.pid", "log_level=debug"), keys(r.global()));
        assertEquals(List.of("www", "api"), r.pools().stream().map(FpmConfigReader.Pool::name).toList());
        assertEquals(new Source(f, 2), r.pools().get(0).section());
        assertEquals(List.of("pm=static", "pm.max_children=3"), keys(r.pools().get(0).entries()));
        assertEquals(List.of(f), r.files());
    }

    @Test
    void includesAreReadWhereTheyStandAndSectionsCarryOn() throws Exception {
        write("pool.d/b.conf", "[b]", "listen = 2");
        write("pool.d/a.conf", "[a]", "listen = 1");
        Path main = write("php-fpm.conf", "[global]", "include = " + tmp + "/pool.d/*.conf",
                "; as in PHP-FPM, what follows an include belongs to the section the included files left open",
                "pm = static");
        FpmConfigReader.Result r = read(null, main);
        assertEquals(List.of(main, tmp.resolve("pool.d/a.conf"), tmp.resolve("pool.d/b.conf")), r.files());
        assertEquals(List.of("listen=1"), keys(r.pools().get(0).entries()));
        assertEquals(List.of("listen=2", "pm=static"), keys(r.pools().get(1).entries()));
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void aRelativeIncludeResolvesAgainstThePrefix() throws Exception {
        write("pool.d/www.conf", "[www]", "listen = 1");
        Path main = write("php-fpm.conf", "include=pool.d/*.conf");
        assertEquals(List.of("www"), read(tmp, main).pools().stream().map(FpmConfigReader.Pool::name).toList());
        assertEquals(List.of(), read(tmp, main).warnings());
    }

    @Test
    void withoutAPrefixARelativeIncludeGoesToUsrAsPhpFpmsAndSaysSo() throws Exception {
        Path main = write("php-fpm.conf", "include=share/no-such-jfpm-test-file.conf");
        FpmConfigReader.Result r = read(null, main);
        assertEquals(2, r.warnings().size(), r.warnings()::toString);
        assertEquals(new Source(main, 1), r.warnings().get(0).source());
        assertTrue(r.warnings().get(0).message().contains("so it reads /usr/share/no-such-jfpm-test-file.conf;"
                + " give import-fpm --prefix DIR if php-fpm runs with -p DIR"), r.warnings()::toString);
        assertEquals("nothing matches the include pattern '/usr/share/no-such-jfpm-test-file.conf'",
                r.warnings().get(1).message());
    }

    @Test
    void anIncludeOfAMissingDirectoryFailsAsInPhpFpm() throws Exception {
        Path main = write("php-fpm.conf", "[global]", "include = " + tmp + "/nowhere/*.conf");
        FpmConfigException e = assertThrows(FpmConfigException.class, () -> read(null, main));
        assertEquals(new Source(main, 2), e.source());
        assertTrue(e.getMessage().startsWith(main + ":2: unable to globalize '" + tmp + "/nowhere/*.conf'"), e.getMessage());
    }

    @Test
    void includesNestAtMostFiveFilesDeep() throws Exception {
        Path loop = write("loop.conf", "include = " + tmp + "/loop.conf");
        FpmConfigException e = assertThrows(FpmConfigException.class, () -> read(null, loop));
        assertEquals(loop + ":1: failed to include more than 5 files recursively (as PHP-FPM): " + loop, e.getMessage());
    }

    @Test
    void poolExpandsToThePoolNameAndIsAnErrorInGlobal() throws Exception {
        Path f = write("www.conf", "[shop]", "listen = /run/$pool.sock", "env[POOL] = '$pool'",
                "php_value[error_log] = /var/log/$pool.log");
        FpmConfigReader.Result r = read(null, f);
        assertEquals(List.of("listen=/run/shop.sock", "env[POOL]=shop", "php_value[error_log]=/var/log/shop.log"),
                keys(r.pools().get(0).entries()));
        assertEquals("/var/log/shop.log", r.pools().get(0).entries().get(2).value().bareText());
        Path g = write("global.conf", "pid = /run/$pool.pid");
        FpmConfigException e = assertThrows(FpmConfigException.class, () -> read(null, g));
        assertEquals(g + ":1: unable to parse value for entry 'pid': Can't use '$pool' when the pool is not defined"
                + " (as PHP-FPM)", e.getMessage());
    }

    @Test
    void environmentVariablesExpandWhileReading() throws Exception {
        Path f = write("www.conf", "[www]", "listen = ${SOCK_DIR}/www.sock");
        assertEquals("/run/x/www.sock", read(null, f).pools().get(0).entries().get(0).value().value());
    }

    @Test
    void filesThatCannotBeReadOrParsedNameFileAndLine() throws Exception {
        Path missing = tmp.resolve("missing.conf");
        assertEquals(missing + ": cannot read it: no such file",
                assertThrows(FpmConfigException.class, () -> read(null, missing)).getMessage());
        Path bad = write("pool.d/bad.conf", "[www]", "", "listen = \"/run/unclosed.sock");
        Path main = write("main.conf", "include = " + tmp + "/pool.d/*.conf");
        assertEquals(bad + ":3: a double-quoted value is not closed on this line: \"/run/unclosed.sock",
                assertThrows(FpmConfigException.class, () -> read(null, main)).getMessage());
    }

    @Test
    void crlfLinesAndAByteOrderMarkAreRead() throws Exception {
        Path f = tmp.resolve("dos.conf");
        Files.writeString(f, "\uFEFF[www]\r\nlisten = 9000\r\n");
        FpmConfigReader.Result r = read(null, f);
        assertEquals(List.of("listen=9000"), keys(r.pools().get(0).entries()));
        assertEquals(new Source(f, 2), r.pools().get(0).entries().get(0).source());
    }
}
