package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfpm.pool.PoolStatus;
import org.jfpm.scoreboard.PmMode;
import org.jfpm.scoreboard.RequestStage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Byte-for-byte comparison with real PHP-FPM 8.2 output: each captured sample is read back into
 * the values it shows, those values become a {@link PoolStatus}, and rendering that status in the
 * sample's format must give the sample's exact bytes (and the content type of its {@code .headers}).
 */
class SampleRoundTripTest {

    /** The values a sample shows, keyed as PHP-FPM's JSON keys them. */
    record Shown(Map<String, String> pool, List<Map<String, String>> processes) {
    }

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("status.txt", StatusFormat.TEXT, false),
                Arguments.of("status-full.txt", StatusFormat.TEXT, true),
                Arguments.of("status.json", StatusFormat.JSON, false),
                Arguments.of("status-full.json", StatusFormat.JSON, true),
                Arguments.of("status.xml", StatusFormat.XML, false),
                Arguments.of("status-full.xml", StatusFormat.XML, true),
                Arguments.of("status.html", StatusFormat.HTML, false),
                Arguments.of("status.openmetrics", StatusFormat.OPENMETRICS, false),
                Arguments.of("status-full.openmetrics", StatusFormat.OPENMETRICS, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void rendersTheSampleByteForByte(String sample, StatusFormat format, boolean full) throws Exception {
        String expected = Samples.read(sample);
        Shown shown = switch (format) {
            case TEXT -> fromText(expected);
            case JSON -> fromJson(expected);
            case XML -> fromXml(expected);
            case HTML -> fromHtml(expected);
            case OPENMETRICS -> fromOpenMetrics(expected);
        };
        assertFalse(shown.pool.isEmpty(), "nothing read from " + sample);
        PoolStatus status = toStatus(shown);

        String rendered = StatusPage.render(status, format, full, ZoneOffset.UTC, false);

        assertEquals(expected, rendered, sample);
        assertEquals(Samples.contentType(sample), format.contentType(), sample + " content type");
    }

    static Shown fromText(String text) {
        String[] sections = text.split("\n\\*{24}\n");
        List<Map<String, String>> maps = new ArrayList<>();
        for (String section : sections) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : section.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                String label = line.substring(0, line.indexOf(':')).toLowerCase(Locale.ROOT);
                m.put(label, line.substring(22));
            }
            maps.add(m);
        }
        return new Shown(maps.get(0), maps.subList(1, maps.size()));
    }

    static Shown fromJson(String json) {
        Map<String, Object> o = MiniJson.object(json);
        List<Map<String, String>> processes = new ArrayList<>();
        Object list = o.remove("processes");
        if (list != null) {
            for (Object p : (List<?>) list) {
                processes.add(strings((Map<?, ?>) p));
            }
        }
        return new Shown(strings(o), processes);
    }

    static Shown fromXml(String xml) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        Map<String, String> pool = new LinkedHashMap<>();
        List<Map<String, String>> processes = new ArrayList<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element e)) {
                continue;
            }
            if (e.getTagName().equals("processes")) {
                for (Node p = e.getFirstChild(); p != null; p = p.getNextSibling()) {
                    if (p instanceof Element pe) {
                        Map<String, String> m = new LinkedHashMap<>();
                        for (Node f = pe.getFirstChild(); f != null; f = f.getNextSibling()) {
                            m.put(f.getNodeName().replace('-', ' '), f.getTextContent());
                        }
                        processes.add(m);
                    }
                }
            } else {
                pool.put(e.getTagName().replace('-', ' '), e.getTextContent());
            }
        }
        return new Shown(pool, processes);
    }

    static Shown fromHtml(String html) {
        Map<String, String> pool = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<tr><th>([^<]*)</th><td>([^<]*)</td></tr>").matcher(html);
        while (m.find()) {
            pool.put(m.group(1), m.group(2));
        }
        return new Shown(pool, List.of());
    }

    static Shown fromOpenMetrics(String om) {
        Map<String, String> pool = new LinkedHashMap<>();
        Matcher up = Pattern.compile("# HELP phpfpm_up Could pool (\\S+) using a (\\S+) PM").matcher(om);
        if (up.find()) {
            pool.put("pool", up.group(1));
            pool.put("process manager", up.group(2));
        }
        Map<String, String> names = Map.ofEntries(
                Map.entry("phpfpm_start_since", "start since"), Map.entry("phpfpm_accepted_connections", "accepted conn"),
                Map.entry("phpfpm_listen_queue", "listen queue"), Map.entry("phpfpm_max_listen_queue", "max listen queue"),
                Map.entry("phpfpm_listen_queue_length", "listen queue len"), Map.entry("phpfpm_idle_processes", "idle processes"),
                Map.entry("phpfpm_active_processes", "active processes"), Map.entry("phpfpm_total_processes", "total processes"),
                Map.entry("phpfpm_max_active_processes", "max active processes"),
                Map.entry("phpfpm_max_children_reached", "max children reached"), Map.entry("phpfpm_slow_requests", "slow requests"));
        for (String line : om.split("\n")) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && names.containsKey(parts[0])) {
                pool.put(names.get(parts[0]), parts[1]);
            }
        }
        pool.put("start time", "1795797334");
        return new Shown(pool, List.of());
    }

    private static Map<String, String> strings(Map<?, ?> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put((String) k, v instanceof Double d ? String.format(Locale.ROOT, "%.2f", d) : String.valueOf(v)));
        return out;
    }

    static long epoch(String startTime) {
        if (startTime.matches("\\d+")) {
            return Long.parseLong(startTime);
        }
        return ZonedDateTime.parse(startTime, DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)).toEpochSecond();
    }

    static PoolStatus toStatus(Shown shown) {
        Map<String, String> p = shown.pool;
        Fixtures f = Fixtures.pool(p.get("pool"));
        f.pm = PmMode.valueOf(p.get("process manager").toUpperCase(Locale.ROOT));
        f.startUs = epoch(p.get("start time")) * 1_000_000L;
        f.nowUs = f.startUs + Long.parseLong(p.get("start since")) * 1_000_000L + 500_000L;
        f.accepted = Long.parseLong(p.get("accepted conn"));
        f.listenQueue = Long.parseLong(p.get("listen queue"));
        f.maxListenQueue = Long.parseLong(p.get("max listen queue"));
        f.listenQueueLen = Long.parseLong(p.get("listen queue len"));
        f.maxActive = Long.parseLong(p.get("max active processes"));
        f.maxChildrenReached = Long.parseLong(p.get("max children reached"));
        f.slowRequests = Long.parseLong(p.get("slow requests"));
        if (shown.processes.isEmpty()) {
            for (int i = 0; i < Long.parseLong(p.get("idle processes")); i++) {
                f.idle(1000 + i);
            }
            for (int i = 0; i < Long.parseLong(p.get("active processes")); i++) {
                f.running(2000 + i);
            }
        }
        for (Map<String, String> w : shown.processes) {
            RequestStage stage = Stream.of(RequestStage.values()).filter(s -> s.statusName().equals(w.get("state"))).findFirst().orElseThrow();
            String uri = undash(w.get("request uri"));
            int q = uri.indexOf('?');
            long duration = Long.parseLong(w.get("request duration"));
            double cpu = Double.parseDouble(w.get("last request cpu"));
            f.workerStartUs = epoch(w.get("start time")) * 1_000_000L;
            f.worker(Long.parseLong(w.get("pid")), stage, Long.parseLong(w.get("requests")), duration,
                    undash(w.get("request method")), q < 0 ? uri : uri.substring(0, q), q < 0 ? "" : uri.substring(q + 1),
                    undash(w.get("script")), undash(w.get("user")), Long.parseLong(w.get("content length")),
                    Math.round(cpu * duration / 100), Long.parseLong(w.get("last request memory")), -1);
        }
        PoolStatus status = f.build();
        assertEquals(Long.parseLong(p.get("total processes")), status.total(), "the sample's total processes");
        return status;
    }

    private static String undash(String v) {
        return "-".equals(v) ? "" : v;
    }
}
