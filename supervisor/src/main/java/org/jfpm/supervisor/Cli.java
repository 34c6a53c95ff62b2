package org.jfpm.supervisor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.supervisor.top.TopCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;

/**
 * The command line, parsed by picocli without side effects into a {@link Command}:
 * <pre>
 * jfpm [--config FILE | -c FILE] [--test | -t]
 * jfpm status [--config FILE] [--pool NAME] [--json]
 * jfpm top [--config FILE] [--pool NAME] [--interval SECONDS] [--sort KEY] [--batch] [-n N | --once]
 * jfpm reload [--config FILE]
 * jfpm stop [--graceful] [--config FILE]
 * jfpm import-fpm [--prefix DIR] FILE...
 * jfpm [SUBCOMMAND] --help | -h
 * jfpm --version | -v
 * </pre>
 * {@code --opt=value} is accepted as well as {@code --opt value}. A subcommand comes first: options of
 * the run mode before it are an error, as they would be silently ignored otherwise. Every parse error
 * becomes a {@link UsageException} whose one-line message names the bad argument.
 */
public final class Cli {

    /** How the command is run; the help shows it. */
    public static final String NAME = "java -jar jfpm.jar";

    /** What to do. */
    public sealed interface Result permits Run, Status, Top, Reload, Stop, ImportFpm, Help, Version {
    }

    /** Run the supervisor (or only validate with {@code test}); {@code config == null} means the embedded one. */
    public record Run(Path config, boolean test) implements Result {
    }

    /** Print the scoreboards of all pools, or of {@code pool} when not null. */
    public record Status(Path config, String pool, boolean json) implements Result {
    }

    /**
     * The live view of the scoreboards: {@code pool} (or all when null), refreshed every {@code interval}
     * seconds, {@code iterations} times (0: until {@code q}), plain text when {@code batch}.
     */
    public record Top(Path config, String pool, double interval, int iterations, boolean batch, String sort) implements Result {
    }

    /** Validate {@code config} (null: the embedded one), then send HUP to the jfpm its pid file names. */
    public record Reload(Path config) implements Result {
    }

    /** Send TERM ({@code graceful}) or INT (fast stop) to the jfpm the pid file of {@code config} names. */
    public record Stop(Path config, boolean graceful) implements Result {
    }

    /** Translate PHP-FPM configuration files into HOCON on stdout; {@code prefix} as {@code php-fpm -p} (or null). */
    public record ImportFpm(List<Path> files, Path prefix) implements Result {
    }

    /** Print the help of {@code command} ({@code ""}: jfpm itself, else a subcommand's name). */
    public record Help(String command) implements Result {
    }

    public record Version() implements Result {
    }

    /** A command line that cannot be parsed: the message (one line) says why, {@link #command} whose usage applies. */
    public static final class UsageException extends Exception {
        private final String command;

        public UsageException(String message, String command) {
            super(message);
            this.command = command;
        }

        /** The subcommand the error is about, or {@code ""} for jfpm itself. */
        public String command() {
            return command;
        }
    }

    // ---- the picocli model: annotated option holders, read into the records above ---------------

    private static final String EXIT_CODES =
            "%nexit codes: 0 normal stop (or success), 1 fatal error, 64 usage error, 78 configuration error";

    @Command(name = NAME, sortOptions = false, synopsisHeading = "usage: ", customSynopsis = {
            NAME + " [--config FILE] [--test]",
            "       " + NAME + " COMMAND [OPTIONS]   (COMMAND --help for its options)",
            "       " + NAME + " --help | --version"},
            description = {"%nRuns the jfpm supervisor in the foreground: the pools of its HOCON configuration.",
                    "Without --config it runs the embedded application.conf (a demo pool).%n"},
            commandListHeading = "%ncommands:%n", optionListHeading = "options:%n", footer = EXIT_CODES,
            subcommands = {StatusOptions.class, TopOptions.class, ReloadOptions.class, StopOptions.class, ImportFpmOptions.class})
    static final class RunOptions {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "HOCON configuration (default: the embedded application.conf)")
        Path config;

