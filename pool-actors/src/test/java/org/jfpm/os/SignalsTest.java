package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SignalsTest {

    @ParameterizedTest
    @CsvSource({
        "1, SIGHUP", "2, SIGINT", "3, SIGQUIT", "6, SIGABRT", "9, SIGKILL", "10, SIGUSR1", "11, SIGSEGV",
        "12, SIGUSR2", "13, SIGPIPE", "15, SIGTERM", "17, SIGCHLD", "19, SIGSTOP", "21, SIGTTIN",
        "28, SIGWINCH", "31, SIGSYS", "32, SIG32", "34, SIGRTMIN", "64, SIGRTMIN+30", "0, SIG0",
    })
    void namesLinuxSignals(int number, String name) {
        assertEquals(name, Signals.name(number));
    }

    @ParameterizedTest
    @CsvSource({
        "TERM, 15", "SIGTERM, 15", "15, 15", "term, 15", "sigterm, 15", " HUP , 1", "USR1, 10", "QUIT, 3",
        "KILL, 9", "SIGWINCH, 28", "IOT, 6", "POLL, 29", "64, 64",
    })
    void parsesNamesWithOrWithoutSigAndNumbers(String text, int number) {
        assertEquals(number, Signals.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FOO", "SIGFOO", "0", "65", "-1", "9999999999", "TERM15"})
    void rejectsWhatIsNotASignalSayingWhatWasExpected(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> Signals.parse(text));
        assertTrue(e.getMessage().startsWith("expected a signal"), e.getMessage());
        assertTrue(e.getMessage().contains(text.trim()), e.getMessage());
    }

    @Test
    void rejectsEmpty() {
        assertThrows(IllegalArgumentException.class, () -> Signals.parse(""));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse(null));
    }

    @Test
    void namesRoundTrip() {
        for (int i = 1; i <= 31; i++) {
            assertEquals(i, Signals.parse(Signals.name(i)));
        }
    }
}
