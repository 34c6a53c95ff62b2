package org.jfpm.os;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signals to the supervisor's own JVM, via {@code sun.misc.Signal}. The JDK runs each handler on a
 * new thread; ours only forwards the signal's short name ({@code "TERM"}) to a consumer, which must
 * be quick and thread-safe (e.g. tell an actor).
 *
 * <p>QUIT is refused (HotSpot keeps it for thread dumps) and so is USR2 (HotSpot's suspend/resume
 * signal; taking it breaks JFR sampling). Needs a JVM without {@code -Xrs}.
 */
public final class JvmSignals implements AutoCloseable {
    private final Map<Signal, SignalHandler> previous;

    private JvmSignals(Map<Signal, SignalHandler> previous) {
        this.previous = previous;
    }

    /**
     * Installs a forwarding handler for each of {@code names} ({@code TERM} or {@code SIGTERM}).
     *
     * @throws IllegalArgumentException for QUIT, USR2, an unknown name, or a signal the JVM refuses
     *                                  (then nothing stays installed)
     */
    public static JvmSignals install(Collection<String> names, Consumer<String> onSignal) {
        Objects.requireNonNull(onSignal, "onSignal");
        List<String> shortNames = new ArrayList<>();
        for (String name : names) {
            shortNames.add(shortName(name));
        }
        Map<Signal, SignalHandler> installed = new LinkedHashMap<>();
        try {
            for (String n : shortNames) {
                Signal signal = new Signal(n);
                SignalHandler old;
                try {
                    old = Signal.handle(signal, s -> onSignal.accept(n));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("cannot handle SIG" + n + " in this JVM: " + e.getMessage()
                            + " (is the JVM running with -Xrs?)", e);
                }
                installed.put(signal, old);
            }
        } catch (RuntimeException e) {
            new JvmSignals(installed).close();
            throw e;
        }
        return new JvmSignals(installed);
    }

    private static String shortName(String name) {
        int number = Signals.parse(name);
        String full = Signals.name(number);
        if (number == Signals.SIGQUIT) {
            throw new IllegalArgumentException("SIGQUIT cannot be handled: the JVM keeps it for thread dumps;"
                    + " expected one of TERM, INT, HUP, USR1, WINCH, TTIN, TTOU, CHLD");
        }
        if (number == Signals.SIGUSR2) {
            throw new IllegalArgumentException("SIGUSR2 must not be handled: HotSpot uses it to suspend threads"
                    + " (JFR sampling breaks); expected one of TERM, INT, HUP, USR1, WINCH, TTIN, TTOU, CHLD");
        }
        if (!full.startsWith("SIG") || full.startsWith("SIGRTMIN") || full.matches("SIG\\d+")) {
            throw new IllegalArgumentException("expected a named signal such as TERM, INT, HUP or USR1, got '" + name + "'");
        }
        return full.substring(3).toUpperCase(Locale.ROOT);
    }

    /** Restores the handlers that were in place before {@link #install}. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
        previous.clear();
    }
}
