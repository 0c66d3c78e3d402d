package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.append;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotMetricsTest {
  final MutableClock clock = new MutableClock(T0);
  final PrometheusRegistry registry = new PrometheusRegistry();
  final SnapshotMetrics metrics = new SnapshotMetrics(registry, clock);
  @TempDir
  Path dataDir;

  String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void written_exportsSizeSeriesAndTimeOfTheLastSnapshot() throws IOException {
    SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 100, 100));
    append(store, 0, 10);
    Snapshots snapshots = new Snapshots(dataDir, new StateCodec(), clock);

    Snapshots.Written written = snapshots.write(store, 1);
    metrics.written(written);
    metrics.writeFailed();
    metrics.loaded(snapshots.loadNewest(new SeriesStore(clock, store.settings())).orElseThrow());

    assertThat(scrape())
        .contains("tocsin_snapshot_bytes " + (double) written.bytes() + "\n")
        .contains("tocsin_snapshot_series 15.0\n")
        .contains("tocsin_snapshot_last_success_timestamp_seconds " + (double) T0.getEpochSecond() + "\n")
        .contains("tocsin_snapshot_write_failures_total 1.0\n")
        .containsPattern("tocsin_snapshot_write_seconds [0-9.E-]+\n")
        .containsPattern("tocsin_snapshot_load_seconds [0-9.E-]+\n");
  }
}
