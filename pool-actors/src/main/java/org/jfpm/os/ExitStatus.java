package org.jfpm.os;

/** How a child process ended, decoded from a {@code waitpid} status. */
public sealed interface ExitStatus permits ExitStatus.Exited, ExitStatus.Signaled, ExitStatus.Unknown {

    /** Normal exit with {@code code} (0-255). */
    record Exited(int code) implements ExitStatus {
        @Override
        public String describe() {
            return "exited with code " + code;
        }
    }

    /** Killed by {@code signal}. */
    record Signaled(int signal, boolean coreDumped) implements ExitStatus {
        @Override
        public String describe() {
            return "exited on signal " + signal + " (" + Signals.name(signal) + (coreDumped ? " - core dumped" : "") + ")";
        }
    }

    /**
     * The child is gone but its status could not be collected (someone else reaped it, which only
     * a {@code waitpid(-1)} elsewhere in the JVM can do). {@code reason} names the failed call.
     */
    record Unknown(String reason) implements ExitStatus {
        @Override
        public String describe() {
            return "exited with unknown status (" + reason + ")";
        }
    }

    /** PHP-FPM's wording: {@code exited with code 0}, {@code exited on signal 11 (SIGSEGV - core dumped)}. */
    String describe();

    /**
     * Decodes a raw {@code wait} status (WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG/WCOREDUMP).
     *
     * @throws IllegalArgumentException for a stopped/continued status, which is not an exit
     */
    static ExitStatus decode(int raw) {
        int low = raw & 0x7f;
        if (low == 0) {
            return new Exited((raw >> 8) & 0xff);
        }
        if (((byte) (low + 1) >> 1) > 0) {
            return new Signaled(low, (raw & 0x80) != 0);
        }
        throw new IllegalArgumentException("wait status 0x" + Integer.toHexString(raw) + " is a stop/continue, not an exit");
    }
}
