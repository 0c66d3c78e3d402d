package io.tocsin.store;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;

/**
 * Snapshot self-metrics: how long the last snapshot took to write and how large it is, when the
 * last one succeeded (an alert on its age catches snapshots that keep failing), failed writes,
 * and how long loading the snapshot at start took. Whoever calls {@link Snapshots} reports here.
 */
public final class SnapshotMetrics {
  private final Clock clock;
  private final Gauge writeSeconds;
  private final Gauge bytes;
  private final Gauge series;
  private final Gauge lastSuccess;
  private final Counter failures;
  private final Gauge loadSeconds;

  public SnapshotMetrics(PrometheusRegistry registry, Clock clock) {
    this.clock = clock;
    writeSeconds = Gauge.builder().name("tocsin_snapshot_write_seconds")
        .help("How long writing the last snapshot took").register(registry);
    bytes = Gauge.builder().name("tocsin_snapshot_bytes")
        .help("Size of the last snapshot on disk").register(registry);
    series = Gauge.builder().name("tocsin_snapshot_series")
        .help("Series in the last snapshot").register(registry);
    lastSuccess = Gauge.builder().name("tocsin_snapshot_last_success_timestamp_seconds")
        .help("When the last snapshot was published (Unix seconds)").register(registry);
    failures = Counter.builder().name("tocsin_snapshot_write_failures_total")
        .help("Snapshot writes that failed (the previous snapshot stays in use)").register(registry);
    loadSeconds = Gauge.builder().name("tocsin_snapshot_load_seconds")
        .help("How long loading the snapshot at start took (0 when there was none)").register(registry);
  }

  public void written(Snapshots.Written written) {
    writeSeconds.set(written.took().toNanos() / 1e9);
    bytes.set(written.bytes());
    series.set(written.series());
    lastSuccess.set(clock.millis() / 1000.0);
  }

  public void writeFailed() {
    failures.inc();
  }

  public void loaded(Snapshots.Loaded loaded) {
    loadSeconds.set(loaded.took().toNanos() / 1e9);
    bytes.set(loaded.bytes());
    series.set(loaded.series());
  }
}
