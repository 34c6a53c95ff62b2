package org.jfpm.supervisor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.jfpm.os.JvmSignals;
import org.jfpm.os.ProcFs;

/**
 * The main of a second JVM for the pid-file tests: acquires {@code args[0]} with {@link PidFile}
 * as the supervisor does, prints {@code held PID}, then one {@code signal NAME} line per HUP, INT or
 * TERM it receives. On the stdin line {@code crash} it halts without any cleanup (a killed
 * supervisor: the file stays, its lock goes); on {@code close} or end of stdin it closes the pid file
 * and prints {@code closed}. If the file is held it prints {@code unavailable: MESSAGE} and exits 1.
 */
public final class PidFileHolder {

    private PidFileHolder() {
    }

    public static void main(String[] args) throws Exception {
        PidFile pidFile;
        try {
            pidFile = PidFile.acquire(Path.of(args[0]), ProcFs.selfPid());
        } catch (PidFile.Unavailable e) {
            say("unavailable: " + e.getMessage());
            System.exit(1);
            return;
        }
        JvmSignals.install(Set.of("HUP", "INT", "TERM"), name -> say("signal " + name));
        say("held " + ProcFs.selfPid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("close")) {
            if (line.equals("crash")) {
                Runtime.getRuntime().halt(3);
            }
        }
        pidFile.close();
        say("closed");
        System.exit(0);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
