package org.jfpm.os;

import java.nio.file.Path;

/**
 * Where a pool listens: {@code host:port} (IPv4 literal or name), {@code [v6]:port}, or
 * {@code unix:/path}. Parsing is strict and its errors say what was expected.
 */
public sealed interface ListenAddress {

    /** A TCP address; {@code host} is an IPv4 literal, an IPv6 literal without brackets, or a name. */
    record Tcp(String host, int port) implements ListenAddress {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /** A unix stream socket at an absolute path. */
    record Unix(Path path) implements ListenAddress {
        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /**
     * Parses {@code host:port}, {@code [::1]:port} or {@code unix:/abs/path}.
     *
     * @throws IllegalArgumentException with a message saying what was expected
     */
    static ListenAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected host:port, [ipv6]:port or unix:/path, got an empty value");
        }
        String s = text.trim();
        if (s.startsWith("unix:")) {
            String p = s.substring("unix:".length());
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("expected an absolute path after unix:, got '" + p + "'");
            }
            if (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
                throw new IllegalArgumentException("unix socket path is longer than 107 bytes: '" + p + "'");
            }
            return new Unix(Path.of(p));
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [ipv6]:port, got '" + s + "'");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected host:port, [ipv6]:port or unix:/path, got '" + s + "'");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a port number 1-65535, got '" + port + "'");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("expected a port number 1-65535, got " + p);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("expected a host before the port, got '" + s + "'");
        }
        return new Tcp(host, p);
    }
}
