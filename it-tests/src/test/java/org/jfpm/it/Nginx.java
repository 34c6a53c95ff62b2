package org.jfpm.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * nginx run by a test as a real foreground process ({@code nginx -c CONF -p PREFIX -e LOG -g 'daemon
 * off;'}) with a generated configuration in a temp dir: one server on a free 127.0.0.1 port that
 * passes {@code *.php} to a FastCGI address with the CGI parameters php-cgi needs.
 */
final class Nginx implements AutoCloseable {

    static final String BINARY = "/usr/sbin/nginx";

    private final Process process;
    private final Path prefix;
    private final int port;

    private Nginx(Process process, Path prefix, int port) {
        this.process = process;
        this.prefix = prefix;
        this.port = port;
    }

    /**
     * @param fastcgi {@code host:port} or {@code unix:/path} of the FastCGI pool
     * @param docroot the directory the PHP scripts are in
     */
    static Nginx start(Path prefix, String fastcgi, Path docroot) {
        return start(prefix, "", """
                        location ~ \\.php$ {
                            fastcgi_pass %s;
                            fastcgi_param GATEWAY_INTERFACE CGI/1.1;
                            fastcgi_param SERVER_SOFTWARE nginx;
                            fastcgi_param QUERY_STRING $query_string;
                            fastcgi_param REQUEST_METHOD $request_method;
                            fastcgi_param CONTENT_TYPE $content_type;
                            fastcgi_param CONTENT_LENGTH $content_length;
                            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                            fastcgi_param SCRIPT_NAME $fastcgi_script_name;
                            fastcgi_param REQUEST_URI $request_uri;
                            fastcgi_param DOCUMENT_URI $document_uri;
                            fastcgi_param DOCUMENT_ROOT $document_root;
                            fastcgi_param SERVER_PROTOCOL $server_protocol;
                            fastcgi_param REMOTE_ADDR $remote_addr;
                            fastcgi_param REMOTE_PORT $remote_port;
                            fastcgi_param SERVER_ADDR $server_addr;
                            fastcgi_param SERVER_PORT $server_port;
                            fastcgi_param SERVER_NAME $server_name;
                            fastcgi_param REDIRECT_STATUS 200;
                        }
                """.formatted(fastcgi), docroot);
    }

    /**
     * nginx with {@code mainLines} at the top of its configuration (e.g. {@code user www-data;}) and
     * {@code locations} inside its one server, whose root is {@code docroot}. Relative includes in
     * {@code locations} resolve against {@code prefix}, where nginx.conf is written.
     */
    static Nginx start(Path prefix, String mainLines, String locations, Path docroot) {
        int port = Ports.free();
        String conf = """
                %5$s
                worker_processes 1;
                error_log %1$s/error.log info;
                pid %1$s/nginx.pid;
                events { worker_connections 64; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    server {
                        listen 127.0.0.1:%2$d;
                        root %3$s;
                %4$s
                    }
                }
                """.formatted(prefix, port, docroot, locations, mainLines);
        try {
            Files.createDirectories(prefix);
            Path file = prefix.resolve("nginx.conf");
            Files.writeString(file, conf);
            Process p = new ProcessBuilder(BINARY, "-c", file.toString(), "-p", prefix.toString(),
                    "-e", prefix.resolve("error.log").toString(), "-g", "daemon off;")
                    .redirectErrorStream(true).redirectOutput(prefix.resolve("stdout.log").toFile()).start();
            Nginx n = new Nginx(p, prefix, port);
            try {
                Poll.until(n::accepting, Duration.ofSeconds(10), () -> "nginx to listen on 127.0.0.1:" + port, n::logs);
            } catch (AssertionError e) {
                n.close();
                throw e;
            }
            return n;
        } catch (IOException e) {
            throw new AssertionError("start nginx: " + e, e);
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private boolean accepting() {
        if (!process.isAlive()) {
            throw new AssertionError("nginx exited with code " + process.exitValue() + "\n" + logs());
        }
        try (Socket s = new Socket()) {
            s.connect(address(), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** nginx's stdout and error log, for failure messages. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (String f : new String[] {"stdout.log", "error.log"}) {
            try {
                b.append("---- nginx ").append(f).append(":\n").append(Files.readString(prefix.resolve(f)));
            } catch (IOException e) {
                b.append("---- nginx ").append(f).append(": ").append(e).append('\n');
            }
        }
        return b.toString();
    }

    /** Stops nginx (TERM = fast shutdown), then kills the master and its workers if they linger. */
    @Override
    public void close() {
        var workers = process.descendants().toList();
        if (process.isAlive()) {
            Procs.signal(process.pid(), "TERM");
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        workers.forEach(ProcessHandle::destroyForcibly);
    }
}
