package org.jfpm.supervisor.status;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.extractUri;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.jfpm.pool.PoolStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP status server on {@code status.listen} (pekko-http):
 * <pre>
 *   GET /                  the live dashboard (HTML, polls /api/pools and /api/history every second)
 *   GET /api/pools         every pool with its processes (JSON, see {@link PoolsApi})
 *   GET /api/history?pool=NAME  the pool's last ten minutes at 1 s (JSON, see {@link HistoryApi});
 *                          400 without {@code pool}, 404 for a pool not running (JSON errors)
 *   GET /status/{pool}     PHP-FPM's status page; flags ?json ?xml ?html ?openmetrics ?full
 *   GET /status            the same for a single-pool configuration, else 400 naming the pools
 *   GET /ping              pong (text/plain)
 *   GET /metrics           every pool, with hipages/php-fpm_exporter's series: Prometheus text 0.0.4;
 *                          OpenMetrics with ?format=openmetrics or an Accept that takes nothing else
 * </pre>
 * HEAD is answered for every route. Every status answer carries PHP-FPM's {@code Expires} and
 * {@code Cache-Control: no-cache...} headers. Answers are rendered from the immutable snapshots
 * the {@link StatusSource} returns: at once on the request's thread when the source answered
 * synchronously (the master's does: it reads the scoreboards on the caller's thread), else on the
 * renderer, never on the thread that completed the source's stage; no lock is shared with the pools,
 * so load on the status server cannot fail or slow a pool. A source that fails or does not answer
 * within {@code sourceTimeout} gives a 500 naming the reason.
 */
public final class StatusServer {

