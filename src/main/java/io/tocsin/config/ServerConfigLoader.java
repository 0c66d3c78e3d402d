package io.tocsin.config;

import io.tocsin.config.ServerConfig.Api;
import io.tocsin.config.ServerConfig.Cluster;
import io.tocsin.config.ServerConfig.Limits;
import io.tocsin.config.ServerConfig.Listen;
import io.tocsin.config.ServerConfig.Notifications;
import io.tocsin.config.ServerConfig.Query;
import io.tocsin.config.ServerConfig.ShardMonitors;
import io.tocsin.config.ServerConfig.Smtp;
import io.tocsin.store.MetricKind;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.store.wal.WalSettings.Fsync;
import io.tocsin.util.Durations;
import io.tocsin.yaml.ConfigError;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.MappingReader;
import io.tocsin.datasource.DatasourceSettings;
import io.tocsin.yaml.Secret;
import io.tocsin.yaml.YamlNode;
import io.tocsin.yaml.YamlReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Reads and validates {@code tocsin.yml}, reporting every problem at once. */
public final class ServerConfigLoader {
  private static final Set<String> TOP = Set.of(
      "rule_files", "data_dir", "external_url", "listen", "api", "smtp", "limits", "store", "notifications", "query", "cluster",
      "ingest", "datasources");
  private static final Set<String> INGEST = Set.of("remote_write");
  private static final Set<String> REMOTE_WRITE = Set.of("kinds");
  private static final Set<String> CLUSTER = Set.of(
      "name", "bind", "members", "dns", "secret", "peer_timeout", "shard_monitors");
  private static final Set<String> SHARD_MONITORS = Set.of("replicas");
  private static final Set<String> LISTEN = Set.of("otlp_grpc", "otlp_http", "http");
  private static final Set<String> API = Set.of("token", "protect_reads");
  private static final Set<String> SMTP = Set.of("host", "port", "username", "password", "starttls", "tls", "from");
  private static final Set<String> LIMITS = Set.of(
      "max_series", "max_series_per_metric", "max_request_bytes", "max_inflight_requests", "request_read_timeout",
      "max_label_name_length", "max_label_value_length", "max_labels_per_series", "max_attributes_per_point");
  private static final Set<String> STORE = Set.of("retention", "wal", "snapshot_interval");
  private static final Set<String> WAL = Set.of("enabled", "fsync", "fsync_interval", "segment_size");
  private static final Set<String> NOTIFICATIONS = Set.of("give_up_after", "request_timeout");
  private static final Set<String> QUERY = Set.of(
      "max_points_scanned", "max_result_points", "timeout", "max_concurrent", "max_queued");

  private final Function<String, String> env;

  public ServerConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  public ServerConfig load(Path file) throws ConfigException {
    String text = YamlReader.readFile(file, "config file");
    Path baseDir = file.toAbsolutePath().getParent();
    return parse(file.toString(), text, baseDir);
  }

