package org.jfpm.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One bad setting per row, over a good one-pool config: the error names the key path and the reason. */
class ConfigLoaderErrorsTest {

    static final String BASE = """
            jfpm {
              pools {
                www {
                  command = ["/bin/sh", "-c", "exit 0"]
                  listen = "127.0.0.1:9000"
                }
              }
            }
            """;

    static Stream<Arguments> badConfigs() {
        String p = "jfpm.pools.www.";
        return Stream.of(
                row("max-children 0", "jfpm.pools.www.pm.max-children = 0", p + "pm.max-children", "0", "an integer between 1 and 65536"),
                row("max-children not a number", "jfpm.pools.www.pm.max-children = lots", p + "pm.max-children", "\"lots\"", "an integer between 1"),
                row("max-children fractional", "jfpm.pools.www.pm.max-children = 2.5", p + "pm.max-children", "2.5", "an integer"),
                row("unknown pm mode", "jfpm.pools.www.pm.mode = lazy", p + "pm.mode", "\"lazy\"", "one of static, dynamic, ondemand"),
                row("pm as a string (PHP-FPM habit)", "jfpm.pools.www.pm = dynamic", p + "pm", "\"dynamic\"", "an object"),
                row("unknown accounting", "jfpm.pools.www.accounting = magic", p + "accounting", "\"magic\"", "one of preload, sdk, none"),
                row("unknown log level", "jfpm.log-level = loud", "jfpm.log-level", "\"loud\"", "one of trace, debug, info, notice"),
                row("listen garbage", "jfpm.pools.www.listen = nowhere", p + "listen", "\"nowhere\"", "host:port, [ipv6]:port, unix:/path or systemd:NAME"),
                row("listen port out of range", "jfpm.pools.www.listen = \"127.0.0.1:70000\"", p + "listen", "\"127.0.0.1:70000\"", "a port number 1-65535"),
                row("listen relative unix path", "jfpm.pools.www.listen = \"unix:run/php.sock\"", p + "listen", "\"unix:run/php.sock\"", "an absolute path after unix:"),
                row("listen missing", "jfpm.pools.api { command = [\"/bin/sh\"] }", "jfpm.pools.api.listen", "(missing)", "every pool needs one"),
                row("command missing", "jfpm.pools.api { listen = \"127.0.0.1:9100\" }", "jfpm.pools.api.command", "(missing)", "a non-empty list of strings"),
                row("command empty", "jfpm.pools.www.command = []", p + "command", "[]", "a non-empty list of strings"),
                row("command a string", "jfpm.pools.www.command = \"/usr/bin/php-cgi\"", p + "command", "\"/usr/bin/php-cgi\"", "a non-empty list of strings"),
                row("command not executable", "jfpm.pools.www.command = [\"/no/such/php-cgi\"]", p + "command", "[\"/no/such/php-cgi\"]", "executable file"),
                row("command not on PATH", "jfpm.pools.www.command = [\"no-such-program-jfpm\"]", p + "command", "[\"no-such-program-jfpm\"]", "found on PATH"),
                row("stop-signal KILL", "jfpm.pools.www.stop-signal = KILL", p + "stop-signal", "\"KILL\"", "a signal name or number, one of TERM (15)"),
                row("stop-signal number unknown", "jfpm.pools.www.stop-signal = 99", p + "stop-signal", "99", "a signal name or number"),
                row("min-spare 0", "jfpm.pools.www.pm.min-spare-servers = 0", p + "pm.min-spare-servers", "0", "an integer >= 1"),
                row("max-spare 0", "jfpm.pools.www.pm.max-spare-servers = 0", p + "pm.max-spare-servers", "0", "an integer >= 1"),
                row("max-spare below min-spare", "jfpm.pools.www.pm { min-spare-servers = 4, max-spare-servers = 2 }",
                        p + "pm.max-spare-servers", "2", "an integer >= pm.min-spare-servers (4)"),
                row("max-spare above max-children", "jfpm.pools.www.pm { max-children = 2, min-spare-servers = 1, max-spare-servers = 3 }",
                        p + "pm.max-spare-servers", "3", "an integer <= pm.max-children (2)"),
                row("min-spare above max-children", "jfpm.pools.www.pm { max-children = 2, min-spare-servers = 3, max-spare-servers = 3 }",
                        p + "pm.min-spare-servers", "3", "an integer <= pm.max-children (2)", p + "pm.max-spare-servers"),
                row("start-servers above max-spare", "jfpm.pools.www.pm.start-servers = 5", p + "pm.start-servers", "5",
                        "an integer between pm.min-spare-servers (1) and pm.max-spare-servers (3)"),
                row("start-servers negative", "jfpm.pools.www.pm.start-servers = -1", p + "pm.start-servers", "-1", "an integer >= 0"),
                row("unknown pm.shrink", "jfpm.pools.www.pm.shrink = slow", p + "pm.shrink", "\"slow\"",
                        "one of fast (bury every idle worker above pm.max-spare-servers idle for a full tick), gradual (one per tick, as PHP-FPM)"),
                row("pm.shrink a number", "jfpm.pools.www.pm.shrink = 1", p + "pm.shrink", "1", "one of fast"),
                row("pm.shrink a list", "jfpm.pools.www.pm.shrink = [fast]", p + "pm.shrink", "[\"fast\"]", "one of fast"),
                row("pm.shrink empty", "jfpm.pools.www.pm.shrink = \"\"", p + "pm.shrink", "\"\"", "one of fast"),
                row("pm.shrink bad in a static pool too", "jfpm.pools.www.pm { mode = static, shrink = quick }",
                        p + "pm.shrink", "\"quick\"", "one of fast"),
                row("unknown pm key: the list names shrink", "jfpm.pools.www.pm.idle-kill = fast", p + "pm.idle-kill", "\"fast\"",
                        "unknown key, expected one of: max-children, max-requests, max-spare-servers, max-spawn-rate, min-spare-servers, mode, process-idle-timeout, shrink"),
                row("max-spawn-rate 0", "jfpm.pools.www.pm.max-spawn-rate = 0", p + "pm.max-spawn-rate", "0", "an integer >= 1"),
                row("ondemand idle timeout 0", "jfpm.pools.www.pm { mode = ondemand, process-idle-timeout = 0s }",
                        p + "pm.process-idle-timeout", "\"0s\"", "a duration > 0 for pm.mode = ondemand"),
                row("max-requests negative", "jfpm.pools.www.pm.max-requests = -1", p + "pm.max-requests", "-1", "an integer >= 0"),
                row("listen-backlog 0", "jfpm.pools.www.listen-backlog = 0", p + "listen-backlog", "0", "an integer >= 1"),
                row("listen-mode not octal", "jfpm.pools.www.listen-mode = \"0999\"", p + "listen-mode", "\"0999\"", "an octal file mode"),
                row("listen-mode too large", "jfpm.pools.www.listen-mode = \"017777\"", p + "listen-mode", "\"017777\"", "an octal file mode"),
                row("negative duration", "jfpm.pools.www.request-terminate-timeout = -1s", p + "request-terminate-timeout", "\"-1s\"", "a duration >= 0 with a unit"),
                row("bare-number duration", "jfpm.pools.www.request-slowlog-timeout = 5", p + "request-slowlog-timeout", "5", "(a bare number is ambiguous)"),
                row("duration garbage", "jfpm.process-control-timeout = soon", "jfpm.process-control-timeout", "\"soon\"", "a duration >= 0 with a unit"),
                row("slowlog above terminate", "jfpm.pools.www { request-terminate-timeout = 5s, request-slowlog-timeout = 10s }",
                        p + "request-slowlog-timeout", "\"10s\"", "a duration <= request-terminate-timeout (5s)"),
                row("unknown pool key", "jfpm.pools.www.foo = 1", p + "foo", "1", "unknown key, expected one of: access-format, access-log, accounting, catch-workers-output"),
                row("unknown pm key (PHP-FPM spelling)", "jfpm.pools.www.pm.max_children = 5", p + "pm.max_children", "5",
                        "unknown key, expected one of: max-children, max-requests"),
                row("unknown global key", "jfpm.daemonize = yes", "jfpm.daemonize", "\"yes\"", "unknown key, expected one of: emergency-restart-interval"),
                row("unknown status key", "jfpm.status.path = \"/status\"", "jfpm.status.path", "\"/status\"", "unknown key, expected one of: listen"),
                row("duplicate listen", "jfpm.pools.b { command = [\"/bin/sh\"], listen = \"127.0.0.1:9000\" }",
                        "jfpm.pools.b.listen", "\"127.0.0.1:9000\"", "an address no other pool uses (pool www listens on 127.0.0.1:9000)"),
                row("listen clashes with a wildcard", "jfpm.pools.b { command = [\"/bin/sh\"], listen = \"0.0.0.0:9000\" }",
                        "jfpm.pools.b.listen", "\"0.0.0.0:9000\"", "an address no other pool uses"),
                row("duplicate unix path", "jfpm.pools.www.listen = \"unix:/run/x.sock\"\njfpm.pools.b { command = [\"/bin/sh\"], listen = \"unix:/run/./x.sock\" }",
                        "jfpm.pools.b.listen", "\"unix:/run/./x.sock\"", "an address no other pool uses"),
                row("bad pool name", "jfpm.pools.\"bad/name\" { command = [\"/bin/sh\"], listen = \"127.0.0.1:9100\" }",
                        "jfpm.pools.bad/name", "\"bad/name\"", "a pool name of 1-63 characters from [A-Za-z0-9_.-]"),
                row("pool name too long", "jfpm.pools." + "p".repeat(64) + " { command = [\"/bin/sh\"], listen = \"127.0.0.1:9100\" }",
                        "jfpm.pools." + "p".repeat(64), "\"" + "p".repeat(64) + "\"", "a pool name of 1-63 characters"),
                row("pool not an object", "jfpm.pools.api = 5", "jfpm.pools.api", "5", "an object"),
                row("no pools", "jfpm.pools = null", "jfpm.pools", "null", "at least one pool"),
                row("clear-env not boolean", "jfpm.pools.www.clear-env = maybe", p + "clear-env", "\"maybe\"", "true or false"),
                row("catch-workers-output a number", "jfpm.pools.www.catch-workers-output = 3", p + "catch-workers-output", "3", "true or false"),
                row("spawn-mode unknown", "jfpm.pools.www.spawn-mode = vfork", p + "spawn-mode", "\"vfork\"", "one of auto, exec, fork"),
                row("spawn-mode a number", "jfpm.pools.www.spawn-mode = 1", p + "spawn-mode", "1", "one of auto, exec, fork"),
                row("spawn-mode fork without preload", "jfpm.pools.www { spawn-mode = fork, accounting = sdk }", p + "spawn-mode",
                        "\"fork\"", "fork needs accounting = preload"),
                row("env reserved name", "jfpm.pools.www.env { JFPM_SLOT = 3 }", p + "env.JFPM_SLOT", "\"3\"", "jfpm sets JFPM_ACCESS_FORMAT, JFPM_ACCESS_LOG_FD, JFPM_ACCESS_LOG_LIMIT, JFPM_POOL, JFPM_SCOREBOARD, JFPM_SCOREBOARD_FD, JFPM_SLOT, JFPM_TEMPLATE_FD itself"),
                row("env reserved access log fd", "jfpm.pools.www.env { JFPM_ACCESS_LOG_FD = 4 }", p + "env.JFPM_ACCESS_LOG_FD", "\"4\"", "jfpm sets JFPM_ACCESS_FORMAT"),
                row("env of systemd's", "jfpm.pools.www.env { NOTIFY_SOCKET = /run/systemd/notify }", p + "env.NOTIFY_SOCKET", "\"/run/systemd/notify\"", "LISTEN_FDNAMES, LISTEN_FDS, LISTEN_PID, NOTIFY_SOCKET, WATCHDOG_PID, WATCHDOG_USEC are systemd's for jfpm alone"),
                row("env not an object", "jfpm.pools.www.env = \"A=1\"", p + "env", "\"A=1\"", "an object of NAME = value pairs"),
                row("env value a list", "jfpm.pools.www.env { PATHS = [a, b] }", p + "env.PATHS", "[\"a\",\"b\"]", "a string"),
                row("unknown user", "jfpm.pools.www.user = no-such-user-jfpm", p + "user", "\"no-such-user-jfpm\"", "an existing user name or uid"),
                row("unknown group", "jfpm.pools.www { user = nobody, group = no-such-group-jfpm }", p + "group", "\"no-such-group-jfpm\"", "an existing group name or gid"),
                row("group without user", "jfpm.pools.www.group = root", p + "group", "\"root\"", "unless user is set"),
                row("unknown listen-owner", "jfpm.pools.www.listen-owner = no-such-user-jfpm", p + "listen-owner", "\"no-such-user-jfpm\"", "an existing user"),
                row("relative chdir", "jfpm.pools.www.chdir = \"var/www\"", p + "chdir", "\"var/www\"", "the absolute path of an existing directory"),
                row("missing chdir", "jfpm.pools.www.chdir = \"/no/such/dir\"", p + "chdir", "\"/no/such/dir\"", "an existing directory"),
                row("rlimit-core garbage", "jfpm.pools.www.rlimit-core = lots", p + "rlimit-core", "\"lots\"", "an integer >= 0 or \"unlimited\""),
                row("rlimit-files negative", "jfpm.pools.www.rlimit-files = -5", p + "rlimit-files", "-5", "an integer >= 0"),
                row("bare-number control timeout", "jfpm.process-control-timeout = 10", "jfpm.process-control-timeout", "10", "(a bare number is ambiguous)"),
                row("negative emergency threshold", "jfpm.emergency-restart-threshold = -1", "jfpm.emergency-restart-threshold", "-1", "an integer >= 0"),
                row("status on a unix socket", "jfpm.status.listen = \"unix:/tmp/status.sock\"", "jfpm.status.listen", "\"unix:/tmp/status.sock\"", "a TCP address"),
                row("status listen garbage", "jfpm.status.listen = \"localhost\"", "jfpm.status.listen", "\"localhost\"", "\"\" (off) or host:port"),
                row("status clashes with a pool", "jfpm.status.listen = \"127.0.0.1:9000\"", "jfpm.status.listen", "\"127.0.0.1:9000\"", "an address no pool uses (pool www"),
                row("scoreboard-dir missing", "jfpm.scoreboard-dir = \"/no/such/dir\"", "jfpm.scoreboard-dir", "\"/no/such/dir\"", "an existing directory"),
                row("relative pid-file", "jfpm.pid-file = \"jfpm.pid\"", "jfpm.pid-file", "\"jfpm.pid\"", "an absolute file path"),
                row("pid-file in a missing directory", "jfpm.pid-file = \"/no/such/dir/jfpm.pid\"", "jfpm.pid-file", "\"/no/such/dir/jfpm.pid\"", "in an existing directory"),
                row("listen in pool-defaults", "jfpm.pool-defaults.listen = \"127.0.0.1:9100\"", "jfpm.pool-defaults.listen", "\"127.0.0.1:9100\"", "every pool needs its own address"),
                row("unknown key in pool-defaults", "jfpm.pool-defaults.bogus = 1", "jfpm.pool-defaults.bogus", "1", "unknown key"),
                row("bad value in pool-defaults reaches every pool", "jfpm.pool-defaults.pm.max-children = 0", p + "pm.max-children", "0", "an integer between 1"),
                row("max-requests without accounting", "jfpm.pools.www { accounting = none, pm.max-requests = 500 }",
                        p + "pm.max-requests", "500", "0 when accounting = none"),
                row("terminate timeout without accounting", "jfpm.pools.www { accounting = none, request-terminate-timeout = 30s }",
                        p + "request-terminate-timeout", "\"30s\"", "0s when accounting = none"),
                row("slowlog timeout without accounting", "jfpm.pools.www { accounting = none, request-slowlog-timeout = 5s }",
                        p + "request-slowlog-timeout", "\"5s\"", "0s when accounting = none"),
                row("jfpm not an object", "jfpm = 3", "jfpm", "3", "an object holding the jfpm settings"),
                // issue 10.2: status over FastCGI
                row("status-listen garbage", "jfpm.pools.www.status-listen = nowhere", p + "status-listen", "\"nowhere\"",
                        "\"\" (off) or host:port, [ipv6]:port, unix:/path or systemd:NAME"),
                row("status-listen is the pool's listen", "jfpm.pools.www.status-listen = \"127.0.0.1:9000\"", p + "status-listen",
                        "\"127.0.0.1:9000\"", "an address of its own (pool www listens on 127.0.0.1:9000)"),
                row("status-listen is another pool's status-listen",
                        "jfpm.pools.www.status-listen = \"unix:/run/s.sock\"\njfpm.pools.b { command = [\"/bin/sh\"], listen = \"127.0.0.1:9100\", status-listen = \"unix:/run/s.sock\" }",
                        "jfpm.pools.b.status-listen", "\"unix:/run/s.sock\"", "an address of its own (pool www's status-listen is unix:/run/s.sock)"),
                row("status-listen is the status server's", "jfpm.status.listen = \"127.0.0.1:9001\"\njfpm.pools.www.status-listen = \"0.0.0.0:9001\"",
                        p + "status-listen", "\"0.0.0.0:9001\"", "an address of its own (jfpm.status.listen is 127.0.0.1:9001)"),
                row("status-listen in pool-defaults", "jfpm.pool-defaults.status-listen = \"127.0.0.1:9002\"", "jfpm.pool-defaults.status-listen",
                        "\"127.0.0.1:9002\"", "every pool's status-listen needs its own address"),
                row("status-path without a slash", "jfpm.pools.www.status-path = status", p + "status-path", "\"status\"",
                        "\"\" (none) or a path starting with / of the characters A-Z a-z 0-9 / _ - . ~"),
                row("status-path with a query", "jfpm.pools.www.status-path = \"/status?json\"", p + "status-path", "\"/status?json\"", "a path starting with /"),
                row("ping-path of one character", "jfpm.pools.www.ping-path = \"/\"", p + "ping-path", "\"/\"", "at least 2 characters"),
                row("ping-path is status-path", "jfpm.pools.www.ping-path = \"/status\"", p + "ping-path", "\"/status\"",
                        "a path other than status-path (/status)"),
                row("ping-response empty", "jfpm.pools.www.ping-response = \"\"", p + "ping-response", "\"\"", "a non-empty string"),
                // issue 8.4 (reliability, bad input): more types, ranges, commands and pm contradictions
                row("max-children above the cap", "jfpm.pools.www.pm.max-children = 65537", p + "pm.max-children", "65537", "an integer between 1 and 65536"),
                row("max-children a boolean", "jfpm.pools.www.pm.max-children = true", p + "pm.max-children", "true", "an integer"),
                row("max-children a list", "jfpm.pools.www.pm.max-children = [5]", p + "pm.max-children", "[5]", "an integer"),
                row("max-children beyond a long", "jfpm.pools.www.pm.max-children = 9223372036854775808", p + "pm.max-children", "\"9223372036854775808\"", "an integer"),
                row("listen port 0", "jfpm.pools.www.listen = \"127.0.0.1:0\"", p + "listen", "\"127.0.0.1:0\"", "a port number 1-65535"),
                row("listen a number", "jfpm.pools.www.listen = 9000", p + "listen", "9000", "host:port"),
                row("listen a list", "jfpm.pools.www.listen = [\"127.0.0.1:9000\"]", p + "listen", "[\"127.0.0.1:9000\"]", "a string"),
                row("listen unix path too long", "jfpm.pools.www.listen = \"unix:/" + "s".repeat(120) + "\"", p + "listen",
                        "\"unix:/" + "s".repeat(120) + "\"", "107"),
                row("listen ipv6 unclosed", "jfpm.pools.www.listen = \"[::1:9000\"", p + "listen", "\"[::1:9000\"", "[ipv6]:port"),
                row("command not executable (mode 0644)", "jfpm.pools.www.command = [\"/etc/passwd\"]", p + "command", "[\"/etc/passwd\"]", "executable file"),
                row("command a directory", "jfpm.pools.www.command = [\"/tmp\"]", p + "command", "[\"/tmp\"]", "executable file"),
                row("command with a NUL", "jfpm.pools.www.command = [\"/bin/sh\\u0000x\"]", p + "command", "[\"/bin/sh\\u0000x\"]", "arguments without NUL characters"),
                row("command with an object argument", "jfpm.pools.www.command = [\"/bin/sh\", { a = 1 }]", p + "command", "[\"/bin/sh\",{\"a\":1}]", "a non-empty list of strings"),
                row("start-servers below min-spare", "jfpm.pools.www.pm { max-children = 10, min-spare-servers = 3, max-spare-servers = 6, start-servers = 2 }",
                        p + "pm.start-servers", "2", "an integer between pm.min-spare-servers (3) and pm.max-spare-servers (6)"),
                row("start-servers above max-children", "jfpm.pools.www.pm { max-children = 4, min-spare-servers = 1, max-spare-servers = 4, start-servers = 5 }",
                        p + "pm.start-servers", "5", "an integer between pm.min-spare-servers (1) and pm.max-spare-servers (4)"),
                row("max-spawn-rate a word", "jfpm.pools.www.pm.max-spawn-rate = fast", p + "pm.max-spawn-rate", "\"fast\"", "an integer >= 1"),
                row("log-level a number", "jfpm.log-level = 3", "jfpm.log-level", "3", "one of trace, debug"),
                row("listen-backlog a word", "jfpm.pools.www.listen-backlog = many", p + "listen-backlog", "\"many\"", "an integer >= 1"),
                row("bare-number emergency interval", "jfpm.emergency-restart-interval = 60", "jfpm.emergency-restart-interval", "60", "(a bare number is ambiguous)"),
                row("stop-signal empty", "jfpm.pools.www.stop-signal = \"\"", p + "stop-signal", "\"\"", "a signal name or number"),
                row("scoreboard-dir relative", "jfpm.scoreboard-dir = shm", "jfpm.scoreboard-dir", "\"shm\"", "the absolute path of an existing directory"),
                row("scoreboard-dir a file", "jfpm.scoreboard-dir = \"/etc/hostname\"", "jfpm.scoreboard-dir", "\"/etc/hostname\"", "an existing directory"),
                row("scoreboard-dir with a NUL", "jfpm.scoreboard-dir = \"/dev/shm\\u0000\"", "jfpm.scoreboard-dir", "\"/dev/shm\\u0000\"", "an existing directory"),
                row("chdir with a NUL", "jfpm.pools.www.chdir = \"/tmp\\u0000\"", p + "chdir", "\"/tmp\\u0000\"", "an existing directory"),
                row("pid-file with a NUL", "jfpm.pid-file = \"/run/x\\u0000.pid\"", "jfpm.pid-file", "\"/run/x\\u0000.pid\"", "an absolute file path"),
                row("pm a list", "jfpm.pools.www.pm = [static]", p + "pm", "[\"static\"]", "an object"),
                // issue 10.5: logs as PHP-FPM writes them
                row("log-file relative", "jfpm.log-file = \"jfpm.log\"", "jfpm.log-file", "\"jfpm.log\"",
                        "\"\" (stderr), \"syslog\", or an absolute file path in an existing directory"),
                row("log-file in a missing directory", "jfpm.log-file = \"/no/such/dir/jfpm.log\"", "jfpm.log-file",
                        "\"/no/such/dir/jfpm.log\"", "an absolute file path in an existing directory"),
                row("log-file a directory", "jfpm.log-file = \"/tmp\"", "jfpm.log-file", "\"/tmp\"", "an absolute file path"),
                row("log-file a list", "jfpm.log-file = [syslog]", "jfpm.log-file", "[\"syslog\"]", "a string"),
                row("log-limit below PHP-FPM's minimum", "jfpm.log-limit = 100", "jfpm.log-limit", "100", "an integer between 512 and 65536"),
                row("log-limit too large", "jfpm.log-limit = 100000", "jfpm.log-limit", "100000", "an integer between 512 and 65536"),
                row("log-limit a word", "jfpm.log-limit = long", "jfpm.log-limit", "\"long\"", "an integer between 512"),
                row("syslog facility unknown", "jfpm.syslog.facility = local9", "jfpm.syslog.facility", "\"local9\"",
                        "one of auth, authpriv, cron, daemon, ftp, kern, local0"),
                row("syslog ident with a space", "jfpm.syslog.ident = \"my app\"", "jfpm.syslog.ident", "\"my app\"",
                        "a tag of 1 to 64 printable characters without spaces"),
                row("syslog unknown key", "jfpm.syslog.tag = x", "jfpm.syslog.tag", "\"x\"", "unknown key, expected one of: facility, ident"),
                row("syslog not an object", "jfpm.syslog = daemon", "jfpm.syslog", "\"daemon\"", "an object, e.g. syslog {"),
                row("access-log relative", "jfpm.pools.www.access-log = \"access.log\"", p + "access-log", "\"access.log\"",
                        "\"\" (off) or an absolute file path in an existing directory"),
                row("access-log in a missing directory", "jfpm.pools.www.access-log = \"/no/such/dir/a.log\"", p + "access-log",
                        "\"/no/such/dir/a.log\"", "an absolute file path in an existing directory"),
                row("access-log without preload accounting", "jfpm.pools.www { accounting = sdk, access-log = \"/tmp/a.log\" }",
                        p + "access-log", "\"/tmp/a.log\"", "\"\" with accounting = sdk (the preload library writes the lines"),
                row("access-format unknown code", "jfpm.pools.www.access-format = \"%m %x\"", p + "access-format", "\"%m %x\"",
                        "one of %C %d %{NAME}e %f %l %m %M %n %{Name}o %p %P %q %Q %r %R %s %t %T %u %%, got %x"),
                row("access-format %e without a name", "jfpm.pools.www.access-format = \"%e\"", p + "access-format", "\"%e\"",
                        "a parameter name between braces for %e"),
                row("access-format %o without a name", "jfpm.pools.www.access-format = \"%{}o\"", p + "access-format", "\"%{}o\"",
                        "a header name between braces for %o"),
                row("access-format bad %d modifier", "jfpm.pools.www.access-format = \"%{hours}d\"", p + "access-format",
                        "\"%{hours}d\"", "one of seconds, milli, milliseconds, micro or microseconds as the modifier of %d, got 'hours'"),
                row("access-format bad %C modifier", "jfpm.pools.www.access-format = \"%{idle}C\"", p + "access-format",
                        "\"%{idle}C\"", "one of total, user or system as the modifier of %C"),
                row("access-format bad %M modifier", "jfpm.pools.www.access-format = \"%{giga}M\"", p + "access-format",
                        "\"%{giga}M\"", "one of bytes, kilo, kilobytes, mega or megabytes"),
                row("access-format unclosed brace", "jfpm.pools.www.access-format = \"%{milli\"", p + "access-format",
                        "\"%{milli\"", "a closing brace and a letter after %{...}"),
                row("access-format ends in %", "jfpm.pools.www.access-format = \"%m %\"", p + "access-format", "\"%m %\"",
                        "a letter after the last %"),
                row("access-format nine %e names", "jfpm.pools.www.access-format = \"%{A}e%{B}e%{C}e%{D}e%{E}e%{F}e%{G}e%{H}e%{I}e\"",
                        p + "access-format", "\"%{A}e%{B}e%{C}e%{D}e%{E}e%{F}e%{G}e%{H}e%{I}e\"", "at most 8 different names for %e"),
                row("access-format a list", "jfpm.pools.www.access-format = [\"%m\"]", p + "access-format", "[\"%m\"]", "a string"),
                row("slowlog relative", "jfpm.pools.www.slowlog = \"slow.log\"", p + "slowlog", "\"slow.log\"",
                        "\"\" (off) or an absolute file path in an existing directory"),
                row("slowlog a directory", "jfpm.pools.www.slowlog = \"/tmp\"", p + "slowlog", "\"/tmp\"", "an absolute file path"),
                row("unresolved substitution", "jfpm.pools.www.pm.max-children = ${NO_SUCH_VAR_JFPM_IT}", "(file)", "test", "NO_SUCH_VAR_JFPM_IT"));
    }

