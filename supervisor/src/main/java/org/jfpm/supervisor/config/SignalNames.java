package org.jfpm.supervisor.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The signals a pool may use as its workers' graceful-stop signal, by name ({@code TERM},
 * {@code SIGTERM}, case-insensitive) or Linux number ({@code 15}). KILL and STOP are not graceful
 * and not accepted.
 */
public final class SignalNames {

    private static final Map<String, Integer> STOP_SIGNALS = new LinkedHashMap<>();

    static {
        STOP_SIGNALS.put("TERM", 15);
        STOP_SIGNALS.put("QUIT", 3);
        STOP_SIGNALS.put("INT", 2);
        STOP_SIGNALS.put("HUP", 1);
        STOP_SIGNALS.put("USR1", 10);
        STOP_SIGNALS.put("USR2", 12);
        STOP_SIGNALS.put("WINCH", 28);
    }

    private SignalNames() {
    }

    /** The signal number, or -1 when {@code text} names no accepted stop signal. */
    public static int parseStopSignal(String text) {
        if (text == null) {
            return -1;
        }
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            try {
                int n = Integer.parseInt(s);
                return STOP_SIGNALS.containsValue(n) ? n : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        if (s.startsWith("SIG")) {
            s = s.substring(3);
        }
        return STOP_SIGNALS.getOrDefault(s, -1);
    }

    /** The name without SIG for an accepted number ({@code 15 -> TERM}), or {@code null}. */
    public static String name(int signal) {
        for (Map.Entry<String, Integer> e : STOP_SIGNALS.entrySet()) {
            if (e.getValue() == signal) {
                return e.getKey();
            }
        }
        return null;
    }

    /** {@code TERM (15), QUIT (3), ...} for error messages. */
    static String choices() {
        StringBuilder sb = new StringBuilder();
        STOP_SIGNALS.forEach((n, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(" (").append(v).append(')'));
        return sb.toString();
    }
}
