package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Our output has the samples' key lists, key order and value types whatever the values: here
 * with hostile worker strings (quotes, markup, newlines, non-ASCII), a starting worker, an
 * out-of-range stage, another pm and a non-UTC zone.
 */
class StatusStructureTest {

    private static final String NASTY = "/a\"b<c>&d'e\\f\ng\r\u0001h/é€😀";
    private static final ZoneId ZONE = ZoneId.of("Asia/Kolkata");

    private static PoolStatus hostile() {
        Fixtures f = Fixtures.pool("api.v2-x_y");
        f.pm = PmMode.ONDEMAND;
        f.accepted = 123_456_789_012L;
        f.idle(10).running(11);
        f.worker(12, RequestStage.STARTING, 0, 0, "", "", "", "", "", 0, 0, 0, -1);
        f.worker(13, RequestStage.READING_HEADERS, 7, 1234, NASTY, NASTY, NASTY, NASTY, NASTY, 1 << 20, 0, 0, 5);
        f.worker(14, null, 7, 0, NASTY, NASTY, "", NASTY, NASTY, 0, 0, 0, 5);
        return f.build();
    }

    private static String render(StatusFormat format, boolean full) {
        return StatusPage.render(hostile(), format, full, ZONE, false);
    }

    @Test
    void jsonHasTheSampleKeysInOrderWithTheSampleTypes() {
        for (boolean full : new boolean[] {false, true}) {
            Map<String, Object> sample = MiniJson.object(Samples.read(full ? "status-full.json" : "status.json"));
            Map<String, Object> ours = MiniJson.object(render(StatusFormat.JSON, full));
            assertSameShape(sample, ours, "pool");
            if (full) {
                Map<?, ?> sampleProcess = (Map<?, ?>) ((List<?>) sample.get("processes")).get(0);
                List<?> processes = (List<?>) ours.get("processes");
                assertEquals(5, processes.size());
                for (Object p : processes) {
                    assertSameShape(sampleProcess, (Map<?, ?>) p, "process");
                }
                Map<?, ?> nasty = (Map<?, ?>) processes.get(3);
                assertEquals(NASTY + "?" + NASTY, nasty.get("request uri"), "JSON round-trips any string");
                assertEquals("Starting", ((Map<?, ?>) processes.get(2)).get("state"));
                assertEquals(ProcessFields.UNKNOWN_STATE, ((Map<?, ?>) processes.get(4)).get("state"));
            }
        }
    }

