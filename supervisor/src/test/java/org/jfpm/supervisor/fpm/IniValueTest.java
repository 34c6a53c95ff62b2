package org.jfpm.supervisor.fpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PHP's INI value syntax as PHP-FPM reads it. Every expected value here is what {@code php-fpm8.2 -tt}
 * (8.2.36) printed for {@code env[A] = <text>} with {@code HOME=/root}.
 */
class IniValueTest {

    static final Source AT = new Source(Path.of("/etc/php/8.2/fpm/pool.d/www.conf"), 7);
    static final Map<String, String> ENV = Map.of("HOME", "/root", "EMPTY", "");

    static IniValue parse(String text) throws FpmConfigException {
        return IniValue.parse(text, AT, ENV::get);
    }

    static Stream<Arguments> asPhpFpmReadsThem() {
        return Stream.of(
                Arguments.of(" plain", "plain"),
                Arguments.of(" 2 ; trailing comment", "2"),
                Arguments.of(" a   b", "a   b"),
                Arguments.of("x y ", "x y"),
                Arguments.of(" \"quoted ${HOME} \\\"x\\\" \\$y\"", "quoted /root \"x\" $y"),
                Arguments.of(" 'single ${HOME}'", "single ${HOME}"),
                Arguments.of(" bare ${HOME} value  ; c", "bare /root value"),
                Arguments.of(" \"a\" b 'c'", "ab c"),
                Arguments.of(" \"a\" 'b'", "ab"),
                Arguments.of(" x \"a\"", "xa"),
                Arguments.of(" x 'a'", "x a"),
                Arguments.of(" \"a\" b \"c\"", "abc"),
                Arguments.of(" 'a' b", "a b"),
                Arguments.of(" x  \"a\"  y", "xay"),
                Arguments.of(" x  'a'  y", "x  a  y"),
                Arguments.of(" \"a\"  \"b\"", "ab"),
                Arguments.of(" 'a'  'b'", "a  b"),
                Arguments.of(" a b \"c\" d e", "a bcd e"),
                Arguments.of(" 'a'b", "ab"),
                Arguments.of(" a'b'", "ab"),
                Arguments.of(" 'it''s'", "its"),
                Arguments.of(" \"a\" \"\" \"b\"", "ab"),
                Arguments.of(" \"semi;colon\"", "semi;colon"),
                Arguments.of(" 'a;b'", "a;b"),
                Arguments.of(" \"a\"  ;c", "a"),
                Arguments.of(" a#b", "a#b"),
                Arguments.of(" a\\b", "a\\b"),
                Arguments.of(" \"a\\b\\\\c\"", "a\\b\\c"),
                Arguments.of(" {x}", "{x}"),
                Arguments.of(" a $ b", "a $ b"),
                Arguments.of(" a[b]", "a[b]"),
                Arguments.of(" a?b", "a?b"),
                Arguments.of(" 1 + 1", "1 + 1"),
                Arguments.of(" 0x10", "0x10"),
                Arguments.of(" \"$HOME\"", "$HOME"),
                Arguments.of(" $PATH", "$PATH"),
                Arguments.of(" ${HOME}x", "/rootx"),
                Arguments.of(" ${HOME} ${HOME}", "/root /root"),
                Arguments.of(" a/b.c-d_e:f,g@h", "a/b.c-d_e:f,g@h"),
                // booleans, constants, expressions
                Arguments.of(" yes", "1"),
                Arguments.of(" Yes", "1"),
                Arguments.of(" on", "1"),
                Arguments.of(" true", "1"),
                Arguments.of(" \"yes\"", "yes"),
                Arguments.of(" off", ""),
                Arguments.of(" none", ""),
                Arguments.of(" NULL", ""),
                Arguments.of(" E_ALL", "32767"),
                Arguments.of(" E_ALL \"x\"", "32767x"),
                Arguments.of(" \"x\" E_ALL", "x32767"),
                Arguments.of(" E_ALL & ~E_NOTICE", "32759"),
                Arguments.of(" E_ALL & ~E_DEPRECATED", "24575"),
                Arguments.of(" E_ALL | E_STRICT", "32767"),
                Arguments.of(" a & b", "0"),
                Arguments.of(" ~E_ALL", "-32768"),
                Arguments.of(" ~1", "-2"),
                Arguments.of(" (1)", "1"),
                Arguments.of(" a^b", "0"),
                Arguments.of(" a|b", "0"),
                Arguments.of(" 1|2", "3"),
                Arguments.of(" 3 & 1 | 4", "5"),
                Arguments.of(" 1 | 2 & 0", "0"),
                Arguments.of(" !0", "1"),
                Arguments.of(" !1 | 4", "4"),
                Arguments.of(" 0x10 | 0", "0"),
                Arguments.of(" 010 | 0", "10"),
                Arguments.of(" 12abc | 0", "12"),
                // PHP 8.3's ${VAR:-default}
                Arguments.of(" ${NOPE:-dflt}", "dflt"),
                Arguments.of(" ${EMPTY:-dflt}", "dflt"),
                Arguments.of(" ${HOME:-dflt}", "/root"),
                Arguments.of(" ${NOPE}", ""));
    }

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @MethodSource("asPhpFpmReadsThem")
    void readsAsPhpFpm(String text, String expected) throws Exception {
        assertEquals(expected, parse(text).value());
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of(" \"unterminated", "a double-quoted value is not closed on this line"),
                Arguments.of(" 'unterminated", "a single-quoted value is not closed on this line"),
                Arguments.of(" a\\\"b", "a double-quoted value is not closed on this line"),
                Arguments.of(" a=b", "'=' in an unquoted value"),
                Arguments.of(" a!b", "cannot read 'a!b' as PHP's INI expression"),
                Arguments.of(" yes \"x\"", "the word 'yes' (a boolean) cannot be joined with a quoted string"),
                Arguments.of(" ${HOME", "'${' without a closing '}'"));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("rejected")
    void rejectsWhatPhpFpmRejects(String text, String message) {
        FpmConfigException e = assertThrows(FpmConfigException.class, () -> parse(text));
        assertTrue(e.getMessage().startsWith(AT + ": " + message), e.getMessage());
        assertEquals(AT, e.source());
    }

    @Test
    void keepsTheBareTextForPhpCgi() throws Exception {
        IniValue v = parse(" E_ALL & ~E_NOTICE ; c");
        assertEquals("E_ALL & ~E_NOTICE", v.bareText());
        assertTrue(v.evaluated());
        IniValue p = parse(" /usr/sbin/sendmail -t -i");
        assertEquals("/usr/sbin/sendmail -t -i", p.bareText());
        assertFalse(p.evaluated());
        assertNull(parse(" \"quoted\"").bareText());
        assertNull(parse(" a \"b\"").bareText());
        assertEquals("on", parse(" on").bareText());
    }

    @Test
    void recordsTheVariablesItExpanded() throws Exception {
        assertEquals(List.of("HOME", "NOPE:-x"), parse(" \"${HOME}\" ${NOPE:-x}").variables());
        assertEquals(List.of(), parse(" '${HOME}'").variables());
    }
}