    private static final Logger LOG = LoggerFactory.getLogger(StatusServer.class);
    private static final Duration DEFAULT_SOURCE_TIMEOUT = Duration.ofSeconds(3);
    private static final List<HttpHeader> NO_CACHE = List.of(
            RawHeader.create("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
            RawHeader.create("Cache-Control", "no-cache, no-store, must-revalidate, max-age=0"));
    private static final ContentType TEXT = ContentTypes.parse("text/plain;charset=UTF-8");
    private static final ContentType HTML = ContentTypes.parse("text/html;charset=UTF-8");
    /** Parsed once: parsing a Content-Type runs pekko-http's header parser, measurable on every answer. */
    private static final Map<StatusFormat, ContentType> FORMAT_TYPES = contentTypes(StatusFormat.values(), StatusFormat::contentType);
    private static final Map<MetricsExposition.Dialect, ContentType> DIALECT_TYPES =
            contentTypes(MetricsExposition.Dialect.values(), MetricsExposition.Dialect::contentType);

    private final ServerBinding binding;

    private StatusServer(ServerBinding binding) {
        this.binding = binding;
    }

    /**
     * Binds {@code host:port} and serves until {@link #stop()}. Port 0 picks a free port
     * ({@link #localAddress()} tells which). The stage fails when the address cannot be bound.
     */
    public static CompletionStage<StatusServer> start(ClassicActorSystemProvider system, String host, int port, StatusSource source) {
        return start(system, host, port, source, ZoneId.systemDefault(), DEFAULT_SOURCE_TIMEOUT);
    }

    /** As {@link #start(ClassicActorSystemProvider, String, int, StatusSource)}, with the zone for text/HTML dates and the source timeout. */
    public static CompletionStage<StatusServer> start(ClassicActorSystemProvider system, String host, int port, StatusSource source,
                                                      ZoneId zone, Duration sourceTimeout) {
        return start(system, host, port, source, new History(), zone, sourceTimeout);
    }

    /**
     * As {@link #start(ClassicActorSystemProvider, String, int, StatusSource)}, serving {@code history}
     * (which someone else samples, see {@code HistorySampler}) at {@code /api/history}.
     */
    public static CompletionStage<StatusServer> start(ClassicActorSystemProvider system, String host, int port, StatusSource source,
                                                      History history, ZoneId zone, Duration sourceTimeout) {
        Routes routes = new Routes(source, history, zone, sourceTimeout, system.classicSystem().dispatcher());
        return Http.get(system).newServerAt(host, port)
                .adaptSettings(s -> s.withTransparentHeadRequests(true).withBacklog(1024))
                .bind(routes.route())
                .thenApply(b -> {
                    LOG.info("status server listening on http://{}", hostPort(b.localAddress()));
                    return new StatusServer(b);
                });
    }

    /**
     * Parses {@code status.listen}: {@code host:port}, {@code [v6addr]:port} or {@code :port}
     * (all interfaces). Returns an unresolved address.
     *
     * @throws IllegalArgumentException naming the key and the value when it is not of that form
     */
    public static InetSocketAddress parseListen(String listen) {
        String v = listen == null ? "" : listen.trim();
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("status.listen: '" + listen + "' is not host:port, [ipv6]:port or :port");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("status.listen: '" + listen + "': write an IPv6 address in brackets, as [::1]:9001");
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("status.listen: '" + listen + "': port '" + v.substring(colon + 1) + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("status.listen: '" + listen + "': port " + port + " is outside 0..65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    public InetSocketAddress localAddress() {
        return binding.localAddress();
    }

    /** Stops accepting, lets requests in flight finish (up to 2 s), then closes every connection. */
    public CompletionStage<Done> stop() {
        return binding.terminate(Duration.ofSeconds(2)).thenApply(t -> Done.getInstance());
    }

    private static <E extends Enum<E>> Map<E, ContentType> contentTypes(E[] values, Function<E, String> type) {
        Map<E, ContentType> m = new EnumMap<>(values[0].getDeclaringClass());
        for (E e : values) {
            m.put(e, ContentTypes.parse(type.apply(e)));
        }
        return m;
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The route tree and the handlers, separate from the binding's lifecycle. */
    static final class Routes {
        private final StatusSource source;
        private final History history;
        private final ZoneId zone;
        private final Duration sourceTimeout;
        private final Executor renderer;

        Routes(StatusSource source, History history, ZoneId zone, Duration sourceTimeout, Executor renderer) {
            this.source = source;
            this.history = history;
            this.zone = zone;
            this.sourceTimeout = sourceTimeout;
            this.renderer = renderer;
        }

        Route route() {
            return get(() -> concat(
                    pathSingleSlash(() -> complete(ok(HTML, DashboardPage.html()))),
                    path("ping", () -> complete(ok(TEXT, "pong"))),
                    path("metrics", () -> optionalHeaderValueByName("Accept", accept -> extractUri(uri ->
                            completeWithFuture(withPools(pools -> metrics(pools, accept, uri)))))),
                    path(PathMatchers.segment("api").slash("pools"), () ->
                            completeWithFuture(withPools(pools -> ok(ContentTypes.APPLICATION_JSON, PoolsApi.render(pools))))),
                    path(PathMatchers.segment("api").slash("history"), () -> parameterOptional("pool", pool ->
                            completeWithFuture(withPools(pools -> history(pools, pool.orElse(null)))))),
                    pathPrefix("status", () -> concat(
                            pathEndOrSingleSlash(() -> extractUri(uri -> completeWithFuture(withPools(pools -> status(pools, null, uri))))),
                            path(PathMatchers.segment(), pool ->
                                    extractUri(uri -> completeWithFuture(withPools(pools -> status(pools, pool, uri)))))))));
        }

        /**
         * Renders what the source gives. A stage that is already complete (the master's source reads
         * on the calling thread) is rendered at once, on this request's thread; a pending one is
         * rendered on the renderer when it completes, so never on the thread that completed it.
         */
        private CompletionStage<HttpResponse> withPools(Function<List<PoolStatus>, HttpResponse> render) {
            CompletableFuture<List<PoolStatus>> pools;
            try {
                pools = source.pools().toCompletableFuture();
            } catch (RuntimeException e) {
                pools = CompletableFuture.failedFuture(e);
            }
            if (pools.isDone()) {
                return CompletableFuture.completedFuture(answer(pools, render));
            }
            CompletableFuture<List<PoolStatus>> pending = pools.thenApply(Function.identity())
                    .orTimeout(sourceTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return pending.handleAsync((list, error) -> answer(pending, render), renderer);
        }

        private static HttpResponse answer(CompletableFuture<List<PoolStatus>> done, Function<List<PoolStatus>, HttpResponse> render) {
            List<PoolStatus> list;
            try {
                list = done.join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                return internalError(e);
            }
            try {
                return render.apply(list);
            } catch (RuntimeException e) {
                return internalError(e);
            }
        }

        private HttpResponse status(List<PoolStatus> pools, String name, Uri uri) {
            PoolStatus pool;
            if (name == null) {
                if (pools.size() != 1) {
                    return plain(StatusCodes.BAD_REQUEST, "this configuration has " + pools.size() + " pools (" + names(pools)
                            + "): ask for /status/{pool}\n");
                }
                pool = pools.get(0);
            } else {
                pool = pools.stream().filter(p -> p.identity().name().equals(name)).findFirst().orElse(null);
                if (pool == null) {
                    return plain(StatusCodes.NOT_FOUND, "no pool named '" + Escape.textLine(name) + "' (pools: " + names(pools) + ")\n");
                }
            }
            StatusQuery query = StatusQuery.parse(uri.rawQueryString().orElse(null));
            return ok(FORMAT_TYPES.get(query.format()), StatusPage.render(pool, query, zone));
        }

        /** The pool's history; 400 without a name, 404 for a pool not running (both JSON, naming the pools). */
        private HttpResponse history(List<PoolStatus> pools, String name) {
            List<String> names = pools.stream().map(p -> p.identity().name()).distinct().toList();
            if (name == null || name.isEmpty()) {
                return json(StatusCodes.BAD_REQUEST, HistoryApi.error("missing the pool parameter: ask for /api/history?pool=NAME", names));
            }
            if (!names.contains(name)) {
                return json(StatusCodes.NOT_FOUND, HistoryApi.error("no pool named '" + name + "'", names));
            }
            StringBuilder b = new StringBuilder(16384);
            history.renderJson(name, b);
            return json(StatusCodes.OK, b.toString());
        }

        private static HttpResponse json(StatusCode code, String body) {
            return HttpResponse.create().withStatus(code).addHeaders(NO_CACHE)
                    .withEntity(ContentTypes.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8));
        }

        private static HttpResponse metrics(List<PoolStatus> pools, Optional<String> accept, Uri uri) {
            MetricsExposition.Dialect asked = MetricsExposition.Dialect.forFormat(uri.query().get("format").orElse(null));
            MetricsExposition.Dialect dialect = asked != null ? asked : MetricsExposition.Dialect.forAccept(accept.orElse(null));
            return ok(DIALECT_TYPES.get(dialect), MetricsExposition.render(pools, dialect));
        }

        private static String names(List<PoolStatus> pools) {
            return pools.isEmpty() ? "none" : pools.stream().map(p -> p.identity().name()).collect(Collectors.joining(", "));
        }

        private static HttpResponse internalError(Throwable error) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            String reason = cause instanceof TimeoutException ? "the master did not answer in time" : String.valueOf(cause);
            LOG.warn("status: cannot build the status answer: {}", reason, cause instanceof TimeoutException ? null : cause);
            return plain(StatusCodes.INTERNAL_SERVER_ERROR, "Internal error: " + reason + "\n");
        }

        private static HttpResponse plain(StatusCode code, String body) {
            return HttpResponse.create().withStatus(code).addHeaders(NO_CACHE).withEntity(TEXT, body.getBytes(StandardCharsets.UTF_8));
        }

        private static HttpResponse ok(ContentType type, String body) {
            return HttpResponse.create().withStatus(StatusCodes.OK).addHeaders(NO_CACHE).withEntity(type, body.getBytes(StandardCharsets.UTF_8));
        }
    }
}