    @Test
    void xmlIsWellFormedWithTheSampleElementsInOrder() throws Exception {
        for (boolean full : new boolean[] {false, true}) {
            Document sample = xml(Samples.read(full ? "status-full.xml" : "status.xml"));
            Document ours = xml(render(StatusFormat.XML, full));
            assertEquals(childNames(sample.getDocumentElement()), childNames(ours.getDocumentElement()));
            if (full) {
                Element sampleProcess = firstElement(firstElement(sample.getDocumentElement(), "processes"), "process");
                Element processes = firstElement(ours.getDocumentElement(), "processes");
                int count = 0;
                for (Node n = processes.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element e) {
                        assertEquals(childNames(sampleProcess), childNames(e));
                        count++;
                    }
                }
                assertEquals(5, count);
                Element nasty = (Element) processes.getElementsByTagName("process").item(3);
                assertEquals(NASTY.replace('\u0001', '\ufffd').replace("\r", "\n") + "?" + NASTY.replace('\u0001', '\ufffd').replace("\r", "\n"),
                        nasty.getElementsByTagName("request-uri").item(0).getTextContent(), "escaped, with XML's line-end normalisation");
            }
        }
    }

    @Test
    void textHasTheSampleLabelsAndOneLinePerField() {
        for (boolean full : new boolean[] {false, true}) {
            List<String> sample = labels(Samples.read(full ? "status-full.txt" : "status.txt"));
            List<String> ours = labels(render(StatusFormat.TEXT, full));
            if (!full) {
                assertEquals(sample, ours);
                continue;
            }
            int poolLines = sample.indexOf("");
            List<String> sampleProcess = sample.subList(poolLines, poolLines + (sample.size() - poolLines) / 4);
            List<String> expected = new ArrayList<>(sample.subList(0, poolLines));
            for (int i = 0; i < 5; i++) {
                expected.addAll(sampleProcess);
            }
            assertEquals(expected, ours, "a worker's newline must not add a line");
        }
        assertTrue(render(StatusFormat.TEXT, false).contains("start time:           "), "date in the text format");
        assertTrue(Pattern.compile("start time:           \\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0530\n")
                .matcher(render(StatusFormat.TEXT, false)).find(), "strftime %d/%b/%Y:%H:%M:%S %z in the given zone");
    }

    @Test
    void htmlIsWellFormedXhtmlWithTheSampleRowsAndPhpFpmsProcessColumns() throws Exception {
        Document sample = xml(Samples.read("status.html"));
        for (boolean full : new boolean[] {false, true}) {
            String html = render(StatusFormat.HTML, full);
            Document ours = xml(html);
            assertEquals(ths(sample, 0), ths(ours, 0));
            assertEquals("PHP-FPM Status Page", ours.getElementsByTagName("title").item(0).getTextContent());
            if (full) {
                // PHP-FPM 8.2 fpm_status.c, the full_pre header row of the html format
                assertEquals(List.of("pid", "state", "start time", "start since", "requests", "request duration", "request method",
                        "request uri", "content length", "user", "script", "last request cpu", "last request memory"), ths(ours, 1));
                Element table = (Element) ours.getElementsByTagName("table").item(1);
                assertEquals("1", table.getAttribute("border"));
                assertEquals(6, table.getElementsByTagName("tr").getLength(), "a header row and one row per process");
                assertTrue(html.endsWith("</tr>\n</table></body></html>"));
            } else {
                assertEquals(1, ours.getElementsByTagName("table").getLength());
                assertTrue(html.endsWith("</table>\n</body></html>"));
            }
        }
    }

    @Test
    void openMetricsHasTheSampleLinesWhateverTheValuesAndIgnoresFull() {
        String masked = mask(Samples.read("status-full.openmetrics")).replace("pool www using a static PM", "pool api.v2-x_y using a ondemand PM");
        assertEquals(masked, mask(render(StatusFormat.OPENMETRICS, true)));
        assertEquals(render(StatusFormat.OPENMETRICS, false), render(StatusFormat.OPENMETRICS, true));
        assertTrue(render(StatusFormat.OPENMETRICS, false).contains("\nphpfpm_accepted_connections 123456789012\n"));
    }

    private static String mask(String om) {
        return om.replaceAll("(?m)^(phpfpm_\\w+) \\d+$", "$1 N");
    }

    private static void assertSameShape(Map<?, ?> sample, Map<?, ?> ours, String what) {
        List<Object> sampleKeys = new ArrayList<>(sample.keySet());
        List<Object> ourKeys = new ArrayList<>(ours.keySet());
        assertEquals(sampleKeys, ourKeys, what + " keys");
        for (Object k : sampleKeys) {
            assertEquals(type(sample.get(k)), type(ours.get(k)), what + " value type of '" + k + "'");
        }
    }

    private static String type(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName();
    }

    static Document xml(String s) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> childNames(Element e) {
        List<String> names = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                names.add(c.getTagName());
            }
        }
        return names;
    }

    private static Element firstElement(Element parent, String name) {
        return (Element) parent.getElementsByTagName(name).item(0);
    }

    private static List<String> ths(Document d, int table) {
        Element t = (Element) d.getElementsByTagName("table").item(table);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < t.getElementsByTagName("th").getLength(); i++) {
            out.add(t.getElementsByTagName("th").item(i).getTextContent());
        }
        return out;
    }

    /** Each line's label (text before the first colon), a blank line as "" and the separator as itself. */
    private static List<String> labels(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            Matcher m = Pattern.compile("^([a-zA-Z ]+):").matcher(line);
            out.add(m.find() ? m.group(1) : line);
        }
        if (out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
