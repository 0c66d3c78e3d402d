package io.tocsin.testing;

import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@code redis_up} gauge per node, collected by the OpenTelemetry SDK every {@link #EVERY} and
 * exported to every attached Tocsin — the same points, with the same timestamps, to each — as an
 * OpenTelemetry Collector with one {@code otlp} exporter per replica feeds a cluster. Each replica
 * has its own exporter, so a dead or frozen one delays no other. The test changes a node's value
 * to make its shard go down or come back.
 */
public final class RedisUpFeed implements AutoCloseable {
  public static final Duration EVERY = Duration.ofMillis(200);

  private final Map<String, Long> up = new ConcurrentHashMap<>();
  private final Map<JarProcess, OtlpGrpcMetricExporter> exporters = new ConcurrentHashMap<>();
  private final SdkMeterProvider provider;

  public RedisUpFeed() {
    provider = SdkMeterProvider.builder()
        .registerMetricReader(PeriodicMetricReader.builder(new FanOut()).setInterval(EVERY).build())
        .build();
    provider.get("cluster-test").gaugeBuilder("redis_up").ofLongs()
        .buildWithCallback(m -> up.forEach((node, value) -> m.record(value, Attributes.of(stringKey("node"), node))));
  }

  /** Sets {@code redis_up{node}}: 1 up, 0 down. */
  public void set(String node, long value) {
    up.put(node, value);
  }

  /** Stops reporting {@code node}, as when its exporter goes away. */
  public void remove(String node) {
    up.remove(node);
  }

  /** Starts exporting to this process's OTLP/gRPC port. */
  public void attach(JarProcess tocsin) {
    exporters.put(tocsin, OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + tocsin.grpcPort())
        .setTimeout(Duration.ofSeconds(2)).build());
  }

  /** Stops exporting to this process (it was killed, or is about to be). */
  public void detach(JarProcess tocsin) {
    OtlpGrpcMetricExporter exporter = exporters.remove(tocsin);
    if (exporter != null) {
      exporter.shutdown(); // not waited for: an export to a dead process would hold it up to its timeout
    }
  }

  @Override
  public void close() {
    exporters.keySet().forEach(this::detach);
    provider.shutdown();
  }

  /**
   * Hands each collection to every replica's exporter and returns at once, as the Collector's
   * exporters each send from their own queue: the reader never waits for the slowest replica.
   */
  private final class FanOut implements MetricExporter {
    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      exporters.values().forEach(exporter -> exporter.export(metrics));
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