  public ServerConfig parse(String fileName, String text, Path baseDir) throws ConfigException {
    List<ConfigError> errors = new ArrayList<>();
    YamlNode root = new YamlReader(env).read(fileName, text, errors);
    ServerConfig defaults = ServerConfig.defaults(baseDir);
    MappingReader top = MappingReader.of(root, "", TOP, errors);

    List<String> ruleFiles = top.strings("rule_files", defaults.ruleFiles());
    Path dataDir = baseDir.resolve(top.string("data_dir", "data"));
    String externalUrl = top.string("external_url", defaults.externalUrl());
    if (!externalUrl.startsWith("http://") && !externalUrl.startsWith("https://")) {
      top.error(top.node("external_url"), "external_url must start with http:// or https://, got \"" + externalUrl + "\"");
    }

    MappingReader listen = top.mapping("listen", LISTEN);
    Listen listenConfig = new Listen(
        address(listen, "otlp_grpc", Listen.DEFAULT.otlpGrpc()),
        address(listen, "otlp_http", Listen.DEFAULT.otlpHttp()),
        address(listen, "http", Listen.DEFAULT.http()));

    MappingReader api = top.mapping("api", API);
    Api apiConfig = new Api(Secret.of(api.string("token", "")), api.bool("protect_reads", false));
    if (apiConfig.protectReads() && apiConfig.token().isEmpty()) {
      api.error(api.node("protect_reads"), "api.protect_reads needs api.token");
    }

    Smtp smtp = null;
    if (top.has("smtp")) {
      MappingReader s = top.mapping("smtp", SMTP);
      if (!s.has("host")) {
        errors.add(new ConfigError(s.mark(), "smtp.host is required"));
      }
      boolean tls = s.bool("tls", false);
      smtp = new Smtp(s.string("host", ""), s.integer("port", tls ? 465 : 587, 1), s.string("username", ""),
          Secret.of(s.string("password", "")), s.bool("starttls", !tls), tls, s.string("from", ""));
    }

    MappingReader limits = top.mapping("limits", LIMITS);
    Limits limitsConfig = new Limits(
        limits.integer("max_series", Limits.DEFAULT.maxSeries(), 1),
        limits.integer("max_series_per_metric", Limits.DEFAULT.maxSeriesPerMetric(), 1),
        limits.byteSize("max_request_bytes", Limits.DEFAULT.maxRequestBytes()),
        limits.integer("max_inflight_requests", Limits.DEFAULT.maxInflightRequests(), 1),
        limits.duration("request_read_timeout", Limits.DEFAULT.requestReadTimeout()),
        limits.integer("max_label_name_length", Limits.DEFAULT.maxLabelNameLength(), 1),
        limits.integer("max_label_value_length", Limits.DEFAULT.maxLabelValueLength(), 1),
        limits.integer("max_labels_per_series", Limits.DEFAULT.maxLabelsPerSeries(), 1),
        limits.integer("max_attributes_per_point", Limits.DEFAULT.maxAttributesPerPoint(), 1));
    if (limitsConfig.requestReadTimeout().compareTo(Duration.ofSeconds(1)) < 0) {
      limits.error(limits.node("request_read_timeout"), "limits.request_read_timeout must be at least 1s, got "
          + Durations.format(limitsConfig.requestReadTimeout()));
    }
    if (limitsConfig.maxRequestBytes() > Integer.MAX_VALUE - 8) {
      limits.error(limits.node("max_request_bytes"), "limits.max_request_bytes must be below 2GiB");
    }

    MappingReader store = top.mapping("store", STORE);
    Duration retention = store.duration("retention", ServerConfig.DEFAULT_RETENTION);
    if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
      store.error(store.node("retention"), "store.retention must be at least 1m, got " + Durations.format(retention));
    }
    WalSettings wal = wal(store.mapping("wal", WAL));
    Duration snapshotInterval = store.duration("snapshot_interval", WalSettings.DEFAULT_SNAPSHOT_INTERVAL);
    if (snapshotInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      store.error(store.node("snapshot_interval"), "store.snapshot_interval must be at least 1s, got "
          + Durations.format(snapshotInterval));
      snapshotInterval = WalSettings.DEFAULT_SNAPSHOT_INTERVAL;
    }
    WalSettings walConfig = wal.withSnapshotInterval(snapshotInterval);

    MappingReader notifications = top.mapping("notifications", NOTIFICATIONS);
    Notifications notificationsConfig = new Notifications(
        positive(notifications, "give_up_after", Notifications.DEFAULT.giveUpAfter()),
        positive(notifications, "request_timeout", Notifications.DEFAULT.requestTimeout()));

