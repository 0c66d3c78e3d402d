package io.tocsin.store.wal;

import java.time.Duration;
import java.util.Locale;

/**
 * How the store is kept durable: the write-ahead log ({@code store.wal} in tocsin.yml) and the
 * snapshots that bound how much of it a restart replays ({@code store.snapshot_interval}).
 *
 * @param enabled false keeps the store in memory only, as before the log existed
 * @param fsync when written records are forced to disk
 * @param fsyncInterval how often, with {@link Fsync#INTERVAL}
 * @param segmentBytes size after which the log moves on to a new segment file
 * @param snapshotInterval how often the store is written to a snapshot, after which the log
 *     segments before it are deleted
 */
public record WalSettings(boolean enabled, Fsync fsync, Duration fsyncInterval, long segmentBytes,
    Duration snapshotInterval) {
  public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;
  /** Smaller segments would make a file per few hundred records. */
  public static final long MIN_SEGMENT_BYTES = 64L << 10;
  public static final long MAX_SEGMENT_BYTES = 1L << 30;
  public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofMinutes(5);
  public static final WalSettings DEFAULT = new WalSettings(true, Fsync.INTERVAL, Duration.ofSeconds(1),
      DEFAULT_SEGMENT_BYTES, DEFAULT_SNAPSHOT_INTERVAL);
  public static final WalSettings DISABLED = new WalSettings(false, Fsync.INTERVAL, Duration.ofSeconds(1),
      DEFAULT_SEGMENT_BYTES, DEFAULT_SNAPSHOT_INTERVAL);

  public WalSettings {
    if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
      throw new IllegalArgumentException("fsync interval must be positive, got " + fsyncInterval);
    }
    if (snapshotInterval.isNegative() || snapshotInterval.isZero()) {
      throw new IllegalArgumentException("snapshot interval must be positive, got " + snapshotInterval);
    }
  }

  public WalSettings withFsync(Fsync newFsync) {
    return new WalSettings(enabled, newFsync, fsyncInterval, segmentBytes, snapshotInterval);
  }

  public WalSettings withSegmentBytes(long newSegmentBytes) {
    return new WalSettings(enabled, fsync, fsyncInterval, newSegmentBytes, snapshotInterval);
  }

  public WalSettings withSnapshotInterval(Duration newSnapshotInterval) {
    return new WalSettings(enabled, fsync, fsyncInterval, segmentBytes, newSnapshotInterval);
  }

  /** When records reach the disk, and so when an OTLP export is answered. */
  public enum Fsync {
    /** Written at once (the answer waits for that), forced to disk every {@code fsync_interval}. */
    INTERVAL,
    /** Written and forced to disk before the answer. */
    ALWAYS,
    /** Written at once, forced to disk only when the log is closed or a segment is full. */
    OFF;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
