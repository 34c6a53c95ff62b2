package org.jfpm.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import org.jfpm.scoreboard.FastCgiRecords;

/**
 * One FastCGI request per connection to a pool's socket (TCP or unix), in the wire format of
 * {@link FastCgiRecords}; the exchange itself goes through {@link Http#exchange} (bounded by
 * {@code timeout}).
 */
final class FastCgi {

    private FastCgi() {
    }

    static FastCgiRecords.Response request(SocketAddress address, Map<String, String> params, Duration timeout) {
        String what = "FastCGI " + params.get("REQUEST_URI");
        byte[] raw = Http.exchange(address, FastCgiRecords.request(params, new byte[0], false), timeout, what);
        try {
            return FastCgiRecords.readResponse(new ByteArrayInputStream(raw));
        } catch (IOException e) {
            throw new AssertionError(what + " on " + address + ": " + e.getMessage() + " (" + raw.length + " bytes)", e);
        }
    }
}
