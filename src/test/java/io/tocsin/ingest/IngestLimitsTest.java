package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tocsin.Tocsin;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The label limits with their defaults, through OTLP/HTTP into an in-process Tocsin. */
class IngestLimitsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  private final MutableClock clock = new MutableClock(NOW);
  private final HttpClient http = HttpClient.newHttpClient();
  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static List<KeyValue> attrs(String prefix, int n) {
    List<KeyValue> attributes = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      attributes.add(attr(prefix + i, "v" + i));
    }
    return attributes;
  }

  private static ResourceMetrics gauge(List<KeyValue> resource, String name, List<KeyValue> attributes) {
    return ResourceMetrics.newBuilder().setResource(Resource.newBuilder().addAllAttributes(resource))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(name)
            .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                .setTimeUnixNano(NOW.toEpochMilli() * 1_000_000).setAsDouble(1).addAllAttributes(attributes)))))
        .build();
  }

  private ExportMetricsPartialSuccess export(byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + tocsin.otlpHttpPort() + "/v1/metrics"))
        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return ExportMetricsServiceResponse.parseFrom(response.body()).getPartialSuccess();
  }

  private String scrape() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tocsin.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** A Kubernetes pod's resource: k8s, host, container, cloud, process and SDK attributes. */
  private static List<KeyValue> podResource() {
    List<KeyValue> resource = new ArrayList<>(attrs("k8s.pod.label.", 20));
    for (String key : List.of("service.name", "service.namespace", "service.version", "service.instance.id",
        "k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.node.name", "k8s.deployment.name",
        "host.name", "host.arch", "os.type", "container.id", "cloud.provider", "cloud.region",
        "process.pid", "process.runtime.name", "telemetry.sdk.name", "telemetry.sdk.language", "telemetry.sdk.version")) {
      resource.add(attr(key, key + "-value"));
    }
    resource.add(attr("process.command_line", "java -cp " + "/opt/app/lib/library.jar:".repeat(300) + " Main"));
    return resource;
  }

  @Test
  void pointsOverTheLabelLimits_areRejectedOneByOneWithTheLimitAndTheRestIsKept() throws Exception {
    List<KeyValue> pod = podResource();
    List<KeyValue> wideResource = attrs("resource.", 100);
    String longKey = "k".repeat(1025);
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(gauge(pod, "kept", attrs("point.", 20)))
        .addResourceMetrics(gauge(pod, "wide", attrs("point.", 129)))
        .addResourceMetrics(gauge(wideResource, "merged", attrs("point.", 40)))
        .addResourceMetrics(gauge(pod, "long.value", List.of(attr("query", "x".repeat(16 * 1024 + 1)))))
        .addResourceMetrics(gauge(pod, "long.key", List.of(attr(longKey, "v"))))
        .addResourceMetrics(gauge(List.of(), "n".repeat(20_000), List.of()))
        .build();

    ExportMetricsPartialSuccess partial = export(request.toByteArray());

    assertThat(partial.getRejectedDataPoints()).isEqualTo(5);
    assertThat(partial.getErrorMessage()).isEqualTo("rejected 5 data points: "
        + "1 with more attributes than limits.max_attributes_per_point (first in metric \"wide\", 129 attributes); "
        + "1 with more labels (resource and point) than limits.max_labels_per_series "
        + "(first in metric \"merged\", 140 labels); "
        + "1 with a label name longer than limits.max_label_name_length "
        + "(first in metric \"long.key\", label \"" + "k".repeat(64) + "…\", 1025 characters); "
        + "2 with a label value or metric name longer than limits.max_label_value_length "
        + "(first in metric \"long.value\", label \"query\", 16385 characters)");
    // The metric name over the limit is the second of its reason: only the first is named.
    assertThat(tocsin.store().metricNames()).containsExactly("kept");
    assertThat(tocsin.store().read("kept", l -> true, 0, Long.MAX_VALUE)).singleElement()
        .satisfies(s -> assertThat(s.labels().size()).isEqualTo(61));
    assertThat(scrape()).contains(
        "tocsin_otlp_points_rejected_total{reason=\"too_many_attributes\",transport=\"http\"} 1.0",
        "tocsin_otlp_points_rejected_total{reason=\"too_many_labels\",transport=\"http\"} 1.0",
        "tocsin_otlp_points_rejected_total{reason=\"label_name_too_long\",transport=\"http\"} 1.0",
        "tocsin_otlp_points_rejected_total{reason=\"label_value_too_long\",transport=\"http\"} 2.0",
        "tocsin_otlp_points_accepted_total{transport=\"http\"} 1.0");
  }

  @Test
  void metricNameOverTheValueLimit_isRejectedShortened() throws Exception {
    String name = "n".repeat(20_000);

    ExportMetricsPartialSuccess partial = export(ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(gauge(List.of(), name, List.of())).build().toByteArray());

    assertThat(partial.getErrorMessage()).isEqualTo("rejected 1 data point: 1 with a label value or metric name "
        + "longer than limits.max_label_value_length (first in metric \"" + "n".repeat(128) + "…\", "
        + "the metric name, 20000 characters)");
    assertThat(tocsin.store().seriesCount()).isZero();
  }

  @Test
  void hundredThousandAttributes_onAPointOrAResource_areRejectedQuickly() throws Exception {
    List<KeyValue> many = attrs("a", 100_000);
    ExportMetricsServiceRequest request = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(gauge(List.of(), "point.attributes", many))
        .addResourceMetrics(gauge(many, "resource.attributes", List.of()))
        .build();
    long start = System.nanoTime();

    ExportMetricsPartialSuccess partial = export(request.toByteArray());

    // Quadratic label building took about 30 s of a core for each of these.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(partial.getErrorMessage()).isEqualTo("rejected 2 data points: "
        + "1 with more attributes than limits.max_attributes_per_point "
        + "(first in metric \"point.attributes\", 100000 attributes); "
        + "1 with more labels (resource and point) than limits.max_labels_per_series "
        + "(first in metric \"resource.attributes\", 100000 resource attributes)");
    assertThat(tocsin.store().seriesCount()).isZero();
  }

  @Test
  void hostileGzippedRequest_storesNoSeries() throws Exception {
    // Points with many short distinct attributes: each would be a series of 200 labels, about
    // 100 bytes of heap per label from some 14 bytes on the wire.
    ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
    int points = 1_500;
    for (int p = 0; p < points; p++) {
      List<KeyValue> attributes = new ArrayList<>(200);
      for (int i = 0; i < 200; i++) {
        attributes.add(attr("k" + i, Integer.toString(p * 7919 + i * 104_729, 36)));
      }
      scope.addMetrics(Metric.newBuilder().setName("flood").setGauge(Gauge.newBuilder().addDataPoints(
          NumberDataPoint.newBuilder().setTimeUnixNano(NOW.toEpochMilli() * 1_000_000).setAsDouble(p)
              .addAllAttributes(attributes))));
    }
    byte[] body = gzip(ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(scope)).build().toByteArray());
    assertThat(body.length).isGreaterThan(1 << 20);

    ExportMetricsPartialSuccess partial = export(body, "Content-Encoding", "gzip");

    assertThat(partial.getRejectedDataPoints()).isEqualTo(points);
    assertThat(partial.getErrorMessage()).isEqualTo("rejected 1500 data points: 1500 with more attributes than "
        + "limits.max_attributes_per_point (first in metric \"flood\", 200 attributes)");
    assertThat(tocsin.store().seriesCount()).isZero();
    assertThat(scrape()).contains(
        "tocsin_otlp_points_rejected_total{reason=\"too_many_attributes\",transport=\"http\"} 1500.0");
  }

  private static byte[] gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
