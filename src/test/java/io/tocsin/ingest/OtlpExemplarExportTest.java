package io.tocsin.ingest;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longArrayKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.tocsin.Tocsin;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.SeriesSamples;
import io.tocsin.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exemplars and non-string attribute values, as instrumented applications send them, must not
 * cost a single point (issue 9, defect 1): the OpenTelemetry Java SDK records an exemplar with
 * every measurement made under a sampled span when its filter is always-on.
 */
class OtlpExemplarExportTest {
  enum Transport { GRPC, HTTP_PROTOBUF }

  private static final Attributes ATTRIBUTES = Attributes.builder()
      .put(stringKey("http.route"), "/a")
      .put(stringArrayKey("tags"), List.of("x", "y"))
      .put(longArrayKey("ports"), List.of(80L, 443L))
      .put(booleanKey("cached"), true)
      .put(longKey("shard"), 3)
      .put(doubleKey("ratio"), 0.5)
      .build();
  private static final Labels LABELS = Labels.of("service_name", "checkout", "http_route", "/a",
      "tags", "[\"x\",\"y\"]", "ports", "[80,443]", "cached", "true", "shard", "3", "ratio", "0.5");
  private static final SpanContext SAMPLED = SpanContext.create("0af7651916cd43dd8448eb211c80319c",
      "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault());

  @TempDir
  Path dataDir;

  private Tocsin tocsin;

  @BeforeEach
  void start() throws Exception {
    tocsin = TestServers.start(dataDir);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private MetricExporter exporter(Transport transport) {
    return switch (transport) {
      case GRPC -> OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + tocsin.otlpGrpcPort()).build();
      case HTTP_PROTOBUF -> OtlpHttpMetricExporter.builder()
          .setEndpoint("http://127.0.0.1:" + tocsin.otlpHttpPort() + "/v1/metrics").build();
    };
  }

  private SeriesSamples series(String metric) {
    List<SeriesSamples> found = tocsin.store().read(metric, LABELS::equals, 0, Long.MAX_VALUE);
    assertThat(found).as("%s%s in %s", metric, LABELS, tocsin.store().metricNames()).hasSize(1);
    return found.get(0);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void export_measurementsUnderASampledSpan_everyPointLands(Transport transport) {
    SdkMeterProvider provider = SdkMeterProvider.builder()
        .setExemplarFilter(ExemplarFilter.alwaysOn())
        .setResource(Resource.create(Attributes.of(stringKey("service.name"), "checkout")))
        .registerMetricReader(PeriodicMetricReader.builder(exporter(transport)).setInterval(Duration.ofHours(1)).build())
        .build();
    Meter meter = provider.get("io.tocsin.test");
    LongCounter requests = meter.counterBuilder("requests").build();
    DoubleGauge temperature = meter.gaugeBuilder("temperature").build();
    DoubleHistogram duration = meter.histogramBuilder("duration")
        .setExplicitBucketBoundariesAdvice(List.of(0.1, 1.0)).build();

    try (Scope scope = Span.wrap(SAMPLED).makeCurrent()) {
      requests.add(5, ATTRIBUTES);
      temperature.set(21.5, ATTRIBUTES);
      duration.record(0.05, ATTRIBUTES);
      duration.record(0.5, ATTRIBUTES);
      duration.record(5, ATTRIBUTES);
    }
    // The counter's stream started after Tocsin did, so its first value counts in full.
    CompletableResultCode result = provider.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(result.isSuccess()).as("export succeeded").isTrue();
    provider.close();

    assertThat(series("requests").values()).containsExactly(5, 0);
    assertThat(series("temperature").values()).containsExactly(21.5, 21.5);
    long firstMs = series("requests").timesMs()[0];
    HistogramSample[] histogram = tocsin.store()
        .readHistogramBuckets("duration", LABELS::equals, new BucketGrid(firstMs, 60_000, 1)).get(0).buckets();
    assertThat(histogram[0]).isEqualTo(new HistogramSample(3, 5.55, new double[] {0.1, 1}, new double[] {1, 1, 1}));
  }

  @Test
  void exportJson_pointWithExemplarAndArrayAttribute_lands() throws Exception {
    long nanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    String json = """
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
          "scopeMetrics":[{"metrics":[{"name":"queue.depth","gauge":{"dataPoints":[{
            "timeUnixNano":"%d","asDouble":7,
            "attributes":[{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":"2"}]}}}],
            "exemplars":[{"timeUnixNano":"%d","asDouble":7,"spanId":"b7ad6b7169203331",
              "traceId":"0af7651916cd43dd8448eb211c80319c",
              "filteredAttributes":[{"key":"user","value":{"stringValue":"u1"}}]}]}]}}]}]}]}
        """.formatted(nanos, nanos);
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
            .uri(URI.create("http://127.0.0.1:" + tocsin.otlpHttpPort() + "/v1/metrics"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<SeriesSamples> stored = tocsin.store().read("queue_depth",
        Labels.of("service_name", "checkout", "tags", "[\"x\",2]")::equals, 0, Long.MAX_VALUE);
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).values()).containsExactly(7);
  }
}
