package io.tocsin.store;

import java.util.Arrays;

/**
 * One series' samples folded into the buckets of a grid as a chunk decodes them: a counter's
 * increases summed, otherwise the last value, and the time of the sample each bucket's value
 * last took. Decoding into a sample array first and walking it again cost a store and a load per
 * sample and a second loop; a scan over a million series decodes a hundred million samples. A
 * stale marker ends the last value (a bucket whose last sample is stale has none) and adds
 * nothing to a sum. Reused from one series to the next; not thread-safe.
 */
final class BucketFold {
  final double[] values;
  final long[] times;
  private final long startMs;
  private final long stepMs;
  private final boolean sum;
  private int bucket;
  private long bucketEndMs;
  private boolean any;

  BucketFold(BucketGrid grid, boolean sum) {
    this.startMs = grid.startMs();
    this.stepMs = grid.stepMs();
    this.sum = sum;
    this.values = new double[grid.count()];
    this.times = new long[grid.count()];
  }

  /** Empties the buckets for the next series. */
  void reset() {
    Arrays.fill(values, Double.NaN);
    bucket = 0;
    bucketEndMs = startMs + stepMs;
    any = false;
  }

  /** Whether any bucket took a value since {@link #reset}. */
  boolean any() {
    return any;
  }

  /**
   * Folds in a sample in the grid, later than those before it: the bucket walks along instead
   * of dividing, and the grid's bounds are the caller's to check (the decoder checks its range).
   */
  void add(long timeMs, double value) {
    if (StaleMarker.is(value)) {
      int b = bucketOf(timeMs);
      if (!sum) {
        values[b] = Double.NaN;
      }
      return;
    }
    addFinite(timeMs, value);
  }

  /** {@link #add} of a value that is no stale marker: a decimal chunk's usual sample. */
  void addFinite(long timeMs, double value) {
    int b = bucketOf(timeMs);
    double known = values[b];
    values[b] = sum && !Double.isNaN(known) ? known + value : value;
    times[b] = timeMs;
    any = true;
  }

  private int bucketOf(long timeMs) {
    int b = bucket;
    if (timeMs >= bucketEndMs) {
      long end = bucketEndMs;
      do {
        b++;
        end += stepMs;
      } while (timeMs >= end);
      bucket = b;
      bucketEndMs = end;
    }
    return b;
  }
}
