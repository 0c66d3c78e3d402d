package io.tocsin.store;

import java.time.Duration;

/**
 * Sizing of a {@link SeriesStore}.
 *
 * @param retention how long samples are kept; series idle for longer are dropped
 * @param maxSeries the most series the store holds; new series beyond it are rejected
 * @param maxSeriesPerMetric the most series one metric name holds
 */
public record StoreSettings(Duration retention, int maxSeries, int maxSeriesPerMetric) {
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
  public static final int DEFAULT_MAX_SERIES = 2_000_000;
  public static final int DEFAULT_MAX_SERIES_PER_METRIC = 200_000;

  public StoreSettings {
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("retention must be positive, got " + retention);
    }
    if (maxSeries <= 0 || maxSeriesPerMetric <= 0) {
      throw new IllegalArgumentException("series limits must be positive");
    }
  }

  public static StoreSettings defaults() {
    return new StoreSettings(DEFAULT_RETENTION, DEFAULT_MAX_SERIES, DEFAULT_MAX_SERIES_PER_METRIC);
  }

  /**
   * Longest time one compressed chunk spans, so that eviction, which drops whole chunks, never
   * keeps much more than the window.
   */
  long maxChunkSpanMs() {
    return Math.max(1_000, retention.toMillis() / 4);
  }
}
