package io.tocsin;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.api.ApiServer;
import io.tocsin.config.ServerConfig;
import io.tocsin.ingest.IngestLimiter;
import io.tocsin.ingest.IngestMetrics;
import io.tocsin.ingest.MetricsTranslator;
import io.tocsin.ingest.OtlpGrpcServer;
import io.tocsin.ingest.OtlpHttpServer;
import io.tocsin.ingest.OtlpIngest;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreMetrics;
import io.tocsin.store.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: every stage built from one {@link ServerConfig} and wired together.
 * {@link #close} stops the servers first, so nothing is accepted that cannot be finished.
 */
public final class Tocsin implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tocsin.class);

  private final SeriesStore store;
  private final PrometheusRegistry registry;
  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
  private OtlpGrpcServer grpc;
  private OtlpHttpServer otlpHttp;
  private ApiServer api;
  private volatile boolean ready;

  private Tocsin(ServerConfig config, Clock clock) {
    ServerConfig.Limits limits = config.limits();
    this.store = new SeriesStore(clock,
        new StoreSettings(config.retention(), limits.maxSeries(), limits.maxSeriesPerMetric()));
    this.registry = new PrometheusRegistry();
  }

  /** Builds and starts everything; on failure, whatever started is stopped again. */
  public static Tocsin start(ServerConfig config, Clock clock) throws IOException {
    Tocsin tocsin = new Tocsin(config, clock);
    try {
      tocsin.startStages(config, clock);
    } catch (IOException | RuntimeException e) {
      tocsin.close();
      throw e;
    }
    return tocsin;
  }

  private void startStages(ServerConfig config, Clock clock) throws IOException {
    Files.createDirectories(config.dataDir());
    ServerConfig.Limits limits = config.limits();

    StoreMetrics storeMetrics = new StoreMetrics(store, registry);
    ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "store-eviction");
      thread.setDaemon(true);
      return thread;
    });
    closeables.push(housekeeping::shutdownNow);
    long evictEveryMs = Math.min(30_000, config.retention().toMillis() / 10);
    housekeeping.scheduleWithFixedDelay(() -> evictSafely(storeMetrics), evictEveryMs, evictEveryMs, TimeUnit.MILLISECONDS);

    OtlpIngest ingest = new OtlpIngest(new MetricsTranslator(store, clock),
        new IngestLimiter(limits.maxInflightRequests()), new IngestMetrics(registry));
    grpc = OtlpGrpcServer.start(config.listen().otlpGrpc().toSocketAddress(), (int) limits.maxRequestBytes(), ingest);
    closeables.push(grpc);
    otlpHttp = OtlpHttpServer.start(config.listen().otlpHttp().toSocketAddress(), limits.maxRequestBytes(), ingest);
    closeables.push(otlpHttp);
    api = ApiServer.start(config.listen().http().toSocketAddress(), registry, () -> ready,
        new QueryEvaluator(store), clock);
    closeables.push(api);

    log.info("OTLP/gRPC listening on {}:{}", config.listen().otlpGrpc().host(), grpc.port());
    log.info("OTLP/HTTP listening on {}:{} (POST /v1/metrics)", config.listen().otlpHttp().host(), otlpHttp.port());
    log.info("REST API and /metrics listening on {}:{}", config.listen().http().host(), api.port());
    log.info("store: retention {}, at most {} series ({} per metric); data dir {}",
        io.tocsin.util.Durations.format(config.retention()), limits.maxSeries(), limits.maxSeriesPerMetric(),
        config.dataDir());
    ready = true;
  }

  private void evictSafely(StoreMetrics storeMetrics) {
    try {
      storeMetrics.evict(store);
    } catch (RuntimeException e) {
      log.error("store eviction failed; will retry", e);
    }
  }

  public SeriesStore store() {
    return store;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public int otlpGrpcPort() {
    return grpc.port();
  }

  public int otlpHttpPort() {
    return otlpHttp.port();
  }

  public int httpPort() {
    return api.port();
  }

  @Override
  public void close() {
    ready = false;
    while (!closeables.isEmpty()) {
      AutoCloseable closeable = closeables.pop();
      try {
        closeable.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.toString());
      }
    }
  }
}
