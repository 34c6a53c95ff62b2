package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EscapeTest {

    @Test
    void jsonEscapesAsPhpJsonEncode() {
        String[][] cases = {
            {"/var/www/html/sleep.php", "\\/var\\/www\\/html\\/sleep.php"},
            {"a\"b\\c", "a\\\"b\\\\c"},
            {"\b\f\n\r\t", "\\b\\f\\n\\r\\t"},
            {"\u0001\u001f", "\\u0001\\u001f"},
            {"é€", "\\u00e9\\u20ac"},
            {"😀", "\\ud83d\\ude00"},
            {"plain ?&=", "plain ?&="},
            {"", ""},
            {"del\u007f", "del\\u007f"},
            {"~ !#$%'()*+,-.:;=?@[]^_`{|}", "~ !#$%'()*+,-.:;=?@[]^_`{|}"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], Escape.json(c[0]), c[0]);
        }
    }

    @Test
    void markupEscapesEntitiesAndDropsWhatXmlForbids() {
        String[][] cases = {
            {"/status?full&xml", "/status?full&amp;xml"},
            {"<script>\"x\"</script>", "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"},
            {"a\u0000b\u0008c\td\ne", "a\ufffdb\ufffdc\td\ne"},
            {"é'", "é'"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], Escape.markup(c[0]), c[0]);
        }
    }

    @Test
    void textLineReplacesControlCharacters() {
        assertEquals("GET?state:                Idle", Escape.textLine("GET\nstate:                Idle"));
        assertEquals("a?b?c", Escape.textLine("a\rb\u007fc"));
        assertEquals("/é€ ok", Escape.textLine("/é€ ok"));
    }

    @Test
    void labelEscapesBackslashQuoteNewline() {
        assertEquals("a\\\\b\\\"c\\nd", Escape.label("a\\b\"c\nd"));
        assertEquals("/srv/a&b<c>é\u007f", Escape.label("/srv/a&b<c>é\u007f"), "nothing else is escaped");
        assertEquals("www", Escape.label("www"));
    }

    /** A string no format escapes is returned itself, not a copy (the common case: "-", "Idle", "GET"). */
    @Test
    void aStringNeedingNoEscapeIsNotCopied() {
        String s = new String("Reading headers");
        org.junit.jupiter.api.Assertions.assertSame(s, Escape.json(s));
        org.junit.jupiter.api.Assertions.assertSame(s, Escape.label(s));
    }
}
