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
  private final int count;
  private final boolean sum;
  private int bucket;
  private long bucketEndMs;
  private boolean any;
  private int samples;

  BucketFold(BucketGrid grid, boolean sum) {
    this.startMs = grid.startMs();
    this.stepMs = grid.stepMs();
    this.count = grid.count();
    this.sum = sum;
    this.values = new double[count];
    this.times = new long[count];
  }

  /** Empties the buckets for the next series. */
  void reset() {
    Arrays.fill(values, Double.NaN);
    bucket = 0;
    bucketEndMs = startMs + stepMs;
    any = false;
    samples = 0;
  }

  /** Whether any bucket took a value since {@link #reset}. */
  boolean any() {
    return any;
  }

  /** How many samples were folded in since {@link #reset}, stale markers included. */
  int samples() {
    return samples;
  }

  /** Folds in a sample; samples come in time order, so the bucket walks along instead of dividing. */
  void add(long timeMs, double value) {
    samples++;
    if (timeMs < startMs) {
      return;
    }
    int b = bucket;
    long end = bucketEndMs;
    while (timeMs >= end && b < count) {
      b++;
      end += stepMs;
    }
    bucket = b;
    bucketEndMs = end;
    if (b == count) {
      return;
    }
    if (StaleMarker.is(value)) {
      if (!sum) {
        values[b] = Double.NaN;
      }
      return;
    }
    double known = values[b];
    values[b] = sum && !Double.isNaN(known) ? known + value : value;
    times[b] = timeMs;
    any = true;
  }
}
