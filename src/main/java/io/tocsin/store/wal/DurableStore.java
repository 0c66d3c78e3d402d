package io.tocsin.store.wal;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.SnapshotMetrics;
import io.tocsin.store.Snapshots;
import io.tocsin.store.WriterStateCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link SeriesStore} across restarts (design §8): at start, the newest snapshot that
 * verifies plus the write-ahead log after its position; while running, every change logged and a
 * snapshot every {@code store.snapshot_interval}, after which the log segments no kept snapshot
 * needs are deleted; at a graceful stop, a last snapshot, so the next start replays little.
 *
 * <p>A snapshot starts a fresh log segment first and records its number: every change a series
 * gets after being copied is in that segment or a later one, and replaying a change the
 * snapshot already holds is harmless (the store drops it as a duplicate).
 */
public final class DurableStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DurableStore.class);

  private final SeriesStore store;
  private final WriteAheadLog wal;
  private final Snapshots snapshots;
  private final SnapshotMetrics snapshotMetrics;
  private final ScheduledExecutorService background;

  private DurableStore(SeriesStore store, WriteAheadLog wal, Snapshots snapshots, SnapshotMetrics snapshotMetrics) {
    this.store = store;
    this.wal = wal;
    this.snapshots = snapshots;
    this.snapshotMetrics = snapshotMetrics;
    this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "store-durability");
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * Recovers {@code store}, which must be empty and have no log yet, from {@code dataDir}, then
   * logs every change to it and starts taking snapshots.
   */
  public static DurableStore open(Path dataDir, WalSettings settings, SeriesStore store, WriterStateCodec codec,
      PrometheusRegistry registry, Clock clock) throws IOException {
    Snapshots snapshots = new Snapshots(dataDir, codec, clock);
    SnapshotMetrics snapshotMetrics = new SnapshotMetrics(registry, clock);
    Optional<Snapshots.Loaded> loaded = snapshots.loadNewest(store);
    loaded.ifPresent(snapshotMetrics::loaded);
    long fromSegment = loaded.map(Snapshots.Loaded::walSegment).orElse(1L);

    Path walDir = dataDir.resolve("wal");
    WalMetrics walMetrics = new WalMetrics(registry);
    WalRecovery.Result recovered = WalRecovery.replay(walDir, fromSegment, store, codec, walMetrics);
    WriteAheadLog wal = WriteAheadLog.open(walDir, settings, codec, walMetrics, recovered.nextSegment(),
        recovered.segments());
    store.attachLog(wal);

    DurableStore durable = new DurableStore(store, wal, snapshots, snapshotMetrics);
    // Segments before the loaded snapshot stay until the next snapshot: the older kept snapshot
    // may need them if this one is found damaged at a later start.
    wal.deleteSegmentsOlderThan(store.retentionCutoffMs());
    long everyMs = settings.snapshotInterval().toMillis();
    durable.background.scheduleWithFixedDelay(durable::snapshotSafely, everyMs, everyMs, TimeUnit.MILLISECONDS);
    return durable;
  }

  /**
   * Writes a snapshot now and deletes the log segments that no kept snapshot needs any more, nor
   * the retention window.
   */
  public Snapshots.Written snapshot() throws IOException {
    Snapshots.Written written;
    try {
      written = snapshots.write(store, wal.cutSegment());
    } catch (IOException | RuntimeException e) {
      snapshotMetrics.writeFailed();
      throw e;
    }
    snapshotMetrics.written(written);
    wal.deleteSegmentsBefore(written.oldestKeptWalSegment());
    wal.deleteSegmentsOlderThan(store.retentionCutoffMs());
    return written;
  }

  private void snapshotSafely() {
    try {
      snapshot();
    } catch (IOException | RuntimeException e) {
      // The log still holds everything: a failed snapshot only means a longer replay next time.
      log.error("cannot write a snapshot of the store; the write-ahead log keeps everything meanwhile: {}",
          e.toString());
    }
  }

  /**
   * Stops taking snapshots, writes a last one (the caller has stopped ingest first) and closes
   * the log.
   */
  @Override
  public void close() throws InterruptedException {
    // Not shutdownNow: interrupting a snapshot closes its file channels under it.
    background.shutdown();
    if (!background.awaitTermination(30, TimeUnit.SECONDS)) {
      background.shutdownNow();
    }
    snapshotSafely();
    wal.close();
  }
}
