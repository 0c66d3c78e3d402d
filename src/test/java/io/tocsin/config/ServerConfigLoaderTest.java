package io.tocsin.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.datasource.DatasourceSettings;
import io.tocsin.ingest.LabelLimits;
import io.tocsin.store.MetricKind;
import io.tocsin.store.wal.WalSettings;
import io.tocsin.store.wal.WalSettings.Fsync;
import io.tocsin.yaml.ConfigException;
import io.tocsin.yaml.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {
  private static final Path BASE = Path.of("/etc/tocsin");
  private final Map<String, String> env = Map.of("SMTP_PASSWORD", "hunter2");
  private final ServerConfigLoader loader = new ServerConfigLoader(env::get);

  private static String fixture(String name) throws IOException {
    try (InputStream in = ServerConfigLoaderTest.class.getResourceAsStream("/config/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void parse_everyKey_readsTypedValuesAndResolvesPathsAgainstTheFile() throws Exception {
    ServerConfig config = loader.parse("full.yml", fixture("full.yml"), BASE);

    assertThat(config.ruleFiles()).containsExactly("rules/*.yml", "more/*.yaml");
    assertThat(config.dataDir()).isEqualTo(BASE.resolve("state"));
    assertThat(config.externalUrl()).isEqualTo("https://tocsin.example.com");
    assertThat(config.listen()).isEqualTo(new ServerConfig.Listen(
        new HostPort("127.0.0.1", 14317), new HostPort("0.0.0.0", 14318), new HostPort("::1", 18080)));
    assertThat(config.api().token().isEmpty()).isTrue();
    assertThat(config.smtp()).isEqualTo(new ServerConfig.Smtp("smtp.example.com", 2525, "alerts",
        Secret.of("hunter2"), true, false, "alerts@example.com"));
    assertThat(config.limits()).isEqualTo(new ServerConfig.Limits(1000, 100, 1 << 20, 4));
    assertThat(config.retention()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void toString_neverShowsSecrets() throws Exception {
    ServerConfig config = loader.parse("full.yml", fixture("full.yml"), BASE);
    assertThat(config.toString()).doesNotContain("hunter2").contains("password=<redacted>");
  }

  @Test
  void parse_emptyFile_givesTheEmbeddedDefaults() throws Exception {
    assertThat(loader.parse("empty.yml", "", BASE)).isEqualTo(ServerConfig.defaults(BASE));
  }

  @Test
  void parse_manyProblems_reportsEveryOneWithFileLineAndColumn() throws Exception {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> loader.parse("errors.yml", fixture("errors.yml"), BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "errors.yml:1:1: unknown key \"rule_file\", did you mean 'rule_files'?",
        "errors.yml:3:14: listen.otlp_grpc: expected host:port such as 0.0.0.0:4317, got \"localhost\"",
        "errors.yml:4:3: unknown key \"htp\" in listen, did you mean 'http'?",
        "errors.yml:6:15: limits.max_series must be a whole number of at least 1, got \"lots\"",
        "errors.yml:7:22: limits.max_request_bytes must be a positive byte count such as 67108864 or 64MiB, got \"-5\"",
        "errors.yml:9:14: store.retention: invalid duration \"90x\"; expected e.g. 30s, 5m, 1h30m",
        "errors.yml:11:3: smtp.host is required",
        "errors.yml:13:10: environment variable UNSET_TOKEN is not set; set it, or give a default as ${UNSET_TOKEN:-default}");
    assertThat(e.errors()).hasSize(8);
  }

  @Test
  void parse_querySection_readsTheAdHocLimits() throws Exception {
    ServerConfig config = loader.parse("q.yml", "query: {max_points_scanned: 1000, max_result_points: 100, "
        + "timeout: 5s, max_concurrent: 2, max_queued: 0}", BASE);

    assertThat(config.query()).isEqualTo(new ServerConfig.Query(1000, 100, Duration.ofSeconds(5), 2, 0));
    assertThat(ServerConfig.defaults(BASE).query())
        .isEqualTo(new ServerConfig.Query(50_000_000, 500_000, Duration.ofSeconds(30), 1, 4));
  }

  @Test
  void parse_remoteWriteKinds_readsCountersAndGauges() throws Exception {
    ServerConfig config = loader.parse("i.yml",
        "ingest:\n  remote_write:\n    kinds:\n      queue_depth_total: gauge\n      errors: counter\n", BASE);

    assertThat(config.remoteWriteKinds())
        .isEqualTo(Map.of("queue_depth_total", MetricKind.GAUGE, "errors", MetricKind.COUNTER));
    assertThat(loader.parse("i.yml", "", BASE).remoteWriteKinds()).isEmpty();
  }

  @Test
  void parse_badRemoteWriteKinds_areErrorsWithTheirPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("i.yml",
        "ingest:\n  remote_write:\n    kinds:\n      a: histogram\n      b: [gauge]\n    kind: {}\n", BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "i.yml:4:10: ingest.remote_write.kinds.a must be counter or gauge, got \"histogram\"",
        "i.yml:5:10: ingest.remote_write.kinds.b must be counter or gauge, got a list",
        "i.yml:6:5: unknown key \"kind\" in ingest.remote_write, did you mean 'kinds'?");
  }

  @Test
  void parse_badQueryLimits_areErrorsWithTheirPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("q.yml",
        "query:\n  max_result_points: 0\n  timeout: 10ms\n  max_concurent: 2\n", BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "q.yml:2:22: query.max_result_points must be a whole number of at least 1, got \"0\"",
        "q.yml:3:12: query.timeout must be at least 1s, got 10ms",
        "q.yml:4:3: unknown key \"max_concurent\" in query, did you mean 'max_concurrent'?");
  }

  @Test
  void parse_clusterSection_readsEveryKey_withTheSecretFromTheEnvironment() throws Exception {
    ServerConfigLoader withSecret = new ServerConfigLoader(Map.of("TOCSIN_CLUSTER_SECRET", "s3cret")::get);
    ServerConfig config = withSecret.parse("c.yml", """
        cluster:
          name: alerts
          bind: 10.0.0.1:7801
          members: [10.0.0.1:7801, "10.0.0.2:7801"]
          secret: ${TOCSIN_CLUSTER_SECRET}
          peer_timeout: 5s
          shard_monitors: {replicas: 2}
        """, BASE);

    assertThat(config.cluster()).isEqualTo(new ServerConfig.Cluster("alerts", new HostPort("10.0.0.1", 7801),
        List.of(new HostPort("10.0.0.1", 7801), new HostPort("10.0.0.2", 7801)), null, Secret.of("s3cret"),
        Duration.ofSeconds(5), new ServerConfig.ShardMonitors(2)));
    assertThat(config.toString()).doesNotContain("s3cret");
  }

  @Test
  void parse_clusterWithDns_takesTheDefaultsForTheRest() throws Exception {
    ServerConfig config = loader.parse("c.yml", "cluster: {dns: tocsin-headless.monitoring.svc.cluster.local}", BASE);

    assertThat(config.cluster()).isEqualTo(new ServerConfig.Cluster("tocsin", new HostPort("0.0.0.0", 7800), List.of(),
        "tocsin-headless.monitoring.svc.cluster.local", Secret.NONE, Duration.ofSeconds(15), null));
  }

  @Test
  void parse_noClusterSection_isASingleProcess() throws Exception {
    assertThat(loader.parse("c.yml", "data_dir: d", BASE).cluster()).isNull();
  }

  @Test
  void parse_badCluster_isAnErrorAtEachPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("c.yml", """
        cluster:
          name: ""
          bind: 10.0.0.1
          members: [10.0.0.2:7800, "10.0.0.3", {host: x}]
          dns: tocsin
          peer_timeout: 100ms
          shard_monitors: {replicas: 0, replica: 2}
          secrets: x
        """, BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "c.yml:2:9: cluster.name must not be empty",
        "c.yml:3:9: cluster.bind: expected host:port such as 10.0.0.1:7800, got \"10.0.0.1\"",
        "c.yml:4:28: cluster.members: expected host:port such as 10.0.0.1:7800, got \"10.0.0.3\"",
        "c.yml:4:40: cluster.members must list host:port addresses, got a mapping",
        "c.yml:5:8: cluster: give either members or dns, not both",
        "c.yml:6:17: cluster.peer_timeout must be at least 1s, got 100ms",
        "c.yml:7:30: cluster.shard_monitors.replicas must be a whole number of at least 1, got \"0\"",
        "c.yml:7:33: unknown key \"replica\" in cluster.shard_monitors, did you mean 'replicas'?",
        "c.yml:8:3: unknown key \"secrets\" in cluster, did you mean 'secret'?");
  }

  @Test
  void parse_clusterWithoutMembersOrDns_orWithPortZero_isAnError() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("c.yml", """
        cluster:
          bind: 127.0.0.1:0
        """, BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "c.yml:2:3: cluster needs members (a list of host:port) or dns (a headless service name)",
        "c.yml:2:9: cluster.bind: port 0 is not allowed: members find each other by address, got \"127.0.0.1:0\"");
  }

  @Test
  void parse_storeWal_readsTheLogSettings() throws Exception {
    ServerConfig config = loader.parse("wal.yml",
        "store:\n  wal: {enabled: true, fsync: always, fsync_interval: 200ms, segment_size: 64KiB}\n"
            + "  snapshot_interval: 10m\n", BASE);

    assertThat(config.wal()).isEqualTo(new WalSettings(true, Fsync.ALWAYS, Duration.ofMillis(200),
        64 << 10, Duration.ofMinutes(10)));
    assertThat(loader.parse("plain.yml", "store: {wal: {segment_size: 1073741824}}", BASE).wal().segmentBytes())
        .isEqualTo(1L << 30);
    assertThat(loader.parse("off.yml", "store: {wal: {enabled: false}}", BASE).wal().enabled()).isFalse();
    assertThat(ServerConfig.defaults(BASE).wal()).isEqualTo(new WalSettings(true, Fsync.INTERVAL, Duration.ofSeconds(1),
        128L << 20, Duration.ofMinutes(5)));
  }

  @Test
  void parse_badStoreWal_isAnErrorWithItsPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("wal.yml",
        "store:\n  wal:\n    fsync: sometimes\n    fsync_interval: 5ms\n    enabled: maybe\n    fsnyc: off\n"
            + "    segment_size: 64000\n  snapshot_interval: 100ms\n", BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "wal.yml:3:12: store.wal.fsync must be interval, always or off, got \"sometimes\"",
        "wal.yml:4:21: store.wal.fsync_interval must be between 10ms and 1m, got 5ms",
        "wal.yml:5:14: store.wal.enabled must be true or false, got \"maybe\"",
        "wal.yml:6:5: unknown key \"fsnyc\" in store.wal, did you mean 'fsync'?",
        "wal.yml:7:19: store.wal.segment_size must be between 64KiB and 1GiB, got \"64000\"",
        "wal.yml:8:22: store.snapshot_interval must be at least 1s, got 100ms");
  }

  @Test
  void parse_badStoreWalSegmentSize_isAnErrorWithItsPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("seg.yml",
        "store:\n  wal:\n    segment_size: 2GiB\n  retention: 1h\n  wal2: 1\n", BASE));
    ConfigException notBytes = catchThrowableOfType(ConfigException.class, () -> loader.parse("seg.yml",
        "store: {wal: {segment_size: 128 megs}}", BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "seg.yml:3:19: store.wal.segment_size must be between 64KiB and 1GiB, got \"2GiB\"",
        "seg.yml:5:3: unknown key \"wal2\" in store, did you mean 'wal'?");
    assertThat(notBytes.getMessage().lines()).containsExactly("seg.yml:1:29: store.wal.segment_size must be a "
        + "positive byte count such as 67108864 or 64MiB, got \"128 megs\"");
  }

  @Test
  void parse_ingestLimits_readsTheReadTimeoutAndLabelLimits() throws Exception {
    ServerConfig config = loader.parse("limits.yml", """
        limits:
          request_read_timeout: 5s
          max_label_name_length: 100
          max_label_value_length: 2048
          max_labels_per_series: 40
          max_attributes_per_point: 50
        """, BASE);

    assertThat(config.limits().requestReadTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.limits().labels()).isEqualTo(new LabelLimits(100, 2048, 40, 50));
    assertThat(ServerConfig.defaults(BASE).limits().labels()).isEqualTo(LabelLimits.DEFAULT);
    assertThat(ServerConfig.defaults(BASE).limits().requestReadTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void parse_badIngestLimits_areErrorsAtTheirPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("limits.yml", """
        limits:
          request_read_timeout: 500ms
          max_labels_per_series: 0
        """, BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "limits.yml:2:25: limits.request_read_timeout must be at least 1s, got 500ms",
        "limits.yml:3:26: limits.max_labels_per_series must be a whole number of at least 1, got \"0\"");
  }

  @Test
  void parse_yamlSyntaxError_pointsAtTheProblem() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> loader.parse("broken.yml", "listen:\n  http: [unclosed\nlimits: {}\n", BASE));

    assertThat(e.errors()).singleElement().satisfies(error -> {
      assertThat(error.mark().file()).isEqualTo("broken.yml");
      assertThat(error.mark().line()).isEqualTo(3);
      assertThat(error.message()).startsWith("invalid YAML: ");
    });
  }

  @Test
  void parse_duplicateKey_isAnError() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> loader.parse("dup.yml", "data_dir: a\ndata_dir: b\n", BASE));

    assertThat(e.getMessage()).isEqualTo("dup.yml:2:1: duplicate key \"data_dir\" (first at line 1)");
  }

  @Test
  void parse_wrongShapes_sayWhatWasExpected() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> loader.parse("shape.yml", "listen: [a, b]\nrule_files: {a: b}\nexternal_url: ftp://x\n", BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "shape.yml:1:9: listen must be a mapping, got a list",
        "shape.yml:2:13: rule_files must be a list of strings, got a mapping",
        "shape.yml:3:15: external_url must start with http:// or https://, got \"ftp://x\"");
  }

  @Test
  void load_missingFile_isAnErrorNamingIt() {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> loader.load(Path.of("/nonexistent/tocsin.yml")));

    assertThat(e.errors()).singleElement().satisfies(error ->
        assertThat(error.toString()).startsWith("/nonexistent/tocsin.yml:1:1: cannot read config file: "));
  }

  @Test
  void load_fileOverTheSizeLimit_isRefusedBeforeParsing(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tocsin.yml");
    Files.writeString(file, "external_url: " + "x".repeat(5 << 20) + "\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(file));

    assertThat(e.getMessage()).isEqualTo(
        file + ":1:1: config file is larger than the limit of 4 MiB (4194304 bytes)");
  }

  @Test
  void load_fileThatIsNotUtf8_isAnErrorNamingIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tocsin.yml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(file));

    assertThat(e.getMessage()).isEqualTo(file + ":1:1: cannot read config file: it is not UTF-8 text");
  }

  @Test
  void listDefaults_areTheDesignsPorts() {
    assertThat(List.of(ServerConfig.Listen.DEFAULT.otlpGrpc().port(), ServerConfig.Listen.DEFAULT.otlpHttp().port(),
        ServerConfig.Listen.DEFAULT.http().port())).containsExactly(4317, 4318, 8080);
  }

  @Test
  void parse_datasources_readsEveryKeyWithSecrets() throws Exception {
    ServerConfigLoader withToken = new ServerConfigLoader(Map.of("VM_TOKEN", "s3cret")::get);
    ServerConfig config = withToken.parse("d.yml", """
        datasources:
          - name: vm
            type: prometheus
            url: http://vm.example:8428/
            flavor: victoriametrics
            headers: {X-Scope-OrgID: team-a}
            bearer_token: ${VM_TOKEN}
            timeout: 5s
            kinds: {redis_keyspace_read_hits: counter, up: gauge}
          - {name: prom, url: "https://prom.example/prometheus", basic_auth: {username: u, password: p}}
        """, BASE);

    assertThat(config.datasources()).containsExactly(
        new DatasourceSettings("vm", URI.create("http://vm.example:8428"), DatasourceSettings.Flavor.VICTORIAMETRICS,
            Map.of("X-Scope-OrgID", Secret.of("team-a")), "", Secret.NONE, Secret.of("s3cret"), Duration.ofSeconds(5),
            Map.of("redis_keyspace_read_hits", MetricKind.COUNTER, "up", MetricKind.GAUGE)),
        new DatasourceSettings("prom", URI.create("https://prom.example/prometheus"), DatasourceSettings.Flavor.PROMETHEUS,
            Map.of(), "u", Secret.of("p"), Secret.NONE, DatasourceSettings.DEFAULT_TIMEOUT, Map.of()));
    assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("team-a");
  }

  @Test
  void parse_badDatasources_areErrorsAtEachPlace() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.parse("d.yml", """
        datasources:
          - name: vm
            url: ftp://vm
            flavor: victoria
            type: influx
            kinds: {x: histogram}
            timout: 5s
          - {name: vm, url: "http://a", bearer_token: t, basic_auth: {username: u}}
          - {url: "http://b"}
        """, BASE));

    assertThat(e.getMessage().lines()).containsExactly(
        "d.yml:3:10: datasource url must be http:// or https:// with a host, got \"ftp://vm\"",
        "d.yml:4:13: flavor must be prometheus or victoriametrics, got \"victoria\"",
        "d.yml:5:11: datasource type must be prometheus (any Prometheus-compatible store), got \"influx\"",
        "d.yml:6:16: kind of x must be counter or gauge, got \"histogram\"",
        "d.yml:7:5: unknown key \"timout\" in datasources[0], did you mean 'timeout'?",
        "d.yml:8:47: a datasource takes basic_auth or bearer_token, not both",
        "d.yml:9:5: a datasource needs a name");
  }
}