        @Option(names = {"-t", "--test"}, arity = "0", description = "validate the configuration, print every error, and exit")
        boolean test;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        @Option(names = {"-v", "--version"}, versionHelp = true, description = "the version")
        boolean version;
    }

    @Command(name = "status", sortOptions = false,
            header = "print the pools' scoreboards (no running supervisor needed)", synopsisHeading = "usage: ",
            description = {"%nPrints the configured pools' scoreboards, read directly from scoreboard-dir:",
                    "no running supervisor is needed.%n"},
            optionListHeading = "options:%n",
            footer = "%nexit codes: 0 printed, 1 a pool's scoreboard is missing or unreadable,"
                    + " 64 usage error (also --pool naming no configured pool), 78 configuration error")
    static final class StatusOptions {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the configuration whose pools to show")
        Path config;

        @Option(names = "--pool", paramLabel = "NAME", description = "only this pool")
        String pool;

        @Option(names = "--json", arity = "0", description = "as JSON")
        boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;
    }

    @Command(name = "top", sortOptions = false,
            header = "a live view of the pools and workers, from the scoreboards (like htop)", synopsisHeading = "usage: ",
            description = {"%nShows the configured pools and one row per worker (state, requests, current request",
                    "duration, method and URI, CPU, RSS), refreshed every --interval seconds, read directly",
                    "from scoreboard-dir as status does: it keeps updating while the master is hung or stopped.",
                    "Keys: q quit, s next sort column, p next pool (then all), space refresh now.",
                    "Not on a terminal (or with --batch) it prints each refresh as plain text. See docs/top.md.%n"},
            optionListHeading = "options:%n",
            footer = "%nexit codes: 0 done, 1 the terminal cannot be used (or, in batch mode, no pool was readable"
                    + " at the last refresh), 64 usage error (also --pool naming no configured pool), 78 configuration error")
    static final class TopOptions {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the configuration whose pools to show")
        Path config;

        @Option(names = "--pool", paramLabel = "NAME", description = "only this pool")
        String pool;

        @Option(names = {"-d", "--interval"}, paramLabel = "SECONDS", description = "seconds between refreshes, 0.1 to 3600 (default: 1)")
        String interval;

        @Option(names = "--sort", paramLabel = "KEY", description = "initial sort: state (busy first, default), pid,"
                + " requests, duration, cpu, rss, slot")
        String sort;

        @Option(names = {"-n", "--iterations"}, paramLabel = "N", description = "exit after N refreshes")
        String iterations;

        @Option(names = {"-b", "--batch"}, arity = "0", description = "plain text on stdout, no keys, even on a terminal")
        boolean batch;

        @Option(names = "--once", arity = "0", description = "print one refresh as plain text and exit (--batch -n 1)")
        boolean once;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;
    }

    @Command(name = "reload", sortOptions = false,
            header = "validate the configuration, then HUP (graceful reload) the running jfpm", synopsisHeading = "usage: ",
            description = {"%nValidates the configuration (errors: exit 78, nothing signalled), then sends HUP",
                    "(graceful reload) to the jfpm that holds its jfpm.pid-file.%n"},
            optionListHeading = "options:%n",
            footer = "%nexit codes: 0 sent, 1 no running jfpm holds the pid file, 64 usage error,"
                    + " 78 configuration error (or no jfpm.pid-file)")
    static final class ReloadOptions {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the configuration to validate and reload")
        Path config;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;
    }

    @Command(name = "stop", sortOptions = false,
            header = "INT (fast stop) or, with --graceful, TERM the running jfpm", synopsisHeading = "usage: ",
            description = {"%nSends INT (fast stop) to the jfpm that holds the configuration's jfpm.pid-file.%n"},
            optionListHeading = "options:%n",
            footer = "%nexit codes: 0 sent, 1 no running jfpm holds the pid file, 64 usage error,"
                    + " 78 configuration error (or no jfpm.pid-file)")
    static final class StopOptions {
        @Option(names = "--graceful", arity = "0", description = "send TERM instead: a graceful stop")
        boolean graceful;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the configuration naming the pid file")
        Path config;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;
    }

    @Command(name = "import-fpm", sortOptions = false,
            header = "translate PHP-FPM .conf files into jfpm HOCON on stdout", synopsisHeading = "usage: ",
            description = {"%nTranslates PHP-FPM configuration files (php-fpm.conf, following its include=",
                    "globs, and pool files) into a jfpm HOCON configuration on stdout. Warnings, each",
                    "naming file:line, go to stderr. See docs/configuration.md, \"Importing a PHP-FPM",
                    "configuration\".%n"},
            parameterListHeading = "arguments:%n", optionListHeading = "options:%n",
            footer = "%nexit codes: 0 translated (warnings or not), 64 usage error,"
                    + " 78 a file cannot be read or parsed")
    static final class ImportFpmOptions {
        @Parameters(paramLabel = "FILE", arity = "1..*", description = "php-fpm.conf or pool .conf files, in order")
        List<Path> files;

        @Option(names = {"-p", "--prefix"}, paramLabel = "DIR", description = "as php-fpm -p: where relative"
                + " include, pid, error_log and listen paths resolve (default as PHP-FPM's: /usr, and /var for pid and"
                + " error_log)")
        Path prefix;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;
    }

    /** picocli's message for {@code --test=yes} (picocli 4.7). */
    private static final Pattern FLAG_WITH_VALUE =
            Pattern.compile("^option '(-[^']+)' should be specified without '.*' parameter");

    private Cli() {
    }

    private static CommandLine model() {
        CommandLine cl = new CommandLine(new RunOptions());
        cl.setUsageHelpWidth(100);
        cl.setAbbreviatedOptionsAllowed(false);
        cl.setUnmatchedOptionsArePositionalParams(false);
        for (CommandLine sub : cl.getSubcommands().values()) {
            // the header is the one-line summary in jfpm's command list; a subcommand's own help starts with its usage
            List<String> sections = new ArrayList<>(sub.getHelpSectionKeys());
            sections.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
            sections.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER);
            sub.setHelpSectionKeys(sections);
        }
        return cl;
    }

    /** The full help of {@code command} ({@code ""}: jfpm itself), as {@code --help} prints it. */
    public static String usage(String command) {
        return commandLine(model(), command).getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();
    }

    /** The synopsis of {@code command}, printed under a usage error, and where to read more. */
    public static String shortUsage(String command) {
        CommandLine.Help help = commandLine(model(), command).getHelp();
        String synopsis = (help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength())).stripTrailing();
        return synopsis + "\n" + "(" + NAME + (command.isEmpty() ? "" : " " + command) + " --help for more)";
    }

    private static CommandLine commandLine(CommandLine top, String command) {
        return command.isEmpty() ? top : top.getSubcommands().get(command);
    }

    /** Parses {@code args}; throws {@link UsageException} with a one-line message naming the bad argument. */
    public static Result parse(List<String> args) throws UsageException {
        CommandLine top = model();
        ParseResult parsed;
        try {
            parsed = top.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw translate(e, args);
        }
        ParseResult sub = parsed.subcommand();
        if (sub == null) {
            RunOptions o = top.getCommand();
            if (o.help) {
                return new Help("");
            }
            if (o.version) {
                return new Version();
            }
            noEmpty(parsed, "--config", "");
            return new Run(o.config, o.test);
        }
        String name = sub.commandSpec().name();
        if (!parsed.matchedOptions().isEmpty()) {
            // "jfpm -c a.conf reload" would ignore -c: the subcommand must come first
            if (parsed.isUsageHelpRequested()) {
                return new Help("");
            }
            throw new UsageException("unexpected argument '" + name + "' (" + name + " must come first)", "");
        }
        if (sub.isUsageHelpRequested()) {
            return new Help(name);
        }
        noEmpty(sub, "--config", name);
        Object o = sub.commandSpec().userObject();
        if (o instanceof StatusOptions s) {
            noEmpty(sub, "--pool", name);
            return new Status(s.config, s.pool, s.json);
        }
        if (o instanceof TopOptions t) {
            return top(t, sub, name);
        }
        if (o instanceof ReloadOptions r) {
            return new Reload(r.config);
        }
        if (o instanceof StopOptions s) {
            return new Stop(s.config, s.graceful);
        }
        ImportFpmOptions i = (ImportFpmOptions) o;
        noEmpty(sub, "--prefix", name);
        if (i.prefix != null && !i.prefix.isAbsolute()) {
            throw new UsageException("--prefix needs an absolute directory, got '" + i.prefix + "'", name);
        }
        for (Path f : i.files) {
            if (f.toString().isEmpty()) {
                throw new UsageException("import-fpm: an empty FILE argument", name);
            }
        }
        return new ImportFpm(List.copyOf(i.files), i.prefix);
    }

    private static Top top(TopOptions t, ParseResult sub, String name) throws UsageException {
        noEmpty(sub, "--pool", name);
        double interval = 1;
        if (t.interval != null) {
            try {
                interval = Double.parseDouble(t.interval.trim());
            } catch (NumberFormatException e) {
                interval = Double.NaN;
            }
            if (!(interval >= 0.1 && interval <= 3600)) {
                throw new UsageException("--interval needs seconds between 0.1 and 3600, got '" + t.interval + "'", name);
            }
        }
        int iterations = 0;
        if (t.iterations != null) {
            if (t.once) {
                throw new UsageException("--once and -n exclude each other (--once is -n 1 --batch)", name);
            }
            try {
                iterations = Integer.parseInt(t.iterations.trim());
            } catch (NumberFormatException e) {
                iterations = -1;
            }
            if (iterations < 1) {
                throw new UsageException("-n needs a whole number of refreshes, 1 or more, got '" + t.iterations + "'", name);
            }
        }
        if (t.once) {
            iterations = 1;
        }
        String sort = t.sort == null ? "state" : t.sort.trim();
        if (!TopCommand.isSortLabel(sort)) {
            throw new UsageException("--sort needs one of " + TopCommand.sortLabels() + ", got '"
                    + t.sort + "'", name);
        }
        return new Top(t.config, t.pool, interval, iterations, t.batch || t.once, sort);
    }

    /** {@code --config=} parses as an empty value: it is as missing as {@code --config} at the end. */
    private static void noEmpty(ParseResult parsed, String option, String command) throws UsageException {
        OptionSpec spec = parsed.matchedOption(option);
        if (spec != null && String.valueOf((Object) spec.getValue()).isEmpty()) {
            throw new UsageException(option + " needs a value", command);
        }
    }

    /** picocli's exceptions, as one line naming the argument (the way it was typed) and the subcommand. */
    private static UsageException translate(CommandLine.ParameterException e, List<String> args) {
        CommandLine where = e.getCommandLine();
        String command = where.getParent() == null ? "" : where.getCommandName();
        String forCommand = command.isEmpty() ? "" : " for " + command;
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            String name = arg.startsWith("--") && arg.indexOf('=') > 2 ? arg.substring(0, arg.indexOf('=')) : arg;
            if (u.isUnknownOption() || arg.startsWith("-")) {
                OptionSpec flag = where.getCommandSpec().findOption(name);
                if (flag != null && !name.equals(arg)) {
                    return new UsageException(name + " takes no value", command);
                }
                if (command.equals("reload") && name.equals("--graceful")) {
                    return new UsageException("unknown option '--graceful' for reload (reloads are always graceful)", command);
                }
                return new UsageException("unknown option '" + name + "'" + forCommand, command);
            }
            if (command.isEmpty() && top(where).getSubcommands().containsKey(arg)) {
                return new UsageException("unexpected argument '" + arg + "' (" + arg + " must come first)", command);
            }
            return new UsageException("unexpected argument '" + arg + "'" + forCommand, command);
        }
        if (e instanceof CommandLine.MissingParameterException m) {
            for (ArgSpec a : m.getMissing()) {
                if (a instanceof OptionSpec o) {
                    return new UsageException(typedName(o, args) + " needs a value", command);
                }
                // picocli reports the missing FILE before an unknown option: name the option instead
                for (String arg : args.subList(args.indexOf(command) + 1, args.size())) {
                    if (arg.equals("--")) {
                        break;
                    }
                    String name = arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
                    if (arg.startsWith("-") && where.getCommandSpec().findOption(name) == null) {
                        return new UsageException("unknown option '" + name + "'" + forCommand, command);
                    }
                }
                return new UsageException(command + " needs at least one " + a.paramLabel(), command);
            }
        }
        if (e instanceof CommandLine.OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec spec) {
            return new UsageException(spec.longestName() + " given twice", command);
        }
        Matcher flag = FLAG_WITH_VALUE.matcher(String.valueOf(e.getMessage()));
        if (flag.find()) { // a flag (arity 0) given as --flag=value
            return new UsageException(flag.group(1) + " takes no value", command);
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
        return new UsageException(message, command);
    }

    private static CommandLine top(CommandLine cl) {
        while (cl.getParent() != null) {
            cl = cl.getParent();
        }
        return cl;
    }

    /** The name of {@code option} as the user typed it last ({@code -c} or {@code --config}). */
    private static String typedName(OptionSpec option, List<String> args) {
        List<String> names = List.of(option.names());
        String typed = option.longestName();
        for (String a : args) {
            String n = a.startsWith("--") && a.indexOf('=') > 2 ? a.substring(0, a.indexOf('=')) : a;
            if (names.contains(n)) {
                typed = n;
            }
        }
        return typed;
    }
}
