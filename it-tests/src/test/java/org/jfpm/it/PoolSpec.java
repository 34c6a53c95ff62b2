package org.jfpm.it;

import org.jfpm.supervisor.status.MiniJson;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pool of a test configuration ({@code jfpm.pools.<name>}), rendered as HOCON. Settings are kept
 * as written so that tests can also write invalid ones ({@link #set}, {@link #pm}, {@link #unset}).
 */
final class PoolSpec {

    private final String name;
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, Object> pm = new LinkedHashMap<>();
    private SocketAddress address;

    private PoolSpec(String name) {
        this.name = name;
    }

    /** A pool listening on a free 127.0.0.1 port, static with {@code maxChildren} workers. */
    static PoolSpec named(String name, List<String> command, String accounting) {
        PoolSpec p = new PoolSpec(name).listenTcp();
        p.set("command", command);
        p.set("accounting", accounting);
        p.set("stop-signal", "TERM");
        return p;
    }

    PoolSpec staticPm(int maxChildren) {
        return pm("mode", "static").pm("max-children", maxChildren);
    }

    PoolSpec dynamicPm(int maxChildren, int start, int minSpare, int maxSpare) {
        return pm("mode", "dynamic").pm("max-children", maxChildren).pm("start-servers", start)
                .pm("min-spare-servers", minSpare).pm("max-spare-servers", maxSpare);
    }

    PoolSpec ondemandPm(int maxChildren, String idleTimeout) {
        return pm("mode", "ondemand").pm("max-children", maxChildren).pm("process-idle-timeout", idleTimeout);
    }

    PoolSpec listenTcp() {
        int port = Ports.free();
        address = new InetSocketAddress("127.0.0.1", port);
        return set("listen", "127.0.0.1:" + port);
    }

    PoolSpec listenUnix(Path socket, String mode) {
        address = UnixDomainSocketAddress.of(socket);
        set("listen", "unix:" + socket);
        return set("listen-mode", mode);
    }

    /** A pool setting ({@code command}, {@code listen}, {@code env}, ...); values: String, Number, Boolean, List, Map. */
    PoolSpec set(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    PoolSpec unset(String key) {
        settings.remove(key);
        return this;
    }

    /** A {@code pm} setting ({@code mode}, {@code max-children}, ...). */
    PoolSpec pm(String key, Object value) {
        pm.put(key, value);
        return this;
    }

    String name() {
        return name;
    }

    /** Where to connect to the pool: an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}. */
    SocketAddress address() {
        return address;
    }

    int port() {
        return ((InetSocketAddress) address).getPort();
    }

    String hocon(String indent) {
        StringBuilder b = new StringBuilder();
        b.append(indent).append(quoteKey(name)).append(" {\n");
        settings.forEach((k, v) -> b.append(indent).append("  ").append(k).append(" = ").append(value(v)).append('\n'));
        if (!pm.isEmpty()) {
            b.append(indent).append("  pm {\n");
            pm.forEach((k, v) -> b.append(indent).append("    ").append(k).append(" = ").append(value(v)).append('\n'));
            b.append(indent).append("  }\n");
        }
        return b.append(indent).append("}\n").toString();
    }

    static String value(Object v) {
        if (v instanceof String s) {
            return MiniJson.quote(s);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(value(l.get(i)));
            }
            return b.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, x) -> b.append(b.length() == 1 ? " " : ", ").append(quoteKey(k.toString())).append(" = ")
                    .append(value(x)));
            return b.append(" }").toString();
        }
        throw new IllegalArgumentException("no HOCON rendering for " + v);
    }

    private static String quoteKey(String k) {
        return k.matches("[A-Za-z0-9_-]+") ? k : MiniJson.quote(k);
    }
}
