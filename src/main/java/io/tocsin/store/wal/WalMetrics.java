package io.tocsin.store.wal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Write-ahead log self-metrics. */
public final class WalMetrics {
  final Counter bytesWritten;
  final Histogram fsyncSeconds;
  final Counter writeErrors;
  final Gauge segments;
  final Counter replayErrors;
  final Gauge recoverySeconds;
  final Counter recoveredSamples;

  public WalMetrics(PrometheusRegistry registry) {
    bytesWritten = Counter.builder().name("tocsin_wal_bytes_written_total")
        .help("Bytes of records written to the write-ahead log").register(registry);
    fsyncSeconds = Histogram.builder().name("tocsin_wal_fsync_duration_seconds")
        .help("Time to force the write-ahead log to disk")
        .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
        .register(registry);
    writeErrors = Counter.builder().name("tocsin_wal_write_errors_total")
        .help("Failed writes or fsyncs of the write-ahead log; OTLP exports are refused with retry-later meanwhile")
        .register(registry);
    segments = Gauge.builder().name("tocsin_wal_segments")
        .help("Segment files of the write-ahead log").register(registry);
    replayErrors = Counter.builder().name("tocsin_wal_replay_errors_total")
        .help("Damaged records at which replay of a write-ahead log segment stopped").register(registry);
    recoverySeconds = Gauge.builder().name("tocsin_wal_last_recovery_duration_seconds")
        .help("How long the last recovery from the write-ahead log took").register(registry);
    recoveredSamples = Counter.builder().name("tocsin_wal_replayed_samples_total")
        .help("Samples restored from the write-ahead log at start").register(registry);
  }
}
