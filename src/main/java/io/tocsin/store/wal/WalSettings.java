package io.tocsin.store.wal;

import java.time.Duration;
import java.util.Locale;

/**
 * How the write-ahead log is kept ({@code store.wal} in tocsin.yml).
 *
 * @param enabled false keeps the store in memory only, as before the log existed
 * @param fsync when written records are forced to disk
 * @param fsyncInterval how often, with {@link Fsync#INTERVAL}
 * @param segmentBytes size after which the log moves on to a new segment file
 */
public record WalSettings(boolean enabled, Fsync fsync, Duration fsyncInterval, long segmentBytes) {
  public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;
  public static final WalSettings DEFAULT =
      new WalSettings(true, Fsync.INTERVAL, Duration.ofSeconds(1), DEFAULT_SEGMENT_BYTES);
  public static final WalSettings DISABLED =
      new WalSettings(false, Fsync.INTERVAL, Duration.ofSeconds(1), DEFAULT_SEGMENT_BYTES);

  public WalSettings {
    if (fsyncInterval.isNegative() || fsyncInterval.isZero()) {
      throw new IllegalArgumentException("fsync interval must be positive, got " + fsyncInterval);
    }
  }

  public WalSettings withFsync(Fsync newFsync) {
    return new WalSettings(enabled, newFsync, fsyncInterval, segmentBytes);
  }

  public WalSettings withSegmentBytes(long newSegmentBytes) {
    return new WalSettings(enabled, fsync, fsyncInterval, newSegmentBytes);
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
