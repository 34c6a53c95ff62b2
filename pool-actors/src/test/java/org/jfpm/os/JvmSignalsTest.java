package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

class JvmSignalsTest {

    private static void raise(int signal) {
        Native.check("kill(self)", Native.libc().kill((int) ProcFs.selfPid(), signal));
    }

    @Test
    void forwardsTheShortNameOfEachInstalledSignal() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (JvmSignals signals = JvmSignals.install(List.of("USR1", "SIGWINCH"), received::add)) {
            raise(Signals.SIGUSR1);
            assertEquals("USR1", received.poll(5, TimeUnit.SECONDS));
            raise(28);
            assertEquals("WINCH", received.poll(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeRestoresThePreviousHandler() throws Exception {
        LinkedBlockingQueue<String> outer = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> inner = new LinkedBlockingQueue<>();
        try (JvmSignals first = JvmSignals.install(List.of("USR1"), outer::add)) {
            JvmSignals second = JvmSignals.install(List.of("USR1"), inner::add);
            raise(Signals.SIGUSR1);
            assertEquals("USR1", inner.poll(5, TimeUnit.SECONDS));
            second.close();
            raise(Signals.SIGUSR1);
            assertEquals("USR1", outer.poll(5, TimeUnit.SECONDS));
            Await.holdsFor(Duration.ofMillis(100), inner::isEmpty, () -> "the closed handler gets nothing");
        }
    }

    @Test
    void refusesQuitAndUsr2WithTheReason() {
        var quit = assertThrows(IllegalArgumentException.class, () -> JvmSignals.install(List.of("QUIT"), s -> { }));
        assertTrue(quit.getMessage().contains("SIGQUIT") && quit.getMessage().contains("thread dumps"), quit.getMessage());
        var usr2 = assertThrows(IllegalArgumentException.class, () -> JvmSignals.install(List.of("SIGUSR2"), s -> { }));
        assertTrue(usr2.getMessage().contains("SIGUSR2") && usr2.getMessage().contains("HotSpot"), usr2.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class, () -> JvmSignals.install(List.of("FOO"), s -> { }));
        assertTrue(unknown.getMessage().contains("'FOO'"), unknown.getMessage());
    }

    @Test
    void aSignalTheJvmRefusesLeavesNothingInstalled() {
        SignalHandler before = Signal.handle(new Signal("WINCH"), SignalHandler.SIG_DFL);
        try {
            var e = assertThrows(IllegalArgumentException.class, () -> JvmSignals.install(List.of("WINCH", "KILL"), s -> { }));
            assertTrue(e.getMessage().contains("cannot handle SIGKILL"), e.getMessage());
            assertSame(SignalHandler.SIG_DFL, Signal.handle(new Signal("WINCH"), SignalHandler.SIG_DFL),
                    "WINCH is back to its previous handler");
        } finally {
            Signal.handle(new Signal("WINCH"), before);
        }
    }
}
