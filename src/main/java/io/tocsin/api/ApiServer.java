package io.tocsin.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.config.ServerConfig;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.silence.Silences;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.SeriesStore;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface on the main port: the REST API under {@code /api/v1}, health and readiness
 * probes, and {@code /metrics} in the Prometheus text format. Errors are JSON {@code {"error":
 * "..."}}, never a stack trace.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final Javalin app;

  private ApiServer(Javalin app) {
    this.app = app;
  }

  /** What the API serves. */
  public record Services(PrometheusRegistry registry, BooleanSupplier ready, SeriesStore store, MonitorEngine engine,
      Reloader reloader, NotificationDispatcher notifications, Silences silences, ServerConfig.Api api, Clock clock) {}

  public static ApiServer start(InetSocketAddress address, Services services) {
    PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    PrometheusRegistry registry = services.registry();
    BooleanSupplier ready = services.ready();
    QueryEvaluator evaluator = new QueryEvaluator(services.store());
    QueryHandler query = new QueryHandler(evaluator, services.clock(), new ObjectMapper());
    MonitorsHandler monitors = new MonitorsHandler(services.engine(), evaluator, services.clock());
    ChannelsHandler channels = new ChannelsHandler(services.notifications());
    ApiAuth auth = new ApiAuth(services.api());
    SilencesHandler silences = new SilencesHandler(services.silences(), services.clock(), new ObjectMapper());
    StatusPage status = new StatusPage(services.engine(), evaluator, services.clock(), silences::rows);
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = address.getHostString();
      config.jetty.port = address.getPort();
      config.http.prefer405over404 = true;
      config.routes.post("/api/v1/query", query::handle);
      config.routes.get("/api/v1/monitors", monitors::list);
      config.routes.get("/api/v1/monitors/{id}", monitors::get);
      config.routes.post("/api/v1/monitors/{id}/pause", ctx -> monitors.pause(ctx, true));
      config.routes.post("/api/v1/monitors/{id}/resume", ctx -> monitors.pause(ctx, false));
      config.routes.get("/api/v1/alerts", monitors::alerts);
      config.routes.get("/api/v1/alerts/history", monitors::history);
      config.routes.before(auth::check);
      config.routes.get("/", status::index);
      config.routes.get("/monitors/{id}", status::monitor);
      config.routes.get("/api/v1/channels", channels::list);
      config.routes.post("/api/v1/channels/{name}/test", channels::test);
      config.routes.get("/api/v1/silences", silences::list);
      config.routes.post("/api/v1/silences", silences::post);
      config.routes.get("/api/v1/silences/{id}", silences::get);
      config.routes.delete("/api/v1/silences/{id}", silences::delete);
      config.routes.post("/-/reload", ctx -> reload(ctx, services.reloader()));
      config.routes.get("/-/healthy", ctx -> ctx.result("Tocsin is healthy.\n"));
      config.routes.get("/-/ready", ctx -> {
        if (ready.getAsBoolean()) {
          ctx.result("Tocsin is ready.\n");
        } else {
          ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("Tocsin is starting.\n");
        }
      });
      config.routes.get("/metrics", ctx -> {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        textFormat.write(out, registry.scrape());
        ctx.contentType(PrometheusTextFormatWriter.CONTENT_TYPE).result(out.toByteArray());
      });
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
      throw new IllegalStateException("cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
    }
    return new ApiServer(app);
  }

  private static void reload(io.javalin.http.Context ctx, Reloader reloader) {
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

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
