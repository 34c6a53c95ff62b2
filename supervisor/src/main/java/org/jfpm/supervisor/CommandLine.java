package org.jfpm.supervisor;

import java.nio.file.Path;
import java.util.List;

/**
 * The command line, parsed without side effects.
 * <pre>
 * jfpm [--config FILE | -c FILE] [--test | -t]
 * jfpm status [--config FILE] [--pool NAME] [--json]
 * jfpm reload [--config FILE]
 * jfpm stop [--graceful] [--config FILE]
 * jfpm --help | -h
 * jfpm --version | -v
 * </pre>
 * {@code --opt=value} is accepted as well as {@code --opt value}.
 */
public final class CommandLine {

    /** What to do. */
    public sealed interface Command permits Run, Status, Reload, Stop, Help, Version {
    }

    /** Run the supervisor (or only validate with {@code test}); {@code config == null} means the embedded one. */
    public record Run(Path config, boolean test) implements Command {
    }

    /** Print the scoreboards of all pools, or of {@code pool} when not null. */
    public record Status(Path config, String pool, boolean json) implements Command {
    }

    /** Validate {@code config} (null: the embedded one), then send HUP to the jfpm its pid file names. */
    public record Reload(Path config) implements Command {
    }

    /** Send TERM ({@code graceful}) or INT (fast stop) to the jfpm the pid file of {@code config} names. */
    public record Stop(Path config, boolean graceful) implements Command {
    }

    public record Help() implements Command {
    }

    public record Version() implements Command {
    }

    /** A command line that cannot be parsed; the message says why. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    public static final String USAGE = String.join("\n",
            "usage: java -jar jfpm.jar [--config FILE] [--test]",
            "       java -jar jfpm.jar status [--config FILE] [--pool NAME] [--json]",
            "       java -jar jfpm.jar reload [--config FILE]",
            "       java -jar jfpm.jar stop [--graceful] [--config FILE]",
            "       java -jar jfpm.jar --help | --version",
            "",
            "  -c, --config FILE  HOCON configuration (default: the embedded application.conf)",
            "  -t, --test         validate the configuration, print every error, and exit",
            "  status             print the pools' scoreboards (no running supervisor needed)",
            "      --pool NAME    only this pool",
            "      --json         as JSON",
            "  reload             validate the configuration, then send HUP (graceful reload) to the",
            "                     jfpm that holds its jfpm.pid-file",
            "  stop               send INT (fast stop) to the jfpm that holds the jfpm.pid-file",
            "      --graceful     send TERM instead: a graceful stop",
            "  -h, --help         this text",
            "  -v, --version      the version",
            "",
            "exit codes: 0 normal stop, 1 fatal error, 64 usage error, 78 configuration error");

    private CommandLine() {
    }

    public static Command parse(List<String> args) throws UsageException {
        if (!args.isEmpty() && args.get(0).equals("status")) {
            return parseStatus(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && (args.get(0).equals("reload") || args.get(0).equals("stop"))) {
            return parseSignal(args.get(0), args.subList(1, args.size()));
        }
        Path config = null;
        boolean test = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            Option o = Option.of(arg);
            switch (o.name) {
                case "-h", "--help" -> {
                    return new Help();
                }
                case "-v", "--version" -> {
                    return new Version();
                }
                case "-c", "--config" -> {
                    if (config != null) {
                        throw new UsageException("--config given twice");
                    }
                    config = Path.of(o.value(args, i));
                    i += o.consumed();
                }
                case "-t", "--test" -> {
                    o.noValue();
                    test = true;
                }
                default -> throw unexpected(arg, List.of("status", "reload", "stop").contains(arg)
                        ? " (" + arg + " must come first)" : "");
            }
        }
        return new Run(config, test);
    }

    private static Command parseStatus(List<String> args) throws UsageException {
        Path config = null;
        String pool = null;
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            Option o = Option.of(arg);
            switch (o.name) {
                case "-h", "--help" -> {
                    return new Help();
                }
                case "-c", "--config" -> {
                    if (config != null) {
                        throw new UsageException("--config given twice");
                    }
                    config = Path.of(o.value(args, i));
                    i += o.consumed();
                }
                case "--pool" -> {
                    if (pool != null) {
                        throw new UsageException("--pool given twice");
                    }
                    pool = o.value(args, i);
                    i += o.consumed();
                }
                case "--json" -> {
                    o.noValue();
                    json = true;
                }
                default -> throw unexpected(arg, " for status");
            }
        }
        return new Status(config, pool, json);
    }

    private static Command parseSignal(String command, List<String> args) throws UsageException {
        Path config = null;
        boolean graceful = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            Option o = Option.of(arg);
            switch (o.name) {
                case "-h", "--help" -> {
                    return new Help();
                }
                case "-c", "--config" -> {
                    if (config != null) {
                        throw new UsageException("--config given twice");
                    }
                    config = Path.of(o.value(args, i));
                    i += o.consumed();
                }
                case "--graceful" -> {
                    if (!command.equals("stop")) {
                        throw unexpected(arg, " for reload (reloads are always graceful)");
                    }
                    o.noValue();
                    graceful = true;
                }
                default -> throw unexpected(arg, " for " + command);
            }
        }
        return command.equals("stop") ? new Stop(config, graceful) : new Reload(config);
    }

    private static UsageException unexpected(String arg, String context) {
        return new UsageException((arg.startsWith("-") ? "unknown option '" : "unexpected argument '") + arg + "'" + context);
    }

    /** One argument split as {@code --name=value} or {@code --name}. */
    private record Option(String name, String inlineValue) {

        static Option of(String arg) {
            int eq = arg.indexOf('=');
            return arg.startsWith("--") && eq > 2 ? new Option(arg.substring(0, eq), arg.substring(eq + 1))
                    : new Option(arg, null);
        }

        String value(List<String> args, int i) throws UsageException {
            String v = inlineValue != null ? inlineValue : i + 1 < args.size() ? args.get(i + 1) : null;
            if (v == null || v.isEmpty() || (inlineValue == null && v.startsWith("-"))) {
                throw new UsageException(name + " needs a value");
            }
            return v;
        }

        int consumed() {
            return inlineValue != null ? 0 : 1;
        }

        void noValue() throws UsageException {
            if (inlineValue != null) {
                throw new UsageException(name + " takes no value");
            }
        }
    }
}