    MappingReader query = top.mapping("query", QUERY);
    Query queryConfig = new Query(
        query.integer("max_points_scanned", Query.DEFAULT.maxPointsScanned(), 1),
        query.integer("max_result_points", Query.DEFAULT.maxResultPoints(), 1),
        query.duration("timeout", Query.DEFAULT.timeout()),
        query.integer("max_concurrent", Query.DEFAULT.maxConcurrent(), 1),
        query.integer("max_queued", Query.DEFAULT.maxQueued(), 0));
    if (queryConfig.timeout().compareTo(Duration.ofSeconds(1)) < 0) {
      query.error(query.node("timeout"), "query.timeout must be at least 1s, got "
          + Durations.format(queryConfig.timeout()));
    }

    Cluster cluster = top.has("cluster") ? cluster(top.mapping("cluster", CLUSTER), errors) : null;
    List<DatasourceSettings> datasources = DatasourcesLoader.read(top.node("datasources"), errors);

    Map<String, MetricKind> remoteWriteKinds =
        remoteWriteKinds(top.mapping("ingest", INGEST).mapping("remote_write", REMOTE_WRITE), errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new ServerConfig(baseDir, ruleFiles, dataDir, externalUrl, listenConfig, apiConfig, smtp, limitsConfig, retention,
        notificationsConfig, queryConfig, walConfig, cluster, remoteWriteKinds, datasources);
  }

  /** {@code kinds: {metric_name: counter|gauge}}: metric names as sent, kinds a counter or a gauge. */
  private static Map<String, MetricKind> remoteWriteKinds(MappingReader remoteWrite, List<ConfigError> errors) {
    YamlNode node = remoteWrite.node("kinds");
    if (node == null || node instanceof YamlNode.Scalar scalar && scalar.isNull()) {
      return Map.of();
    }
    if (!(node instanceof YamlNode.Mapping mapping)) {
      remoteWrite.error(node, "ingest.remote_write.kinds must map metric names to counter or gauge, got "
          + node.describe());
      return Map.of();
    }
    Map<String, MetricKind> kinds = new LinkedHashMap<>();
    for (YamlNode.Entry entry : mapping.entries().values()) {
      String text = entry.value() instanceof YamlNode.Scalar scalar ? scalar.text() : null;
      MetricKind kind = "counter".equals(text) ? MetricKind.COUNTER : "gauge".equals(text) ? MetricKind.GAUGE : null;
      if (kind == null) {
        errors.add(new ConfigError(entry.value().mark(), "ingest.remote_write.kinds." + entry.key()
            + " must be counter or gauge, got " + (text == null ? entry.value().describe() : "\"" + text + "\"")));
      } else {
        kinds.put(entry.key(), kind);
      }
    }
    return Map.copyOf(kinds);
  }

  private static Cluster cluster(MappingReader cluster, List<ConfigError> errors) {
    String name = cluster.string("name", Cluster.DEFAULT_NAME).trim();
    if (name.isEmpty()) {
      cluster.error(cluster.node("name"), "cluster.name must not be empty");
      name = Cluster.DEFAULT_NAME;
    }
    HostPort bind = Cluster.DEFAULT_BIND;
    String bindText = cluster.string("bind", null);
    if (bindText != null) {
      bind = clusterAddress(cluster, cluster.node("bind"), "cluster.bind", bindText, bind);
    }
    List<HostPort> members = new ArrayList<>();
    YamlNode membersNode = cluster.node("members");
    if (membersNode instanceof YamlNode.Sequence list) {
      for (YamlNode item : list.items()) {
        if (item instanceof YamlNode.Scalar s && !s.isNull()) {
          HostPort member = clusterAddress(cluster, item, "cluster.members", s.text(), null);
          if (member != null) {
            members.add(member);
          }
        } else {
          cluster.error(item, "cluster.members must list host:port addresses, got " + item.describe());
        }
      }
    } else if (membersNode != null) {
      cluster.error(membersNode, "cluster.members must be a list of host:port addresses, got " + membersNode.describe());
    }
    String dns = cluster.string("dns", null);
    if (dns != null && dns.isBlank()) {
      cluster.error(cluster.node("dns"), "cluster.dns must not be empty");
    }
    if (membersNode != null && dns != null) {
      cluster.error(cluster.node("dns"), "cluster: give either members or dns, not both");
    } else if (membersNode == null && dns == null) {
      errors.add(new ConfigError(cluster.mark(), "cluster needs members (a list of host:port) or dns (a headless service name)"));
    }
    Duration peerTimeout = cluster.duration("peer_timeout", Cluster.DEFAULT_PEER_TIMEOUT);
    if (peerTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      cluster.error(cluster.node("peer_timeout"), "cluster.peer_timeout must be at least 1s, got "
          + Durations.format(peerTimeout));
      peerTimeout = Cluster.DEFAULT_PEER_TIMEOUT;
    }
    ShardMonitors shard = null;
    if (cluster.has("shard_monitors")) {
      MappingReader s = cluster.mapping("shard_monitors", SHARD_MONITORS);
      if (!s.has("replicas")) {
        s.error(cluster.node("shard_monitors"), "cluster.shard_monitors.replicas is required");
      }
      shard = new ShardMonitors(s.integer("replicas", 1, 1));
    }
    return new Cluster(name, bind, members, dns == null ? null : dns.trim(), Secret.of(cluster.string("secret", "")),
        peerTimeout, shard);
  }

