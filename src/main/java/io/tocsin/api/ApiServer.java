package io.tocsin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.cluster.Cluster;
import io.tocsin.config.ServerConfig;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.silence.Silences;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.SeriesStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface on the main port: the REST API under {@code /api/v1} (described by the
 * OpenAPI document it serves at {@code /api/v1/openapi.json}), the status page, health and
 * readiness probes, and {@code /metrics} in the Prometheus text format. Errors are JSON {@code
 * {"error": "..."}}, never a stack trace.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  static final String OPENAPI = "/io/tocsin/api/openapi.json";
  /** Prometheus remote write: its handler comes from ingest and reads its own, bounded body. */
  static final String REMOTE_WRITE = "/api/v1/write";

  private final Javalin app;
  private final List<Routes.Route> routes;
  private final AdHocQueries queries;

  private ApiServer(Javalin app, List<Routes.Route> routes, AdHocQueries queries) {
    this.app = app;
    this.routes = List.copyOf(routes);
    this.queries = queries;
  }

  /**
   * What the API serves.
   *
   * @param notReady why the service is not ready (starting, monitor evaluation behind), or null
   * @param remoteWrite the Prometheus remote-write receiver, which reads its own body within the ingest limits
   */
  public record Services(PrometheusRegistry registry, Supplier<String> notReady, SeriesStore store, MonitorEngine engine,
      Reloader reloader, NotificationDispatcher notifications, Silences silences, ServerConfig.Api api,
      ServerConfig.Query query, Clock clock, Cluster cluster, Handler remoteWrite) {}

  public static ApiServer start(InetSocketAddress address, Services services) {
    PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    PrometheusRegistry registry = services.registry();
    Supplier<String> notReady = services.notReady();
    AdHocQueries queries = new AdHocQueries(new QueryEvaluator(services.store()), services.query());
    QueryHandler query = new QueryHandler(queries, services.engine(), services.clock(), new ObjectMapper());
    AlertDelivery delivery = new AlertDelivery(services.notifications(), services.silences(), services.clock());
    MonitorsHandler monitors = new MonitorsHandler(services.engine(), queries, services.clock(), delivery);
    PrometheusRulesHandler prometheus = new PrometheusRulesHandler(services.engine());
    ChannelsHandler channels = new ChannelsHandler(services.notifications());
    RoutesHandler routesHandler = new RoutesHandler(delivery, services.clock(), new ObjectMapper());
    ApiAuth auth = new ApiAuth(services.api());
    SilencesHandler silences = new SilencesHandler(services.silences(), services.clock(), new ObjectMapper());
    ClusterHandler cluster = new ClusterHandler(services.cluster());
    StatusPage status = new StatusPage(services.engine(), queries, services.clock(), silences::rows, cluster::statusLine,
        delivery);
    byte[] openApi = openApiDocument();
    List<Routes.Route> registered = new ArrayList<>();
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = address.getHostString();
      config.jetty.port = address.getPort();
      config.http.prefer405over404 = true;
      config.jetty.modifyHttpConfiguration(ApiAuth::exactHeaders);
      config.routes.before(auth::check);
      config.routes.before(RequestBody::readFirst);
      Routes routes = new Routes(config.routes);
      routes.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
      routes.post("/api/v1/query", query::handle);
      routes.post(REMOTE_WRITE, services.remoteWrite());
      routes.get("/api/v1/monitors", monitors::list);
      routes.get("/api/v1/monitors/{id}", monitors::get);
      routes.post("/api/v1/monitors/{id}/pause", ctx -> monitors.pause(ctx, true));
      routes.post("/api/v1/monitors/{id}/resume", ctx -> monitors.pause(ctx, false));
      routes.get("/api/v1/alerts", monitors::alerts);
      routes.get("/api/v1/alerts/history", monitors::history);
      routes.get("/api/v1/channels", channels::list);
      routes.post("/api/v1/channels/{name}/test", channels::test);
      routes.post("/api/v1/routes/test", routesHandler::test);
      routes.get("/api/v1/silences", silences::list);
      routes.post("/api/v1/silences", silences::post);
      routes.get("/api/v1/silences/{id}", silences::get);
      routes.delete("/api/v1/silences/{id}", silences::delete);
      routes.get("/api/v1/cluster", cluster::get);
      routes.get("/api/prometheus/api/v1/rules", prometheus::rules);
      routes.get("/api/prometheus/api/v1/alerts", prometheus::alerts);
      routes.get("/", status::index);
      routes.get("/monitors/{id}", status::monitor);
      routes.post("/-/reload", ctx -> reload(ctx, services.reloader()));
      routes.get("/-/healthy", ctx -> ctx.result("Tocsin is healthy.\n"));
      routes.get("/-/ready", ctx -> {
        String problem = notReady.get();
        if (problem == null) {
          ctx.result("Tocsin is ready.\n");
        } else {
          ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("Tocsin is not ready: " + problem + "\n");
        }
      });
      routes.get("/metrics", ctx -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        textFormat.write(out, registry.scrape());
        ctx.contentType(PrometheusTextFormatWriter.CONTENT_TYPE).result(out.toByteArray());
      });
      registered.addAll(routes.list());
      config.routes.error(404, "*", ctx -> ApiErrors.respondUnlessAnswered(ctx, HttpStatus.NOT_FOUND,
          "not found: " + ctx.method() + " " + ctx.path()));
      config.routes.error(405, "*", ctx -> ApiErrors.respondUnlessAnswered(ctx, HttpStatus.METHOD_NOT_ALLOWED,
          "method " + ctx.method() + " not allowed on " + ctx.path()));
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("{} {} failed", ctx.method(), ctx.path(), e);
        ApiErrors.respond(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error");
      });
    });
    try {
      app.start();
    } catch (RuntimeException e) {
      queries.close();
      throw new IllegalStateException("cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
    }
    return new ApiServer(app, registered, queries);
  }

  /** The OpenAPI document, bundled; checked against {@link #routes()} by the tests. */
  static byte[] openApiDocument() {
    try (InputStream in = ApiServer.class.getResourceAsStream(OPENAPI)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI document " + OPENAPI + " is missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + OPENAPI, e);
    }
  }

  private static void reload(Context ctx, Reloader reloader) {
    Reloader.Result result = reloader.reload();
    Map<String, Object> body = new LinkedHashMap<>();
    if (result.reloaded()) {
      body.put("status", "reloaded");
      body.put("monitors", result.monitors());
      ctx.json(body);
    } else {
      body.put("error", "rule files have errors; the previous rules keep running");
      body.put("errors", result.errors());
      ctx.status(HttpStatus.BAD_REQUEST).json(body);
    }
  }

  /** Every endpoint as registered: method and path. */
  List<Routes.Route> routes() {
    return routes;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    queries.close();
  }
}
