package org.jfpm.os;

import java.util.Locale;

/** Signal numbers and names for Linux x86_64. */
public final class Signals {
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGSEGV = 11;
    public static final int SIGUSR2 = 12;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    /** glibc's SIGRTMIN (32 and 33 are reserved by glibc itself). */
    public static final int SIGRTMIN = 34;
    public static final int SIGRTMAX = 64;

    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    private Signals() {
    }

    /**
     * {@code SIGKILL} for 9; {@code SIGRTMIN+n} for real-time signals; {@code SIG32}/{@code SIG33}
     * and {@code SIG<n>} for numbers without a name.
     */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        if (signal == SIGRTMIN) {
            return "SIGRTMIN";
        }
        if (signal > SIGRTMIN && signal <= SIGRTMAX) {
            return "SIGRTMIN+" + (signal - SIGRTMIN);
        }
        return "SIG" + signal;
    }

    /**
     * Parses {@code TERM}, {@code SIGTERM} (any case) or {@code 15}.
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static int parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected a signal name (TERM, SIGTERM) or number 1-64, got an empty value");
        }
        String s = text.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > SIGRTMAX) {
                throw new IllegalArgumentException("expected a signal number 1-" + SIGRTMAX + ", got " + s);
            }
            return n;
        }
        String upper = s.toUpperCase(Locale.ROOT);
        String full = upper.startsWith("SIG") ? upper : "SIG" + upper;
        for (int i = 1; i < NAMES.length; i++) {
            if (NAMES[i].equals(full)) {
                return i;
            }
        }
        if (full.equals("SIGIOT")) {
            return 6;
        }
        if (full.equals("SIGPOLL")) {
            return 29;
        }
        throw new IllegalArgumentException("expected a signal name such as TERM, SIGTERM, INT, HUP, USR1, QUIT, KILL"
                + " or a number 1-" + SIGRTMAX + ", got '" + text + "'");
    }
}
