package org.jfpm.supervisor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfpm.os.ListenAddress;
import org.jfpm.os.ListenSocket;
import org.jfpm.os.ProcFs;
import org.jfpm.os.SystemdSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listen = "systemd:NAME"}: checked at load against the sockets passed to the master, syntax only without. */
class SystemdListenTest {

    private static final long PID = ProcFs.selfPid();

    @TempDir
    Path tmp;

    private String config(String... listens) {
        StringBuilder pools = new StringBuilder();
        for (int i = 0; i < listens.length; i++) {
            pools.append("    p").append(i).append(" { command = [\"/bin/sh\"], listen = \"").append(listens[i]).append("\" }\n");
        }
        return "jfpm {\n  scoreboard-dir = \"" + tmp + "\"\n  pools {\n" + pools + "  }\n}\n";
    }

    private static SystemdSockets passed(int firstFd, String names) {
        return SystemdSockets.fromEnvironment(Map.of("LISTEN_FDS", Integer.toString(names.split(":").length),
                "LISTEN_PID", Long.toString(PID), "LISTEN_FDNAMES", names), PID, firstFd);
    }

    private static List<String> errors(ConfigException e) {
        return e.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void aPassedListeningSocketLoads() throws Exception {
        try (ListenSocket s = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null)) {
            SupervisorConfig c = ConfigLoader.fromString(config("systemd:www"), "test", passed(s.fd(), "www"));
            assertEquals(new ListenAddress.Systemd("www"), c.pools().get(0).listen());
        }
    }

    @Test
    void anUnknownNameIsAnErrorNamingTheKeyAndThePassedNames() throws Exception {
        try (ListenSocket s = ListenSocket.open(new ListenAddress.Tcp("127.0.0.1", 0), 8, -1, null, null)) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.fromString(config("systemd:www"), "test", passed(s.fd(), "web")));
            assertEquals(List.of("jfpm.pools.p0.listen = \"systemd:www\": expected a socket passed by systemd named 'www',"
                    + " but LISTEN_FDNAMES names web (fd " + s.fd() + ") (FileDescriptorName= in the .socket unit,"
                    + " --fdname= of systemd-socket-activate)"), errors(e));
        }
    }

    @Test
    void socketsPassedToAnotherPidAreAnError() {
        SystemdSockets other = SystemdSockets.fromEnvironment(
                Map.of("LISTEN_FDS", "1", "LISTEN_PID", "1", "LISTEN_FDNAMES", "www"), PID);
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromString(config("systemd:www"), "test", other));
        assertEquals(List.of("jfpm.pools.p0.listen = \"systemd:www\": expected a socket passed by systemd named 'www',"
                + " but LISTEN_PID is 1, not this jfpm's pid " + PID + " (the sockets were passed to another process)"),
                errors(e));
    }

    @Test
    void noSocketsAtAllIsAnErrorForTheMaster() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromString(config("systemd:www"), "test", SystemdSockets.fromEnvironment(Map.of(), PID)));
        assertEquals(1, e.errors().size());
        assertEquals("jfpm.pools.p0.listen", e.errors().get(0).key());
        assertEquals("a socket passed by systemd named 'www', but no socket was passed (LISTEN_FDS is not set: start jfpm"
                + " from a service with a .socket unit, or under systemd-socket-activate)", e.errors().get(0).expected());
    }

    @Test
    void withoutSocketsToCheckOnlyTheSyntaxCounts() throws Exception {
        SupervisorConfig c = ConfigLoader.fromString(config("systemd:www"), "test");
        assertEquals(new ListenAddress.Systemd("www"), c.pools().get(0).listen());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromString(config("systemd:a:b"), "test"));
        assertEquals("jfpm.pools.p0.listen", e.errors().get(0).key());
    }

    @Test
    void twoPoolsCannotShareOneSystemdSocket() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromString(config("systemd:www", "systemd:www", "systemd:admin"), "test"));
        assertEquals(List.of("jfpm.pools.p1.listen = \"systemd:www\": expected an address no other pool uses"
                + " (pool p0 listens on systemd:www)"), errors(e));
    }
}
