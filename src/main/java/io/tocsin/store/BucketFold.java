package io.tocsin.store;

import java.util.Arrays;

/**
 * One series' samples folded into the buckets of a grid as a chunk decodes them: a counter's
 * increases summed, otherwise the last value, and the time of the sample each bucket's value
 * last took. Decoding into a sample array first and walking it again cost a store and a load per
 * sample and a second loop; a scan over a million series decodes a hundred million samples. A
 * stale marker ends the last value (a bucket whose last sample is stale has none) and adds
 * nothing to a sum. The time of each bucket's last sample is kept for last values only: no
 * reader of a sum asks for it. Reused from one series to the next; not thread-safe.
 */
final class BucketFold {
  final double[] values;
  /** Per bucket, the time of the sample its last value came from; zero for a sum. */
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
    if (sum) {
      values[b] = Double.isNaN(known) ? value : known + value;
    } else {
      values[b] = value;
      times[b] = timeMs;
    }
    any = true;
  }

  /**
   * Folds in {@code n >= 0} samples of a packed chunk ({@link Chunk#pack}) one {@code delta}
   * apart from {@code time} on, each {@code width} bits (1 to 63) of {@code words} from bit
   * {@code position} on adding to the mantissa, which {@code scale} divides; the two words
   * of each sample's bits are in the array. Returns the mantissa after them. The loop keeps the
   * bucket in locals rather than fields: a scan folds a hundred million samples.
   */
  long addRun(long[] words, int position, int width, long mantissa, double scale, long time, long delta, int n) {
    if (n <= 0) {
      return mantissa;
    }
    int shift = 64 - width;
    if (delta == stepMs) {
      // A sample a bucket, the most common shape (a one-minute export into one-minute buckets):
      // the first may share its bucket with the sample before it, each later one has a bucket of
      // its own, still empty, one further along.
      mantissa += change(words, position, shift);
      addFinite(time, scale == 1 ? mantissa : mantissa / scale);
      return onePerBucket(words, position + width, width, mantissa, scale, time + delta, n - 1);
    }
    double[] values = this.values;
    long[] times = this.times;
    int b = bucket;
    long end = bucketEndMs;
    boolean integral = scale == 1;
    for (int k = 0; k < n; k++, time += delta, position += width) {
      mantissa += change(words, position, shift);
      while (time >= end) {
        b++;
        end += stepMs;
      }
      double value = integral ? mantissa : mantissa / scale;
      if (sum) {
        double known = values[b];
        values[b] = known == known ? known + value : value;
      } else {
        values[b] = value;
        times[b] = time;
      }
    }
    bucket = b;
    bucketEndMs = end;
    any = true;
    return mantissa;
  }

  /** {@link #addRun} of samples one bucket apart from the bucket after the current one on. */
  private long onePerBucket(long[] words, int position, int width, long mantissa, double scale, long time, int n) {
    double[] values = this.values;
    long[] times = this.times;
    int shift = 64 - width;
    boolean integral = scale == 1;
    int first = bucket + 1;
    for (int k = 0; k < n; k++, position += width) {
      mantissa += change(words, position, shift);
      values[first + k] = integral ? mantissa : mantissa / scale;
      if (!sum) {
        times[first + k] = time + k * stepMs;
      }
    }
    bucket += n;
    bucketEndMs += n * stepMs;
    return mantissa;
  }

  /** The change of {@code 64 - shift} bits at bit {@code position}, both of whose words are in the array. */
  private static long change(long[] words, int position, int shift) {
    int word = position >>> 6;
    int offset = position & 63;
    return (words[word] << offset | (words[word + 1] >>> 1) >>> (63 - offset)) >> shift;
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
