package org.jfpm.supervisor.config;

import java.util.List;
import java.util.stream.Collectors;
import org.jfpm.os.Signals;

/**
 * The signals a pool may use as its workers' graceful-stop signal, by name ({@code TERM},
 * {@code SIGTERM}, case-insensitive) or Linux number ({@code 15}), parsed by {@link Signals}.
 * KILL, STOP and the rest are not graceful and not accepted.
 */
public final class SignalNames {

    private static final List<Integer> STOP_SIGNALS = List.of(Signals.SIGTERM, Signals.SIGQUIT, Signals.SIGINT,
            Signals.SIGHUP, Signals.SIGUSR1, Signals.SIGUSR2, Signals.parse("WINCH"));

    private SignalNames() {
    }

    /** The signal number, or -1 when {@code text} names no accepted stop signal. */
    public static int parseStopSignal(String text) {
        if (text == null) {
            return -1;
        }
        try {
            int n = Signals.parse(text.trim());
            return STOP_SIGNALS.contains(n) ? n : -1;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    /** The name without SIG for an accepted number ({@code 15 -> TERM}), or {@code null}. */
    public static String name(int signal) {
        return STOP_SIGNALS.contains(signal) ? Signals.name(signal).substring(3) : null;
    }

    /** {@code TERM (15), QUIT (3), ...} for error messages. */
    static String choices() {
        return STOP_SIGNALS.stream().map(n -> name(n) + " (" + n + ")").collect(Collectors.joining(", "));
    }
}
