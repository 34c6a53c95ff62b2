package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Cli#parse}: every accepted form, and every usage error as its one-line message. */
class CliTest {

    static Stream<Arguments> valid() {
        Path f = Path.of("/etc/jfpm.conf");
        return Stream.of(
                Arguments.of("", new Cli.Run(null, false)),
                Arguments.of("-c /etc/jfpm.conf", new Cli.Run(f, false)),
                Arguments.of("--config /etc/jfpm.conf", new Cli.Run(f, false)),
                Arguments.of("--config=/etc/jfpm.conf -t", new Cli.Run(f, true)),
                Arguments.of("--test --config /etc/jfpm.conf", new Cli.Run(f, true)),
                Arguments.of("-t", new Cli.Run(null, true)),
                Arguments.of("status", new Cli.Status(null, null, false)),
                Arguments.of("status --pool www --json -c /etc/jfpm.conf", new Cli.Status(f, "www", true)),
                Arguments.of("status --pool=www --config=/etc/jfpm.conf", new Cli.Status(f, "www", false)),
                Arguments.of("top", new Cli.Top(null, null, 1, 0, false, "state")),
                Arguments.of("top -c /etc/jfpm.conf --pool www -d 0.5 --sort RSS", new Cli.Top(f, "www", 0.5, 0, false, "RSS")),
                Arguments.of("top --interval=2 -n 3 --batch", new Cli.Top(null, null, 2, 3, true, "state")),
                Arguments.of("top --once", new Cli.Top(null, null, 1, 1, true, "state")),
                Arguments.of("top -bn 2", new Cli.Top(null, null, 1, 2, true, "state")),
                Arguments.of("top --help", new Cli.Help("top")),
                Arguments.of("reload", new Cli.Reload(null)),
                Arguments.of("reload -c /etc/jfpm.conf", new Cli.Reload(f)),
                Arguments.of("reload --config=/etc/jfpm.conf", new Cli.Reload(f)),
                Arguments.of("stop", new Cli.Stop(null, false)),
                Arguments.of("stop --graceful", new Cli.Stop(null, true)),
                Arguments.of("stop --config /etc/jfpm.conf --graceful", new Cli.Stop(f, true)),
                Arguments.of("stop -c /etc/jfpm.conf", new Cli.Stop(f, false)),
                Arguments.of("import-fpm /etc/php/8.2/fpm/php-fpm.conf", new Cli.ImportFpm(List.of(Path.of("/etc/php/8.2/fpm/php-fpm.conf")), null)),
                Arguments.of("import-fpm -p /srv/fpm a.conf", new Cli.ImportFpm(List.of(Path.of("a.conf")), Path.of("/srv/fpm"))),
                Arguments.of("import-fpm a.conf --prefix=/srv/fpm", new Cli.ImportFpm(List.of(Path.of("a.conf")), Path.of("/srv/fpm"))),
                Arguments.of("import-fpm a.conf b.conf", new Cli.ImportFpm(List.of(Path.of("a.conf"), Path.of("b.conf")), null)),
                Arguments.of("import-fpm -- -odd.conf", new Cli.ImportFpm(List.of(Path.of("-odd.conf")), null)),
                Arguments.of("reload --help", new Cli.Help("reload")),
                Arguments.of("stop -h", new Cli.Help("stop")),
                Arguments.of("--help", new Cli.Help("")),
                Arguments.of("-h", new Cli.Help("")),
                Arguments.of("-c /etc/jfpm.conf --help", new Cli.Help("")),
                Arguments.of("status --help", new Cli.Help("status")),
                Arguments.of("status --pool www -h", new Cli.Help("status")),
                Arguments.of("import-fpm --help", new Cli.Help("import-fpm")),
                Arguments.of("import-fpm -h a.conf", new Cli.Help("import-fpm")),
                Arguments.of("--version", new Cli.Version()),
                Arguments.of("-v", new Cli.Version()));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("valid")
    void parses(String line, Cli.Result expected) throws Exception {
        assertEquals(expected, Cli.parse(args(line)));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("--bogus", "unknown option '--bogus'"),
                Arguments.of("-x", "unknown option '-x'"),
                Arguments.of("extra", "unexpected argument 'extra'"),
                Arguments.of("-t status", "unexpected argument 'status' (status must come first)"),
                Arguments.of("-c", "-c needs a value"),
                Arguments.of("--config", "--config needs a value"),
                Arguments.of("-c --test", "-c needs a value"),
                Arguments.of("--config=", "--config needs a value"),
                Arguments.of("-c a.conf --config b.conf", "--config given twice"),
                Arguments.of("--test=yes", "--test takes no value"),
                Arguments.of("--pool www", "unknown option '--pool'"),
                Arguments.of("status --test", "unknown option '--test' for status"),
                Arguments.of("status --pool", "--pool needs a value"),
                Arguments.of("status --pool a --pool b", "--pool given twice"),
                Arguments.of("status --json=1", "--json takes no value"),
                Arguments.of("status www", "unexpected argument 'www' for status"),
                Arguments.of("-c a.conf reload", "unexpected argument 'reload' (reload must come first)"),
                Arguments.of("--test stop", "unexpected argument 'stop' (stop must come first)"),
                Arguments.of("reload --graceful", "unknown option '--graceful' for reload (reloads are always graceful)"),
                Arguments.of("reload --test", "unknown option '--test' for reload"),
                Arguments.of("reload now", "unexpected argument 'now' for reload"),
                Arguments.of("reload -c", "-c needs a value"),
                Arguments.of("reload -c a.conf -c b.conf", "--config given twice"),
                Arguments.of("stop --graceful=yes", "--graceful takes no value"),
                Arguments.of("stop --pool www", "unknown option '--pool' for stop"),
                Arguments.of("stop reload", "unexpected argument 'reload' for stop"),
                Arguments.of("status --pool=", "--pool needs a value"),
                Arguments.of("stop --graceful=true", "--graceful takes no value"),
                Arguments.of("--test=false", "--test takes no value"),
                Arguments.of("--conf x", "unknown option '--conf'"),
                Arguments.of("import-fpm", "import-fpm needs at least one FILE"),
                Arguments.of("import-fpm -c x.conf", "unknown option '-c' for import-fpm"),
                Arguments.of("import-fpm --bogus", "unknown option '--bogus' for import-fpm"),
                Arguments.of("import-fpm --json=1", "unknown option '--json' for import-fpm"),
                Arguments.of("import-fpm --test a.conf", "unknown option '--test' for import-fpm"),
                Arguments.of("-t import-fpm a.conf", "unexpected argument 'import-fpm' (import-fpm must come first)"),
                Arguments.of("import-fpm -p relative a.conf", "--prefix needs an absolute directory, got 'relative'"),
                Arguments.of("import-fpm -p", "-p needs a value"),
                Arguments.of("top --interval 0", "--interval needs seconds between 0.1 and 3600, got '0'"),
                Arguments.of("top -d soon", "--interval needs seconds between 0.1 and 3600, got 'soon'"),
                Arguments.of("top -d NaN", "--interval needs seconds between 0.1 and 3600, got 'NaN'"),
                Arguments.of("top -n 0", "-n needs a whole number of refreshes, 1 or more, got '0'"),
                Arguments.of("top -n 1 --once", "--once and -n exclude each other (--once is -n 1 --batch)"),
                Arguments.of("top --sort colour", "--sort needs one of state, pid, requests, duration, cpu, rss, slot, got 'colour'"),
                Arguments.of("top --pool=", "--pool needs a value"),
                Arguments.of("top --json", "unknown option '--json' for top"),
                Arguments.of("top www", "unexpected argument 'www' for top"),
                Arguments.of("bogus-command", "unexpected argument 'bogus-command'"));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("invalid")
    void rejects(String line, String message) {
        Cli.UsageException e = assertThrows(Cli.UsageException.class, () -> Cli.parse(args(line)));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "[{0}] is about {1}")
    @MethodSource("errorCommands")
    void aUsageErrorNamesTheSubcommandWhoseUsageApplies(String line, String command) {
        Cli.UsageException e = assertThrows(Cli.UsageException.class, () -> Cli.parse(args(line)));
        assertEquals(command, e.command());
    }

    static Stream<Arguments> errorCommands() {
        return Stream.of(Arguments.of("--bogus", ""), Arguments.of("-c a.conf reload", ""),
                Arguments.of("status www", "status"), Arguments.of("reload -c", "reload"),
                Arguments.of("stop --x", "stop"), Arguments.of("import-fpm", "import-fpm"));
    }

    @Test
    void everySubcommandHasItsOwnHelp() {
        String top = Cli.usage("");
        assertTrue(top.startsWith("usage: java -jar jfpm.jar [--config FILE] [--test]\n"), top);
        for (String sub : List.of("status", "top", "reload", "stop", "import-fpm")) {
            assertTrue(top.lines().anyMatch(l -> l.startsWith("  " + sub + " ")), sub + " listed in:\n" + top);
            String help = Cli.usage(sub);
            assertTrue(help.startsWith("usage: java -jar jfpm.jar " + sub + " "), help);
            assertTrue(help.contains("-h, --help"), help);
            assertTrue(help.contains("exit codes: "), help);
            assertTrue(Cli.shortUsage(sub).startsWith("usage: java -jar jfpm.jar " + sub + " "), Cli.shortUsage(sub));
            assertTrue(Cli.shortUsage(sub).endsWith("(java -jar jfpm.jar " + sub + " --help for more)"), Cli.shortUsage(sub));
        }
        assertTrue(Cli.usage("stop").contains("--graceful"));
        assertTrue(Cli.usage("status").contains("--pool=NAME"));
        assertTrue(Cli.usage("import-fpm").contains("FILE..."));
        assertTrue(Cli.usage("top").contains("--interval=SECONDS"), Cli.usage("top"));
    }

    private static List<String> args(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split(" "));
    }
}
