package org.jfpm.supervisor.status;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict structural check of an OpenMetrics 1.0 text exposition (the parts jfpm can get
 * wrong): {@code # EOF} last and only there, no blank lines, HELP/TYPE at most once per family
 * and before its samples, families not interleaved or repeated, sample names that belong to
 * their family ({@code _total} for counters, whose family name must not end in {@code _total}),
 * label syntax and escapes, no duplicate label names or series, values that parse, counters
 * non-negative. Returns the problems, empty when valid.
 */
final class OpenMetricsChecker {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|gaugehistogram|stateset|info|summary|unknown)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?\\d+(\\.\\d+)?)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?|[+-]?Inf|NaN");

    private OpenMetricsChecker() {
    }

    static List<String> problems(String text) {
        List<String> problems = new ArrayList<>();
        if (!text.endsWith("# EOF\n")) {
            problems.add("does not end with '# EOF\\n'");
        }
        String[] lines = text.split("\n", -1);
        Set<String> families = new HashSet<>();
        Set<String> series = new HashSet<>();
        String family = null;
        String type = null;
        boolean sawSample = false;
        boolean sawHelp = false;
        boolean sawType = false;
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String at = "line " + (n + 1) + " '" + line + "': ";
            if (line.equals("# EOF")) {
                if (n != lines.length - 2) {
                    problems.add(at + "# EOF before the end");
                }
                continue;
            }
            if (line.isEmpty()) {
                problems.add(at + "blank line");
                continue;
            }
            Matcher help = HELP.matcher(line);
            Matcher typeLine = TYPE.matcher(line);
            if (help.matches() || typeLine.matches()) {
                String name = help.matches() ? help.group(1) : typeLine.group(1);
                if (!name.equals(family)) {
                    if (!families.add(name)) {
                        problems.add(at + "family " + name + " appears twice");
                    }
                    family = name;
                    type = "unknown";
                    sawSample = sawHelp = sawType = false;
                } else if (sawSample) {
                    problems.add(at + "metadata after the family's samples");
                }
                if (help.matches()) {
                    if (sawHelp) {
                        problems.add(at + "second HELP");
                    }
                    sawHelp = true;
                    if (help.group(2).matches(".*\\\\[^\\\\n\"].*")) {
                        problems.add(at + "bad escape in HELP");
                    }
                } else {
                    if (sawType) {
                        problems.add(at + "second TYPE");
                    }
                    sawType = true;
                    type = typeLine.group(2);
                    if (type.equals("counter") && name.endsWith("_total")) {
                        problems.add(at + "counter family name ends in _total");
                    }
                }
                continue;
            }
            if (line.startsWith("#")) {
                problems.add(at + "unknown comment/metadata line");
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            if (!s.matches()) {
                problems.add(at + "not a sample");
                continue;
            }
            sawSample = true;
            String name = s.group(1);
            if (family == null || !belongs(name, family, type)) {
                problems.add(at + "sample " + name + " does not belong to family " + family + " (" + type + ")");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (s.group(3) != null && !s.group(3).isEmpty()) {
                String rest = s.group(3);
                Matcher l = LABEL.matcher(rest);
                int pos = 0;
                while (pos < rest.length()) {
                    if (!l.find(pos) || l.start() != pos) {
                        problems.add(at + "bad label syntax at '" + rest.substring(pos) + "'");
                        break;
                    }
                    if (labels.put(l.group(1), l.group(2)) != null) {
                        problems.add(at + "label " + l.group(1) + " twice");
                    }
                    pos = l.end();
                    if (pos < rest.length()) {
                        if (rest.charAt(pos) != ',') {
                            problems.add(at + "labels not separated by ','");
                            break;
                        }
                        pos++;
                    }
                }
            }
            if (!series.add(name + labels)) {
                problems.add(at + "duplicate series");
            }
            String value = s.group(4);
            if (!NUMBER.matcher(value).matches()) {
                problems.add(at + "value '" + value + "' is not a number");
            } else if (type.equals("counter") && (value.equals("NaN") || value.startsWith("-"))) {
                problems.add(at + "counter value must be a non-negative number");
            }
        }
        return problems;
    }

    private static boolean belongs(String sample, String family, String type) {
        return switch (type) {
            case "counter" -> sample.equals(family + "_total") || sample.equals(family + "_created");
            case "info" -> sample.equals(family + "_info");
            case "histogram", "gaugehistogram", "summary" -> sample.startsWith(family + "_") || sample.equals(family);
            default -> sample.equals(family);
        };
    }
}
