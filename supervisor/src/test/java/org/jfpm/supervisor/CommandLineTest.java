package org.jfpm.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandLineTest {

    static Stream<Arguments> valid() {
        Path f = Path.of("/etc/jfpm.conf");
        return Stream.of(
                Arguments.of("", new CommandLine.Run(null, false)),
                Arguments.of("-c /etc/jfpm.conf", new CommandLine.Run(f, false)),
                Arguments.of("--config /etc/jfpm.conf", new CommandLine.Run(f, false)),
                Arguments.of("--config=/etc/jfpm.conf -t", new CommandLine.Run(f, true)),
                Arguments.of("--test --config /etc/jfpm.conf", new CommandLine.Run(f, true)),
                Arguments.of("-t", new CommandLine.Run(null, true)),
                Arguments.of("status", new CommandLine.Status(null, null, false)),
                Arguments.of("status --pool www --json -c /etc/jfpm.conf", new CommandLine.Status(f, "www", true)),
                Arguments.of("status --pool=www --config=/etc/jfpm.conf", new CommandLine.Status(f, "www", false)),
                Arguments.of("reload", new CommandLine.Reload(null)),
                Arguments.of("reload -c /etc/jfpm.conf", new CommandLine.Reload(f)),
                Arguments.of("reload --config=/etc/jfpm.conf", new CommandLine.Reload(f)),
                Arguments.of("stop", new CommandLine.Stop(null, false)),
                Arguments.of("stop --graceful", new CommandLine.Stop(null, true)),
                Arguments.of("stop --config /etc/jfpm.conf --graceful", new CommandLine.Stop(f, true)),
                Arguments.of("stop -c /etc/jfpm.conf", new CommandLine.Stop(f, false)),
                Arguments.of("reload --help", new CommandLine.Help()),
                Arguments.of("stop -h", new CommandLine.Help()),
                Arguments.of("--help", new CommandLine.Help()),
                Arguments.of("-h", new CommandLine.Help()),
                Arguments.of("-c /etc/jfpm.conf --help", new CommandLine.Help()),
                Arguments.of("status --help", new CommandLine.Help()),
                Arguments.of("--version", new CommandLine.Version()),
                Arguments.of("-v", new CommandLine.Version()));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("valid")
    void parses(String line, CommandLine.Command expected) throws Exception {
        assertEquals(expected, CommandLine.parse(args(line)));
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
                Arguments.of("stop reload", "unexpected argument 'reload' for stop"));
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("invalid")
    void rejects(String line, String message) {
        CommandLine.UsageException e = assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(args(line)));
        assertEquals(message, e.getMessage());
    }

    private static List<String> args(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split(" "));
    }
}
