package org.jfpm.supervisor.fpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IniLineTest {

    static final Source AT = new Source(Path.of("/etc/php/8.2/fpm/php-fpm.conf"), 3);

    static IniLine parse(String line) throws FpmConfigException {
        return IniLine.parse(line, AT, name -> null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "; a comment", "   ;pm = static", "\t"})
    void blankAndCommentLinesAreNothing(String line) throws Exception {
        assertNull(parse(line));
    }

    @Test
    void sections() throws Exception {
        assertEquals(new IniLine.Section("global", AT), parse("[global]"));
        assertEquals(new IniLine.Section("www", AT), parse("  [ www ]  ; the pool"));
    }

    @Test
    void entriesHaveLowerCaseNamesAndKeepTheIndexCase() throws Exception {
        IniLine.Entry e = (IniLine.Entry) parse("PM.Max_Children = 5 ; five");
        assertEquals("pm.max_children", e.name());
        assertNull(e.index());
        assertEquals("5", e.value().value());
        assertEquals("5", e.raw());
        IniLine.Entry env = (IniLine.Entry) parse("env[ Path ] = /usr/bin:/bin");
        assertEquals("env", env.name());
        assertEquals("Path", env.index());
        assertEquals("env[Path]", env.key());
        IniLine.Entry append = (IniLine.Entry) parse("access.suppress_path[] = /ping");
        assertEquals("", append.index());
        assertEquals("access.suppress_path[]", append.key());
        IniLine.Entry quoted = (IniLine.Entry) parse("access.format = \"%R ; %s\" ; comment");
        assertEquals("\"%R ; %s\"", quoted.raw());
        assertEquals("%R ; %s", quoted.value().value());
    }

    @Test
    void errorsNameTheLine() {
        FpmConfigException hash = assertThrows(FpmConfigException.class, () -> parse("# a comment"));
        assertEquals(AT + ": expected 'key = value', a [section] or a ; comment, got '# a comment'"
                + " ('#' does not start a comment in PHP's INI syntax: use ';')", hash.getMessage());
        assertTrue(assertThrows(FpmConfigException.class, () -> parse("daemonize")).getMessage()
                .contains("expected 'key = value'"));
        assertTrue(assertThrows(FpmConfigException.class, () -> parse("[www")).getMessage().contains("without ']'"));
        assertTrue(assertThrows(FpmConfigException.class, () -> parse("[]")).getMessage().contains("empty section name"));
        assertTrue(assertThrows(FpmConfigException.class, () -> parse("[www] pm = static")).getMessage()
                .contains("text after the section header"));
        assertTrue(assertThrows(FpmConfigException.class, () -> parse(" = 5")).getMessage().contains("no key before '='"));
        assertTrue(assertThrows(FpmConfigException.class, () -> parse("env[A = 5")).getMessage().contains("unbalanced brackets"));
    }

    @Test
    void withoutCommentStopsAtTheFirstSemicolonOutsideQuotes() {
        assertEquals(" a ", IniLine.withoutComment(" a ; b"));
        assertEquals(" \"a;\\\"b\" ", IniLine.withoutComment(" \"a;\\\"b\" ; c"));
        assertEquals(" 'a;' ", IniLine.withoutComment(" 'a;' ;c"));
    }
}
