package io.tocsin;

import io.javalin.http.Context;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.api.ApiServer;
import io.tocsin.channels.Channels;
import io.tocsin.cluster.Cluster;
import io.tocsin.cluster.MonitorSharding;
import io.tocsin.cluster.ReplicatedNotificationLog;
import io.tocsin.cluster.ReplicatedSilences;
import io.tocsin.config.ServerConfig;
import io.tocsin.datasource.PrometheusSource;
import io.tocsin.ingest.IngestLimiter;
import io.tocsin.ingest.IngestMetrics;
import io.tocsin.ingest.MetricsTranslator;
import io.tocsin.ingest.OtlpGrpcServer;
import io.tocsin.ingest.OtlpHttpServer;
import io.tocsin.ingest.OtlpIngest;
import io.tocsin.ingest.RemoteWriteReceiver;
import io.tocsin.ingest.WriterStates;
import io.tocsin.notify.ChannelDeclaration;
import io.tocsin.notify.NotificationDispatcher;
import io.tocsin.notify.NotificationLog;
import io.tocsin.notify.NotifierContext;
import io.tocsin.notify.silence.Silences;
import io.tocsin.query.eval.QuerySource;
import io.tocsin.rules.AlertEvent;
import io.tocsin.rules.AlertSink;
import io.tocsin.rules.GroupState;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.rules.MonitorScheduler;
import io.tocsin.rules.MonitorStatus;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreMetrics;
import io.tocsin.store.StoreSettings;
import io.tocsin.store.wal.DurableStore;
import io.tocsin.util.AtomicFiles;
import io.tocsin.util.Durations;
import io.tocsin.util.HeapGrowth;
import io.tocsin.yaml.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
  /** Null until the store's window is back, and again from the start of {@link #close}. */
  private volatile RemoteWriteReceiver remoteWrite;
  private MonitorEngine engine;
  private NotificationDispatcher notifications;
  private Silences silences;
  private RulesReloader rules;
  private DurableStore durable;
  private Cluster cluster;
  private volatile boolean ready;

  private Tocsin(ServerConfig config, Clock clock) {
    this.clock = clock;
    ServerConfig.Limits limits = config.limits();
    this.store = new SeriesStore(clock,
        new StoreSettings(config.retention(), limits.maxSeries(), limits.maxSeriesPerMetric()));
    this.registry = new PrometheusRegistry();
  }

  /**
   * Builds and starts everything, with monitors evaluated in real time. On failure, whatever
   * started is stopped again; rule files with errors are a {@link ConfigException}.
   */
  public static Tocsin start(ServerConfig config, Clock clock) throws IOException, ConfigException {
    return start(config, clock, true);
  }

  /**
   * Like {@link #start(ServerConfig, Clock)}; without {@code schedule}, monitors are evaluated only
   * when {@link #evaluateMonitors} is called, which lets tests drive time.
   */
  public static Tocsin start(ServerConfig config, Clock clock, boolean schedule) throws IOException, ConfigException {
    Tocsin tocsin = new Tocsin(config, clock);
    try {
      tocsin.startStages(config, clock, schedule);
    } catch (IOException | ConfigException | RuntimeException e) {
      tocsin.close();
      throw e;
    }
    return tocsin;
  }

  private void startStages(ServerConfig config, Clock clock, boolean schedule) throws IOException, ConfigException {
    checkWritable(config.dataDir());
    // Before the outbox, state and silences are read: a crash or a full disk may have left temporary files.
    AtomicFiles.removeStaleTemps(config.dataDir());
    ServerConfig.Limits limits = config.limits();
    if (config.cluster() != null) {
      // Created (not joined) first, so that the parts can be built with it; closed last, so that
      // whatever the stages record while they stop still reaches the peers.
      cluster = Cluster.create(config.cluster(), registry);
      closeables.push(cluster);
    }

    // The engine hands events to the notification stage, which records deliveries in the engine's history.
    AlertSink sink = new AlertSink() {
      @Override
      public void deliver(MonitorDefinition monitor, List<AlertEvent> events) {
        notifications.deliver(monitor, events);
      }

      @Override
      public void flush() {
        notifications.flush();
      }
    };
    engine = MonitorEngine.persistent(store, sink, clock, config.dataDir(), registry, config.wal().enabled());
    Map<String, QuerySource> datasources = new HashMap<>();
    config.datasources().forEach(d -> datasources.put(d.name(), new PrometheusSource(d)));
    engine.useDatasources(datasources);
    silences = new Silences(config.dataDir(), clock);
    Supplier<HttpClient> http = NotifierContext.lazyHttp(
        () -> HttpClient.newBuilder().connectTimeout(config.notifications().requestTimeout()).build());
    NotificationLog notificationLog = NotificationLog.ALONE;
    if (cluster != null) {
      // Closed after the dispatcher (pushed before it): its last write holds the last deliveries.
      ReplicatedNotificationLog replicated = ReplicatedNotificationLog.open(cluster, config.dataDir(), clock,
          config.cluster().peerTimeout(), () -> ReplicatedNotificationLog.retentionFor(rules.current().monitors()),
          registry);
      closeables.push(replicated);
      cluster.register(replicated);
      notificationLog = replicated;
    }
    notifications = new NotificationDispatcher(config.dataDir(), Channels.TYPES,
        new NotifierContext(clock, config.dataDir(), config.smtp(), config.externalUrl(), http,
            config.notifications().requestTimeout()),
        silences, engine.history(), config.notifications().giveUpAfter(), notificationLog, registry);
    closeables.push(notifications);
    rules = new RulesReloader(config, engine, notifications, store);
    closeables.push(rules);
    rules.loadInitial();
    notifications.alreadyFiring(firingAlerts(engine));
    warnIfLinksPointAtLocalhost(config.externalUrl(), rules.current().channels());

    StoreMetrics storeMetrics = new StoreMetrics(store, registry);
    ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "store-eviction");
      thread.setDaemon(true);
      return thread;
    });
    closeables.push(housekeeping::shutdownNow);

    // The REST server answers from the start: /-/healthy 200, /-/ready 503 until recovery is done.
    api = ApiServer.start(config.listen().http().toSocketAddress(),
        new ApiServer.Services(registry, this::notReady, store, engine, rules, notifications, silences, config.api(),
            config.query(), clock, cluster, this::receiveRemoteWrite));
    closeables.push(api);
    if (config.wal().enabled()) {
      try (HeapGrowth growth = HeapGrowth.whileLoading()) {
        durable = DurableStore.open(config.dataDir(), config.wal(), store, WriterStates.CODEC, registry, clock);
      }
      closeables.push(durable);
    }
    // After recovery: a snapshot's series are found by their labels only once all are loaded.
    long evictEveryMs = Math.min(30_000, config.retention().toMillis() / 10);
    housekeeping.scheduleWithFixedDelay(() -> evictSafely(storeMetrics), evictEveryMs, evictEveryMs, TimeUnit.MILLISECONDS);

    if (cluster != null) {
      // Registered before connect, which merges the peers' state into them: the monitors are
      // loaded by now (a joiner adopts alert state into them), the scheduler not yet started.
      cluster.register(new ReplicatedSilences(cluster, silences));
      ServerConfig.ShardMonitors shard = config.cluster().shardMonitors();
      cluster.register(MonitorSharding.attach(cluster, engine, shard == null ? 0 : shard.replicas()));
      cluster.connect();
    }

    // Only now, with the window back, do exports get in and monitors run.
    IngestLimiter limiter = new IngestLimiter(limits.maxInflightRequests());
    IngestMetrics ingestMetrics = new IngestMetrics(registry);
    OtlpIngest ingest = new OtlpIngest(new MetricsTranslator(store, clock, limits.labels()), limiter, ingestMetrics);
    grpc = OtlpGrpcServer.start(config.listen().otlpGrpc().toSocketAddress(), (int) limits.maxRequestBytes(),
        limits.requestReadTimeout(), ingest);
    closeables.push(grpc);
    otlpHttp = OtlpHttpServer.start(config.listen().otlpHttp().toSocketAddress(), limits.maxRequestBytes(),
        limits.requestReadTimeout(), ingest);
    closeables.push(otlpHttp);
    remoteWrite = new RemoteWriteReceiver(store, clock, limits.labels(), config.remoteWriteKinds(), limiter,
        ingestMetrics, limits.maxRequestBytes(), limits.requestReadTimeout());
    closeables.push(() -> remoteWrite = null);
    engine.receivingSince(clock.millis());
    if (schedule) {
      notifications.start();
      MonitorScheduler scheduler = MonitorScheduler.start(engine, clock);
      closeables.push(scheduler);
      rules.watchFiles();
      rules.reloadOnSighup();
    } else {
      closeables.push(engine::persistIfChanged);
    }

    log.info("OTLP/gRPC listening on {}:{}", config.listen().otlpGrpc().host(), grpc.port());
    log.info("OTLP/HTTP listening on {}:{} (POST /v1/metrics)", config.listen().otlpHttp().host(), otlpHttp.port());
    log.info("REST API and /metrics listening on {}:{}", config.listen().http().host(), api.port());
    log.info("store: retention {}, at most {} series ({} per metric); data dir {}",
        Durations.format(store.retention()), limits.maxSeries(), limits.maxSeriesPerMetric(),
        config.dataDir());
    ready = true;
  }

  /**
   * Links in notifications lead to {@code external_url}; left at localhost, nobody who receives
   * them elsewhere can open them. Said once at start, when a channel reaches people (not only the
   * log, as in {@code tocsin demo}, where localhost is right).
   */
  static void warnIfLinksPointAtLocalhost(String externalUrl, List<ChannelDeclaration> channels) {
    String host = URI.create(externalUrl).getHost();
    boolean local = host == null || host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    if (local && channels.stream().anyMatch(c -> !c.type().equals("log"))) {
      log.warn("external_url is {}: links in notifications point at localhost, which the people who receive them "
          + "cannot open; set external_url in tocsin.yml to the address they reach Tocsin at", externalUrl);
    }
  }

  /** The alerts restored as firing, by fingerprint, with the labels notifications carry. */
  private static Map<String, Map<String, String>> firingAlerts(MonitorEngine engine) {
    Map<String, Map<String, String>> firing = new HashMap<>();
    for (MonitorStatus status : engine.alerting()) {
      MonitorDefinition monitor = status.definition();
      for (GroupState group : status.groups()) {
        if (group.state() == GroupState.State.FIRING) {
          Map<String, String> labels = new TreeMap<>(monitor.labels());
          labels.putAll(group.labels().asMap());
          labels.put("alertname", monitor.name());
          if (group.severity() != null) {
            labels.put("severity", group.severity());
          }
          firing.put(AlertEvent.fingerprint(monitor.id(), group.labels()), labels);
        }
      }
    }
    return firing;
  }

  /** A data directory that cannot be written is a startup error, not a surprise at the first write. */
  private static void checkWritable(Path dataDir) throws IOException {
    try {
      Files.createDirectories(dataDir);
      Path probe = Files.createTempFile(dataDir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new IOException("data_dir " + dataDir + " cannot be written: " + e, e);
    }
  }

  /** Why the service is not ready, or null: still starting, or monitor evaluation behind schedule. */
  /** Remote write is answered, like OTLP, only once the store's window is back. */
  private void receiveRemoteWrite(Context ctx) {
    RemoteWriteReceiver receiver = remoteWrite;
    if (receiver == null) {
      ctx.status(503).header("Retry-After", "1").result("Tocsin is starting or stopping; retry later\n");
      return;
    }
    receiver.handle(ctx);
  }

  private String notReady() {
    return ready ? engine.behindSchedule(clock.millis()) : "starting";
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

  /** What keeps the store across restarts; null with {@code store.wal.enabled: false}. */
  public DurableStore durableStore() {
    return durable;
  }

  public MonitorEngine engine() {
    return engine;
  }

  /**
   * Evaluates the monitors due at the clock's time and delivers the notifications that are due;
   * for tests that drive time themselves.
   */
  public void evaluateMonitors() {
    engine.evaluateDue(clock.millis());
    notifications.deliverDue();
    engine.persistIfChanged();
  }

  /** This member of the cluster; null without a {@code cluster:} section. */
  public Cluster cluster() {
    return cluster;
  }

  public NotificationDispatcher notifications() {
    return notifications;
  }

  public Silences silences() {
    return silences;
  }

  private final Clock clock;

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

  /** The HTTP server, for tests that look at its routes. */
  public ApiServer api() {
    return api;
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