    private static Arguments row(String name, String override, String key, String value, String reason) {
        return row(name, override, key, value, reason, "");
    }

    /** {@code alsoReported}: a key that the same mistake necessarily breaks too. */
    private static Arguments row(String name, String override, String key, String value, String reason, String alsoReported) {
        return Arguments.of(name, override, key, value, reason, alsoReported);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void reportsTheKeyValueAndReason(String name, String override, String key, String value, String reason,
                                     String alsoReported) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromString(BASE + override, "test"));
        List<ConfigError> matching = e.errors().stream().filter(err -> err.key().equals(key)).toList();
        assertEquals(1, matching.size(), () -> "expected one error for " + key + ", got:\n" + e.getMessage());
        ConfigError error = matching.get(0);
        assertEquals(value, error.value(), () -> "value of " + error);
        assertTrue(error.expected().contains(reason), () -> "reason of " + error + " should contain: " + reason);
        assertTrue(e.getMessage().contains(error.toString()), e::getMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void reportsNothingElseThanTheBadSetting(String name, String override, String key, String value, String reason,
                                             String alsoReported) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromString(BASE + override, "test"));
        String others = e.errors().stream().filter(err -> !err.key().equals(key) && !err.key().equals(alsoReported)).map(ConfigError::toString)
                .collect(Collectors.joining("\n"));
        assertEquals("", others, "errors for other keys");
    }
}
