package org.jfpm.supervisor;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.List;
import org.jfpm.os.Signals;
import org.jfpm.os.SystemdSockets;
import org.jfpm.pool.PoolConfig;
import org.jfpm.supervisor.config.ConfigError;
import org.jfpm.supervisor.config.ConfigException;
import org.jfpm.supervisor.config.ConfigLoader;
import org.jfpm.supervisor.config.SupervisorConfig;
import org.jfpm.supervisor.status.StatusCommand;
import org.jfpm.supervisor.top.TopCommand;

/** The {@code jfpm} command: {@code java -jar jfpm.jar [--config FILE] [--test]}, {@code status}, {@code top}, {@code reload}, {@code stop}, {@code import-fpm} (parsed by {@link Cli}) */
public final class Main {

    /** The system property holding the running jar's path; the default config launches the demo worker from it. */
    public static final String JAR_PROPERTY = "jfpm.jar";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns the exit code (see {@link ExitCodes}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Cli.Result command;
        try {
            command = Cli.parse(Arrays.asList(args));
        } catch (Cli.UsageException e) {
            err.println("ERROR: " + e.getMessage());
            err.println(Cli.shortUsage(e.command()));
            return ExitCodes.USAGE;
        }
        try {
            if (command instanceof Cli.Run r) {
                return run(r, out, err);
            }
            if (command instanceof Cli.Status s) {
                return status(s, out, err);
            }
            if (command instanceof Cli.Top t) {
                return top(t, out, err);
            }
            if (command instanceof Cli.Reload r) {
                return signal(r.config(), Signals.SIGHUP, "graceful reload", out, err);
            }
            if (command instanceof Cli.Stop s) {
                return s.graceful() ? signal(s.config(), Signals.SIGTERM, "graceful stop", out, err)
                        : signal(s.config(), Signals.SIGINT, "fast stop", out, err);
            }
            if (command instanceof Cli.ImportFpm i) {
                return ImportFpmCommand.run(i.files(), i.prefix(), out, err);
            }
            out.println(command instanceof Cli.Help h ? Cli.usage(h.command()) : Version.line());
            return ExitCodes.OK;
        } catch (RuntimeException | Error e) {
            err.println("ERROR: " + e);
            e.printStackTrace(err);
            return ExitCodes.FATAL;
        }
    }

    private static int run(Cli.Run command, PrintStream out, PrintStream err) {
        SupervisorConfig config;
        // the master checks systemd:NAME listens against the sockets passed to it; --test does when it was passed any
        SystemdSockets sockets = SystemdSockets.current();
        boolean checkSockets = !command.test() || System.getenv(SystemdSockets.LISTEN_FDS) != null;
        try {
            config = load(command.config(), checkSockets ? sockets : null);
        } catch (ConfigException e) {
            printErrors(e, err);
            return ExitCodes.CONFIG;
        }
        if (command.test()) {
            out.println("configuration file " + config.source() + " test is successful");
            return ExitCodes.OK;
        }
        Logging.setLevel(config.logLevel());
        Path file = command.config();
        return Supervisor.run(config, () -> load(file, sockets));
    }

    /** Reads the configured pools' scoreboards directly: works without (or despite) a running master. */
    private static int status(Cli.Status command, PrintStream out, PrintStream err) {
        SupervisorConfig config;
        try {
            config = load(command.config());
        } catch (ConfigException e) {
            printErrors(e, err);
            return ExitCodes.CONFIG;
        }
        List<String> pools = config.pools().stream().map(PoolConfig::name).toList();
        if (command.pool() != null) {
            if (!pools.contains(command.pool())) {
                err.println("ERROR: no pool '" + command.pool() + "' in " + config.source() + " (pools: "
                        + String.join(", ", pools) + ")");
                return ExitCodes.USAGE;
            }
            pools = List.of(command.pool());
        }
        return StatusCommand.run(config.scoreboardDir(), pools, command.json(), out, err);
    }

    /** {@code top}: the pools' scoreboards, live, found as {@code status} finds them. */
    private static int top(Cli.Top command, PrintStream out, PrintStream err) {
        SupervisorConfig config;
        try {
            config = load(command.config());
        } catch (ConfigException e) {
            printErrors(e, err);
            return ExitCodes.CONFIG;
        }
        List<String> pools = config.pools().stream().map(PoolConfig::name).toList();
        if (command.pool() != null) {
            if (!pools.contains(command.pool())) {
                err.println("ERROR: no pool '" + command.pool() + "' in " + config.source() + " (pools: "
                        + String.join(", ", pools) + ")");
                return ExitCodes.USAGE;
            }
            pools = List.of(command.pool());
        }
        return TopCommand.run(config.scoreboardDir(),
                new TopCommand.Options(pools, command.interval(), command.iterations(), command.batch(), command.sort()), out, err);
    }

    /** {@code reload} and {@code stop}: a configuration that does not load is reported and nothing is signalled. */
    private static int signal(Path file, int signal, String meaning, PrintStream out, PrintStream err) {
        SupervisorConfig config;
        try {
            config = load(file);
        } catch (ConfigException e) {
            printErrors(e, err);
            return ExitCodes.CONFIG;
        }
        return SignalCommand.run(config, signal, meaning, out, err);
    }

    /** Sets {@value #JAR_PROPERTY} (unless already set) and loads the configuration; {@code systemd:NAME} listens by syntax only. */
    static SupervisorConfig load(Path file) throws ConfigException {
        return load(file, null);
    }

    /** As {@link #load(Path)}, checking {@code systemd:NAME} listens against {@code sockets} unless null. */
    static SupervisorConfig load(Path file, SystemdSockets sockets) throws ConfigException {
        if (System.getProperty(JAR_PROPERTY) == null) {
            Path jar = runningJar();
            if (jar != null) {
                System.setProperty(JAR_PROPERTY, jar.toString());
            }
        }
        return ConfigLoader.load(file, sockets);
    }

    private static void printErrors(ConfigException e, PrintStream err) {
        for (ConfigError error : e.errors()) {
            err.println("ERROR: " + error);
        }
    }

    /** The jar (or classes directory) Main was loaded from, or null if the JVM does not say. */
    static Path runningJar() {
        CodeSource cs = Main.class.getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            return null;
        }
        try {
            return Path.of(cs.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
