package org.jfpm.supervisor.config;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 8.4, bad input as properties: whatever text or value it is given, {@link ConfigLoader#fromString}
 * either returns a configuration or throws {@link ConfigException} — never a {@code NullPointerException},
 * a {@code ClassCastException}, a {@code NumberFormatException} or Typesafe Config's own exceptions.
 * (jqwik fails a property on any other throwable, and reports the shrunk input.) 500 tries each.
 */
class ConfigLoaderPropertiesTest {

    private static final List<String> GLOBAL_KEYS = List.of("scoreboard-dir", "pid-file", "process-control-timeout",
            "emergency-restart-threshold", "emergency-restart-interval", "log-level", "status.listen", "status",
            "pools", "pool-defaults", "pool-defaults.pm.max-children", "pool-defaults.command", "nonsense");
    private static final List<String> POOL_KEYS = List.of("command", "listen", "listen-backlog", "listen-mode",
            "listen-owner", "listen-group", "user", "group", "chdir", "clear-env", "env", "env.FOO", "env.JFPM_POOL",
            "accounting", "stop-signal", "catch-workers-output", "rlimit-files", "rlimit-core",
            "request-terminate-timeout", "request-slowlog-timeout", "spawn-mode", "status-listen", "status-path",
            "ping-path", "pm", "pm.mode", "pm.max-children", "pm.start-servers", "pm.min-spare-servers",
            "pm.max-spare-servers", "pm.max-spawn-rate", "pm.process-idle-timeout", "pm.max-requests", "pm.shrink", "pm.nonsense",
            "nonsense");
    private static final List<String> VALUES = List.of("0", "1", "-1", "2.5", "1e400", "-0", "65536", "65537",
            "2147483648", "9223372036854775808", "-9223372036854775809", "true", "false", "yes", "off", "null",
            "\"\"", "\" \"", "\"\\u0000\"", "[]", "[1, 2]", "[\"/bin/sh\", 3]", "[null]", "[[]]", "{}", "{ a = 1 }",
            "{ mode = static }", "10s", "\"10s\"", "-5s", "1000000000d", "\"10 fortnights\"", "TERM", "SIGKILL",
            "99999", "static", "dynamic", "ondemand", "fast", "gradual", "\"unix:\"", "\"unix:/\"", "\"[::1]:9000\"", "\"[::1\"",
            "\"127.0.0.1:\"", "\":9000\"", "\"127.0.0.1:65536\"", "\"host:-1\"", "\"0777\"", "\"99999999999\"",
            "unlimited", "${?NO_SUCH_VAR_JFPM}", "${NO_SUCH_VAR_JFPM}", "${jfpm.log-level}", "${jfpm}",
            "\"/no/such/file\"", "\"relative\"", "\"/\"", "\"/dev/null\"", "\"/etc/hostname\"");
    private static final List<String> TOKENS = List.of("jfpm", "pools", "www", "pm", "{", "}", "[", "]", "=", ":",
            ",", "\n", " ", ".", "\"", "${", "${?", "}", "#", "//", "+=", "include", "\"x.conf\"", "null", "true",
            "\"\"\"", "command", "listen", "max-children", "mode", "\\", "\t", "é", "\u0000", "\uD800");

    static final String BASE = ConfigLoaderErrorsTest.BASE;

    @Property(tries = 500)
    void hoconIshTextLoadsOrFailsWithAConfigException(@ForAll("hoconish") String text) {
        load(text);
        load("jfpm { " + text + " }");
        load(BASE + text);
    }

    @Property(tries = 500)
    void anyValueForAKnownKeyLoadsOrFailsWithAConfigException(@ForAll("poolKey") String key, @ForAll("value") String value,
                                                             @ForAll("globalKey") String global, @ForAll("value") String other) {
        load(BASE + "jfpm.pools.www." + key + " = " + value + "\n");
        load(BASE + "jfpm." + global + " = " + other + "\n");
        load(BASE + "jfpm.pools.www." + key + " = " + value + "\njfpm." + global + " = " + other + "\n");
    }

    private static void load(String text) {
        try {
            ConfigLoader.fromString(text, "property");
        } catch (ConfigException expected) {
            // the only failure allowed
        }
    }

    @Provide
    Arbitrary<String> hoconish() {
        Arbitrary<String> fragment = Arbitraries.oneOf(Arbitraries.of(TOKENS), Arbitraries.of(VALUES),
                Arbitraries.of(POOL_KEYS), Arbitraries.strings().ofMaxLength(6));
        return fragment.list().ofMaxSize(40).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> poolKey() {
        return Arbitraries.of(POOL_KEYS);
    }

    @Provide
    Arbitrary<String> globalKey() {
        return Arbitraries.of(GLOBAL_KEYS);
    }

    @Provide
    Arbitrary<String> value() {
        Arbitrary<String> random = Arbitraries.oneOf(
                Arbitraries.longs().map(Object::toString),
                Arbitraries.doubles().map(Object::toString),
                Arbitraries.strings().ofMaxLength(12).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(6).map(s -> s + "ms"));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(VALUES)),
                net.jqwik.api.Tuple.of(1, random),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(VALUES).list().ofMaxSize(3).map(l -> "[" + String.join(", ", l) + "]")));
    }
}
