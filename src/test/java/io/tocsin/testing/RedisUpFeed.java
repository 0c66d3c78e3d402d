package io.tocsin.testing;

import static io.opentelemetry.api.common.AttributeKey.stringKey;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@code redis_up} gauge per node, exported by the OpenTelemetry SDK every {@link #EVERY} to
 * every attached Tocsin, as an OpenTelemetry Collector with one {@code otlp} exporter per replica
 * feeds a cluster. The test changes a node's value to make its shard go down or come back.
 */
public final class RedisUpFeed implements AutoCloseable {
  public static final Duration EVERY = Duration.ofMillis(200);

  private final Map<String, Long> up = new ConcurrentHashMap<>();
  private final Map<JarProcess, SdkMeterProvider> exporters = new ConcurrentHashMap<>();

  /** Sets {@code redis_up{node}}: 1 up, 0 down. */
  public void set(String node, long value) {
    up.put(node, value);
  }

  /** Starts exporting to this process's OTLP/gRPC port. */
  public void attach(JarProcess tocsin) {
    SdkMeterProvider provider = SdkMeterProvider.builder()
        .registerMetricReader(PeriodicMetricReader.builder(OtlpGrpcMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + tocsin.grpcPort()).build()).setInterval(EVERY).build())
        .build();
    provider.get("cluster-test").gaugeBuilder("redis_up").ofLongs()
        .buildWithCallback(m -> up.forEach((node, value) -> m.record(value, Attributes.of(stringKey("node"), node))));
    exporters.put(tocsin, provider);
  }

  /** Stops exporting to this process (it was killed, or is about to be). */
  public void detach(JarProcess tocsin) {
    SdkMeterProvider provider = exporters.remove(tocsin);
    if (provider != null) {
      // A provider exporting to a dead process would wait for its timeout on shutdown: do not wait.
      provider.shutdown();
    }
  }

  @Override
  public void close() {
    exporters.keySet().forEach(this::detach);
  }
}
