package org.jfpm.supervisor;

/** The process exit codes of the jfpm command (sysexits.h values where one fits). */
public final class ExitCodes {

    /** Normal stop, or a successful {@code --test}. */
    public static final int OK = 0;
    /** Any fatal error other than the two below. */
    public static final int FATAL = 1;
    /** Bad command line (EX_USAGE). */
    public static final int USAGE = 64;
    /** Invalid configuration (EX_CONFIG); every error is printed. */
    public static final int CONFIG = 78;

    private ExitCodes() {
    }
}
