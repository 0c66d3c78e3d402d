package io.tocsin.config;

import io.tocsin.datasource.DatasourceSettings;
import io.tocsin.ingest.LabelLimits;
import io.tocsin.store.MetricKind;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.yaml.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The server configuration ({@code tocsin.yml}), validated and immutable. Relative paths are
 * resolved against {@link #baseDir}, the directory of the file (or the working directory when
 * the embedded defaults are used).
 *
 * @param ruleFiles glob patterns of rule files
 * @param externalUrl the base of links in notifications
 * @param smtp outgoing mail settings, or null when not configured
 * @param retention how long the store keeps samples
 * @param notifications how notifications are delivered
 * @param wal the store's write-ahead log ({@code store.wal})
 * @param cluster the replicas this server shares state with, or null: a single process
 * @param remoteWriteKinds {@code ingest.remote_write.kinds}: the kind of a remote-written metric by
 *     name, over its metadata and the suffix rules
 * @param datasources Prometheus-compatible stores monitors may be evaluated against
 */
public record ServerConfig(
    Path baseDir,
    List<String> ruleFiles,
    Path dataDir,
    String externalUrl,
    Listen listen,
    Api api,
    Smtp smtp,
    Limits limits,
    Duration retention,
    Notifications notifications,
    Query query,
    WalSettings wal,
    Cluster cluster,
    Map<String, MetricKind> remoteWriteKinds,
    List<DatasourceSettings> datasources) {

  /** Where each server listens. */
  public record Listen(HostPort otlpGrpc, HostPort otlpHttp, HostPort http) {
    public static final Listen DEFAULT = new Listen(
        new HostPort("0.0.0.0", 4317), new HostPort("0.0.0.0", 4318), new HostPort("0.0.0.0", 8080));
  }

  /**
   * REST API settings.
   *
   * @param token when set, the bearer token that changes (POST, PUT, DELETE) require
   * @param protectReads whether reads need the token too (the health probes never do)
   */
  public record Api(Secret token, boolean protectReads) {
    public static final Api OPEN = new Api(Secret.NONE, false);
  }

  /** Outgoing mail; {@code tls} is implicit TLS (port 465), {@code starttls} upgrades a plain connection. */
  public record Smtp(String host, int port, String username, Secret password, boolean starttls, boolean tls, String from) {}

  /**
   * Resource limits.
   *
   * @param maxRequestBytes largest OTLP request accepted, after decompression
   * @param maxInflightRequests OTLP requests processed at once; more are refused with "retry later"
   * @param requestReadTimeout how long an OTLP/HTTP body may take to arrive (and a new gRPC
   *     connection to start HTTP/2)
   * @param maxLabelNameLength longest label key, in characters, after normalisation
   * @param maxLabelValueLength longest label value (and metric name), in characters
   * @param maxLabelsPerSeries labels of a series: resource and point attributes after merging
   * @param maxAttributesPerPoint attributes of one data point as sent, before merging
   */
  public record Limits(int maxSeries, int maxSeriesPerMetric, long maxRequestBytes, int maxInflightRequests,
      Duration requestReadTimeout, int maxLabelNameLength, int maxLabelValueLength, int maxLabelsPerSeries,
      int maxAttributesPerPoint) {
    /** Label defaults: see {@link LabelLimits#DEFAULT} for why. */
    public static final Limits DEFAULT = new Limits(2_000_000, 200_000, 64L << 20, 32);

    /** These series and request limits, with the default read timeout and label limits. */
    public Limits(int maxSeries, int maxSeriesPerMetric, long maxRequestBytes, int maxInflightRequests) {
      this(maxSeries, maxSeriesPerMetric, maxRequestBytes, maxInflightRequests, Duration.ofSeconds(30),
          LabelLimits.DEFAULT.maxNameLength(), LabelLimits.DEFAULT.maxValueLength(),
          LabelLimits.DEFAULT.maxLabelsPerSeries(), LabelLimits.DEFAULT.maxAttributesPerPoint());
    }

    public LabelLimits labels() {
      return new LabelLimits(maxLabelNameLength, maxLabelValueLength, maxLabelsPerSeries, maxAttributesPerPoint);
    }

    public Limits withRequestReadTimeout(Duration timeout) {
      return new Limits(maxSeries, maxSeriesPerMetric, maxRequestBytes, maxInflightRequests, timeout,
          maxLabelNameLength, maxLabelValueLength, maxLabelsPerSeries, maxAttributesPerPoint);
    }
  }

  /**
   * Delivery settings.
   *
   * @param giveUpAfter how long a notification is retried before it is dropped (and logged)
   * @param requestTimeout how long one request to a channel may take before it counts as failed
   */
  public record Notifications(Duration giveUpAfter, Duration requestTimeout) {
    public static final Notifications DEFAULT = new Notifications(Duration.ofHours(24), Duration.ofSeconds(10));
  }

  /**
   * Limits of ad-hoc queries ({@code POST /api/v1/query}, monitor charts); monitors have none.
   *
   * @param maxPointsScanned samples one query may read from the store
   * @param maxResultPoints groups × buckets one query may build, intermediate results included
   * @param timeout how long one query may take, waiting in the queue included
   * @param maxConcurrent queries evaluated at once, on threads of their own
   * @param maxQueued queries waiting for one of those threads; more are refused with 503
   */
  public record Query(int maxPointsScanned, int maxResultPoints, Duration timeout, int maxConcurrent, int maxQueued) {
    public static final Query DEFAULT = new Query(50_000_000, 500_000, Duration.ofSeconds(30), 1, 4);
  }

  /**
   * High availability ({@code cluster:}): replicas that share the notification log, silences and,
   * with sharding, monitor state.
   *
   * @param name the cluster's name: only members with the same name form a cluster
   * @param bind the address cluster traffic is received on; also this member's name
   * @param members the static member list (may include this member), or empty with {@code dns}
   * @param dns a DNS name (a Kubernetes headless Service) whose A records are the members, or null
   * @param secret authenticates members and encrypts traffic; {@link Secret#NONE} for neither
   * @param peerTimeout how long a silent member stays in the view; also the notification delay
   *     per view position
   * @param shardMonitors null to evaluate every monitor on every member
   */
  public record Cluster(String name, HostPort bind, List<HostPort> members, String dns, Secret secret,
      Duration peerTimeout, ShardMonitors shardMonitors) {
    public static final String DEFAULT_NAME = "tocsin";
    public static final HostPort DEFAULT_BIND = new HostPort("0.0.0.0", 7800);
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(15);

    public Cluster {
      members = List.copyOf(members);
    }
  }

  /** {@code cluster.shard_monitors}: each monitor is evaluated on {@code replicas} members. */
  public record ShardMonitors(int replicas) {}

  public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);

  /** The embedded defaults: rules from {@code rules/*.yml}, data in {@code ./data}, standard ports. */
  public static ServerConfig defaults(Path baseDir) {
    return new ServerConfig(baseDir, List.of("rules/*.yml"), baseDir.resolve("data"),
        "http://localhost:8080", Listen.DEFAULT, Api.OPEN, null, Limits.DEFAULT, DEFAULT_RETENTION,
        Notifications.DEFAULT, Query.DEFAULT, WalSettings.DEFAULT, null, Map.of(), List.of());
  }

  public ServerConfig withListen(Listen newListen) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, newListen, api, smtp, limits, retention, notifications, query, wal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withDataDir(Path newDataDir) {
    return new ServerConfig(baseDir, ruleFiles, newDataDir, externalUrl, listen, api, smtp, limits, retention, notifications, query, wal, cluster, remoteWriteKinds, datasources);
  }

  /** Rule globs relative to {@code newBaseDir} (which other relative paths were already resolved against). */
  public ServerConfig withRuleFiles(Path newBaseDir, List<String> newRuleFiles) {
    return new ServerConfig(newBaseDir, newRuleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, notifications, query, wal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withApi(Api newApi) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, newApi, smtp, limits, retention, notifications, query, wal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withSmtp(Smtp newSmtp) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, newSmtp, limits, retention, notifications, query, wal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withNotifications(Notifications newNotifications) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, newNotifications, query, wal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withQuery(Query newQuery) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, notifications,
        newQuery, wal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withWal(WalSettings newWal) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, notifications, query,
        newWal, cluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withCluster(Cluster newCluster) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, notifications, query,
        wal, newCluster, remoteWriteKinds, datasources);
  }

  public ServerConfig withRemoteWriteKinds(Map<String, MetricKind> newKinds) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, notifications, query,
        wal, cluster, Map.copyOf(newKinds), datasources);
  }

  public ServerConfig withDatasources(List<DatasourceSettings> newDatasources) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, limits, retention, notifications, query,
        wal, cluster, remoteWriteKinds, List.copyOf(newDatasources));
  }

  public ServerConfig withLimits(Limits newLimits) {
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listen, api, smtp, newLimits, retention, notifications, query, wal, cluster, remoteWriteKinds, datasources);
  }
}
