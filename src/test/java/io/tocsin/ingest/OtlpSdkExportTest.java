package io.tocsin.ingest;

import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.tocsin.Tocsin;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesSamples;
import io.tocsin.testing.SdkClock;
import io.tocsin.testing.TestServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The OpenTelemetry Java SDK exports to a running Tocsin; the store must hold exactly what it sent. */
class OtlpSdkExportTest {
  enum Transport { GRPC, GRPC_GZIP, HTTP_PROTOBUF, HTTP_PROTOBUF_GZIP }

  private static final Resource RESOURCE = Resource.create(Attributes.of(
      stringKey("service.name"), "checkout", stringKey("host.name"), "h1"));
  private static final Labels ROUTE_A = Labels.of("service_name", "checkout", "host_name", "h1", "http_route", "/a");

  @TempDir
  Path dataDir;

  private Tocsin tocsin;
  private SdkClock sdkClock;

  @BeforeEach
  void start() throws Exception {
    tocsin = TestServers.start(dataDir);
    sdkClock = new SdkClock(System.currentTimeMillis() + 1_000);
  }

  @AfterEach
  void stop() {
    tocsin.close();
  }

  private MetricExporter exporter(Transport transport) {
    return switch (transport) {
      case GRPC, GRPC_GZIP -> OtlpGrpcMetricExporter.builder()
          .setEndpoint("http://127.0.0.1:" + tocsin.otlpGrpcPort())
          .setCompression(transport == Transport.GRPC_GZIP ? "gzip" : "none").build();
      case HTTP_PROTOBUF, HTTP_PROTOBUF_GZIP -> OtlpHttpMetricExporter.builder()
          .setEndpoint("http://127.0.0.1:" + tocsin.otlpHttpPort() + "/v1/metrics")
          .setCompression(transport == Transport.HTTP_PROTOBUF_GZIP ? "gzip" : "none").build();
    };
  }

  private SdkMeterProvider provider(Transport transport) {
    return SdkMeterProvider.builder().setClock(sdkClock).setResource(RESOURCE)
        .registerMetricReader(PeriodicMetricReader.builder(exporter(transport)).setInterval(Duration.ofHours(1)).build())
        .build();
  }

  /** Exports what the provider holds now, then moves SDK time on so the next export is later. */
  private void flush(SdkMeterProvider provider) {
    CompletableResultCode result = provider.forceFlush().join(10, TimeUnit.SECONDS);
    assertThat(result.isSuccess()).as("export succeeded").isTrue();
    sdkClock.advance(Duration.ofSeconds(15));
  }

  private SeriesSamples series(String metric, Labels labels) {
    List<SeriesSamples> found = tocsin.store().read(metric, labels::equals, 0, Long.MAX_VALUE);
    assertThat(found).as("%s%s in %s", metric, labels, tocsin.store().metricNames()).hasSize(1);
    return found.get(0);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void export_countersGaugesAndHistograms_landInTheStoreExactly(Transport transport) {
    SdkMeterProvider provider = provider(transport);
    Meter meter = provider.get("io.tocsin.test");
    LongCounter requests = meter.counterBuilder("http.server.requests").build();
    LongUpDownCounter queue = meter.upDownCounterBuilder("queue.depth").build();
    DoubleGauge temperature = meter.gaugeBuilder("cpu.temperature").build();
    DoubleHistogram duration = meter.histogramBuilder("http.server.duration")
        .setExplicitBucketBoundariesAdvice(List.of(0.1, 1.0)).build();
    Attributes routeA = Attributes.of(stringKey("http.route"), "/a");

    requests.add(5, routeA);
    queue.add(4, routeA);
    temperature.set(21.5, routeA);
    duration.record(0.05, routeA);
    duration.record(0.5, routeA);
    duration.record(5, routeA);
    flush(provider);
    requests.add(3, routeA);
    queue.add(-1, routeA);
    temperature.set(22, routeA);
    duration.record(0.5, routeA);
    flush(provider);
    provider.close(); // exports once more on shutdown: nothing new, so an increase of 0
    sdkClock.advance(Duration.ofSeconds(15));

    // A restarted process: a new stream with a later start time, its count starting over at 2.
    SdkMeterProvider restarted = provider(transport);
    restarted.get("io.tocsin.test").counterBuilder("http.server.requests").build().add(2, routeA);
    flush(restarted);
    restarted.close(); // and once more: another 0

    SeriesSamples counter = series("http_server_requests", ROUTE_A);
    assertThat(counter.kind()).isEqualTo(MetricKind.COUNTER);
    assertThat(counter.values()).containsExactly(5, 3, 0, 2, 0);

    SeriesSamples upDown = series("queue_depth", ROUTE_A);
    assertThat(upDown.kind()).isEqualTo(MetricKind.ADDITIVE);
    assertThat(upDown.values()).containsExactly(4, 3, 3);

    SeriesSamples gauge = series("cpu_temperature", ROUTE_A);
    assertThat(gauge.kind()).isEqualTo(MetricKind.GAUGE);
    assertThat(gauge.values()).containsExactly(21.5, 22, 22);

    long firstExportMs = counter.timesMs()[0];
    BucketGrid twoExports = new BucketGrid(firstExportMs, 15_000, 2);
    HistogramSample[] histogram = tocsin.store()
        .readHistogramBuckets("http_server_duration", ROUTE_A::equals, twoExports).get(0).buckets();
    assertThat(histogram[0]).isEqualTo(new HistogramSample(3, 5.55, new double[] {0.1, 1}, new double[] {1, 1, 1}));
    assertThat(histogram[1]).isEqualTo(new HistogramSample(1, 0.5, new double[] {0.1, 1}, new double[] {0, 1, 0}));
  }
}
