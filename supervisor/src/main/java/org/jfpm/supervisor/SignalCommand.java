package org.jfpm.supervisor;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import org.jfpm.os.NativeException;
import org.jfpm.os.PidFd;
import org.jfpm.os.Signals;
import org.jfpm.supervisor.config.SupervisorConfig;

/**
 * {@code jfpm reload} and {@code jfpm stop}: sends one signal to the running supervisor found through
 * the configuration's {@code jfpm.pid-file} ({@link PidFile#runningJfpm}). The signal goes through a
 * pidfd opened before the pid file is checked a second time, so it reaches that supervisor or nobody.
 */
final class SignalCommand {

    private SignalCommand() {
    }

    /**
     * Signals the supervisor; {@code meaning} says what the signal asks for ("graceful reload").
     *
     * @return 0 once sent; 78 if the configuration has no pid file; 1 if no live jfpm can be confirmed
     *         or the signal cannot be sent
     */
    static int run(SupervisorConfig config, int signal, String meaning, PrintStream out, PrintStream err) {
        Path path = config.pidFile();
        if (path == null) {
            err.println("ERROR: jfpm.pid-file is not set in " + config.source()
                    + ": it is how this command finds the running jfpm; nothing signalled");
            return ExitCodes.CONFIG;
        }
        String name = Signals.name(signal);
        try {
            long pid = PidFile.runningJfpm(path);
            Optional<PidFd> opened = PidFd.open(pid);
            if (opened.isEmpty()) {
                throw new PidFile.Unavailable("jfpm pid " + pid + " of jfpm.pid-file " + path + " exited just now; nothing signalled");
            }
            try (PidFd process = opened.get()) {
                if (PidFile.runningJfpm(path) != pid || !process.signal(signal)) {
                    throw new PidFile.Unavailable("jfpm pid " + pid + " of jfpm.pid-file " + path
                            + " exited just now; nothing signalled");
                }
            }
            out.println("sent " + name + " (" + meaning + ") to jfpm pid " + pid + " (jfpm.pid-file " + path + ")");
            return ExitCodes.OK;
        } catch (PidFile.Unavailable e) {
            err.println("ERROR: " + e.getMessage());
            return ExitCodes.FATAL;
        } catch (NativeException e) {
            err.println("ERROR: cannot send " + name + " through jfpm.pid-file " + path + ": " + e.getMessage());
            return ExitCodes.FATAL;
        }
    }
}
