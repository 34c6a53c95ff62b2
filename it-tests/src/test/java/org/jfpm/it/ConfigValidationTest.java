package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Issue 2: a bad configuration exits 78 naming the key; {@code --test} of a good one succeeds. */
class ConfigValidationTest {

    private static final Duration RUN = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Jfpm.Builder config(UnaryOperator<PoolSpec> edit) {
        return Jfpm.in(tmp).pool(edit.apply(PoolSpec.named("www", Workers.python(), "none").staticPm(2)));
    }

    static Stream<Arguments> badPools() {
        return Stream.of(
                Arguments.of("max-children = 0", (UnaryOperator<PoolSpec>) p -> p.pm("max-children", 0),
                        "jfpm.pools.www.pm.max-children"),
                Arguments.of("unknown pm mode", (UnaryOperator<PoolSpec>) p -> p.pm("mode", "sometimes"),
                        "jfpm.pools.www.pm.mode"),
                Arguments.of("bad listen address", (UnaryOperator<PoolSpec>) p -> p.set("listen", "127.0.0.1:notaport"),
                        "jfpm.pools.www.listen"),
                Arguments.of("missing command", (UnaryOperator<PoolSpec>) p -> p.unset("command"),
                        "jfpm.pools.www.command"),
                Arguments.of("dynamic spares out of order",
                        (UnaryOperator<PoolSpec>) p -> p.dynamicPm(4, 3, 2, 1), "jfpm.pools.www.pm."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPools")
    void aBadConfigExits78NamingTheKey(String what, UnaryOperator<PoolSpec> edit, String key) {
        Jfpm.Builder b = config(edit);
        Path file = b.writeConfig();
        Jfpm.Cli run = b.run(RUN, "--config", file.toString());
        assertEquals(78, run.exitCode(), what + ": exit code; output:\n" + run.output());
        assertTrue(run.output().contains(key), what + ": the output names " + key + ":\n" + run.output());
        assertFalse(run.output().contains("ready to handle connections"), what + ": nothing was started:\n" + run.output());
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        Jfpm.Builder b = config(p -> p.pm("max-children", 0).set("listen", "nowhere"));
        Path file = b.writeConfig();
        Jfpm.Cli run = b.run(RUN, "--config", file.toString(), "--test");
        assertEquals(78, run.exitCode(), "exit code; output:\n" + run.output());
        assertTrue(run.output().contains("jfpm.pools.www.pm.max-children"), run.output());
        assertTrue(run.output().contains("jfpm.pools.www.listen"), run.output());
    }

    @Test
    void testFlagOnAGoodConfigSucceeds() {
        Jfpm.Builder b = config(p -> p);
        Path file = b.writeConfig();
        Jfpm.Cli run = b.run(RUN, "--config", file.toString(), "--test");
        assertEquals(0, run.exitCode(), "exit code; output:\n" + run.output());
        assertTrue(run.output().contains("configuration file " + file + " test is successful"), run.output());
        assertFalse(run.output().contains("ready to handle connections"), "--test starts nothing:\n" + run.output());
    }
}
