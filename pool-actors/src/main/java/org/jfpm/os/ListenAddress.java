package org.jfpm.os;

import java.nio.file.Path;

/**
 * Where a pool listens: {@code host:port} (IPv4 literal or name), {@code [v6]:port},
 * {@code unix:/path}, or {@code systemd:NAME} (a socket passed by systemd, see {@link SystemdSockets}).
 * Parsing is strict and its errors say what was expected.
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
     * A listening socket passed by the service manager ({@code LISTEN_FDS}), by its name in
     * {@code LISTEN_FDNAMES} ({@code FileDescriptorName=} of the {@code .socket} unit). Where it is
     * bound is the socket unit's business.
     */
    record Systemd(String name) implements ListenAddress {
        /** What a name may hold: systemd's own rule for {@code FileDescriptorName=} (no ':', printable ASCII, at most 255). */
        static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]{1,255}");

        @Override
        public String toString() {
            return "systemd:" + name;
        }
    }

    /**
     * Parses {@code host:port}, {@code [::1]:port}, {@code unix:/abs/path} or {@code systemd:NAME}.
     *
     * @throws IllegalArgumentException with a message saying what was expected
     */
    static ListenAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected host:port, [ipv6]:port, unix:/path or systemd:NAME, got an empty value");
        }
        String s = text.trim();
        if (s.startsWith("systemd:")) {
            String name = s.substring("systemd:".length());
            if (!Systemd.NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("expected systemd:NAME with the FileDescriptorName= of a .socket unit"
                        + " (1-255 printable ASCII characters, no ':' or space), got '" + s + "'");
            }
            return new Systemd(name);
        }
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
                throw new IllegalArgumentException("expected host:port, [ipv6]:port, unix:/path or systemd:NAME, got '" + s + "'");
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
