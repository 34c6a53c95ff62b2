package org.jfpm.os;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NativeExceptionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "posix_spawnp(/usr/bin/php-cgi) | 2  | posix_spawnp(/usr/bin/php-cgi): No such file or directory (errno 2)",
        "bind(127.0.0.1:9000)           | 98 | bind(127.0.0.1:9000): Address already in use (errno 98)",
        "chown(/run/x.sock, a:b)        | 1  | chown(/run/x.sock, a:b): Operation not permitted (errno 1)",
    })
    void namesTheCallTheReasonAndTheErrno(String call, int errno, String message) {
        NativeException e = new NativeException(call, errno);
        assertEquals(call, e.call());
        assertEquals(errno, e.errno());
        assertEquals(message, e.getMessage());
    }
}
