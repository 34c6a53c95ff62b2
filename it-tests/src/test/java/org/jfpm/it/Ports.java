package org.jfpm.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1: bind port 0, note the port the kernel chose, release it. */
final class Ports {

    private Ports() {
    }

    static int free() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("bind 127.0.0.1:0: " + e, e);
        }
    }
}
