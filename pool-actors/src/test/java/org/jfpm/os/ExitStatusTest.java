package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExitStatusTest {

    @ParameterizedTest(name = "0x{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0000 | exited with code 0",
        "0300 | exited with code 3",
        "ff00 | exited with code 255",
        "000f | exited on signal 15 (SIGTERM)",
        "0009 | exited on signal 9 (SIGKILL)",
        "0006 | exited on signal 6 (SIGABRT)",
        "000b | exited on signal 11 (SIGSEGV)",
        "008b | exited on signal 11 (SIGSEGV - core dumped)",
        "0086 | exited on signal 6 (SIGABRT - core dumped)",
        "0022 | exited on signal 34 (SIGRTMIN)",
        "0028 | exited on signal 40 (SIGRTMIN+6)",
    })
    void decodesAndDescribesLikePhpFpm(String rawHex, String description) {
        assertEquals(description, ExitStatus.decode(Integer.parseInt(rawHex, 16)).describe());
    }

    @ParameterizedTest
    @CsvSource({
        "0x0300, exited, 3, false",
        "0x0009, signaled, 9, false",
        "0x008b, signaled, 11, true",
    })
    void decodesToRecords(String raw, String kind, int value, boolean core) {
        ExitStatus expected = kind.equals("exited") ? new ExitStatus.Exited(value) : new ExitStatus.Signaled(value, core);
        assertEquals(expected, ExitStatus.decode(Integer.decode(raw)));
    }

    @ParameterizedTest
    @CsvSource({"0x137f", "0xffff"})
    void aStoppedOrContinuedStatusIsNotAnExit(String raw) {
        assertThrows(IllegalArgumentException.class, () -> ExitStatus.decode(Integer.decode(raw)));
    }

    @org.junit.jupiter.api.Test
    void unknownSaysWhy() {
        assertEquals("exited with unknown status (waitpid(pid 7): No child processes (errno 10))",
                new ExitStatus.Unknown("waitpid(pid 7): No child processes (errno 10)").describe());
    }
}