  /** Members find each other by address, so a cluster address needs a real port. */
  private static HostPort clusterAddress(MappingReader reader, YamlNode at, String key, String text, HostPort fallback) {
    try {
      HostPort address = HostPort.parse(text);
      if (address.port() != 0) {
        return address;
      }
      reader.error(at, key + ": port 0 is not allowed: members find each other by address, got \"" + text + "\"");
    } catch (IllegalArgumentException e) {
      reader.error(at, key + ": " + e.getMessage().replace("0.0.0.0:4317", "10.0.0.1:7800"));
    }
    return fallback;
  }

  private static WalSettings wal(MappingReader wal) {
    WalSettings defaults = WalSettings.DEFAULT;
    Fsync fsync = defaults.fsync();
    String mode = wal.string("fsync", null);
    if (mode != null) {
      fsync = switch (mode) {
        case "interval" -> Fsync.INTERVAL;
        case "always" -> Fsync.ALWAYS;
        case "off" -> Fsync.OFF;
        default -> {
          wal.error(wal.node("fsync"), "store.wal.fsync must be interval, always or off, got \"" + mode + "\"");
          yield defaults.fsync();
        }
      };
    }
    Duration interval = wal.duration("fsync_interval", defaults.fsyncInterval());
    if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
      wal.error(wal.node("fsync_interval"), "store.wal.fsync_interval must be between 10ms and 1m, got "
          + Durations.format(interval));
      interval = defaults.fsyncInterval();
    }
    long segmentBytes = wal.byteSize("segment_size", defaults.segmentBytes());
    if (segmentBytes < WalSettings.MIN_SEGMENT_BYTES || segmentBytes > WalSettings.MAX_SEGMENT_BYTES) {
      wal.error(wal.node("segment_size"), "store.wal.segment_size must be between 64KiB and 1GiB, got \""
          + wal.string("segment_size", "") + "\"");
      segmentBytes = defaults.segmentBytes();
    }
    return new WalSettings(wal.bool("enabled", defaults.enabled()), fsync, interval, segmentBytes,
        defaults.snapshotInterval());
  }

  private static Duration positive(MappingReader reader, String key, Duration defaultValue) {
    Duration d = reader.duration(key, defaultValue);
    if (d.isNegative() || d.isZero()) {
      reader.error(reader.node(key), "notifications." + key + " must be positive");
      return defaultValue;
    }
    return d;
  }

  private static HostPort address(MappingReader reader, String key, HostPort defaultValue) {
    String text = reader.string(key, null);
    if (text == null) {
      return defaultValue;
    }
    try {
      return HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      reader.error(reader.node(key), "listen." + key + ": " + e.getMessage());
      return defaultValue;
    }
  }
}
