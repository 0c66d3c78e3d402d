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
 *
 * <p>A fold for a {@link SumVisitor} adds each increase straight into the buckets the visitor
 * gives for the series and marks them there: it has no bucket array of its own to fill. A NaN
 * increase (a decimal chunk's escaped value or an xor chunk's; a packed chunk holds none) adds
 * nothing there.
 */
final class BucketFold {
  /** The series' values; for a {@link SumVisitor}, the sums of the buckets it gave for the series. */
  double[] values;
  /** Per bucket, the time of the sample its last value came from; zero for a sum; null for a {@link SumVisitor}. */
  final long[] times;
  private final long startMs;
  private final long stepMs;
  private final boolean sum;
  /** Null for a fold into the series' own buckets. */
  private final SumVisitor groups;
  /** For a {@link SumVisitor}: the marks beside {@link #values}. */
  private int[] counts;
  private int bucket;
  private long bucketEndMs;
  private boolean any;

  BucketFold(BucketGrid grid, boolean sum) {
    this(grid, sum, null);
  }

  /** A fold of a counter's increases into the buckets {@code groups} gives for each series. */
  BucketFold(BucketGrid grid, SumVisitor groups) {
    this(grid, true, groups);
  }

  private BucketFold(BucketGrid grid, boolean sum, SumVisitor groups) {
    this.startMs = grid.startMs();
    this.stepMs = grid.stepMs();
    this.sum = sum;
    this.groups = groups;
    this.values = groups == null ? new double[grid.count()] : null;
    this.times = groups == null ? new long[grid.count()] : null;
  }

  /** Empties the buckets for the next series; a fold for a {@link SumVisitor} needs the series' labels. */
  void reset() {
    if (groups != null) {
      throw new IllegalStateException("a fold of sums needs the labels of the next series");
    }
    reset(null);
  }

  /**
   * Empties the buckets for the next series, which has these labels; for a {@link SumVisitor},
   * takes the buckets it gives for the series instead. They are asked for here, before any
   * sample is decoded, rather than at the first increase: the decoding loops stay free of the
   * visitor's code, which the compiler would otherwise inline there, and deoptimize each time a
   * rare path of it (a new group) was taken for the first time.
   */
  void reset(Labels labels) {
    if (groups == null) {
      Arrays.fill(values, Double.NaN);
    } else {
      BucketSums target = groups.sumsFor(labels);
      values = target.sums();
      counts = target.counts();
    }
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
    if (groups != null && Double.isNaN(value)) {
      return;
    }
    addFinite(timeMs, value);
  }

  /** {@link #add} of a number: a decimal chunk's usual sample. */
  void addFinite(long timeMs, double value) {
    int b = bucketOf(timeMs);
    if (groups != null) {
      values[b] += value;
      counts[b] = 1;
      any = true;
      return;
    }
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
    int[] counts = this.counts;
    boolean intoSums = groups != null;
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
      if (intoSums) {
        values[b] += value;
        counts[b] = 1;
      } else if (sum) {
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
    if (groups != null) {
      int[] counts = this.counts;
      for (int k = 0; k < n; k++, position += width) {
        mantissa += change(words, position, shift);
        values[first + k] += integral ? mantissa : mantissa / scale;
        counts[first + k] = 1;
      }
      bucket += n;
      bucketEndMs += n * stepMs;
      return mantissa;
    }
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
