package io.tocsin.ingest;

import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.tocsin.store.HistogramSample;
import java.util.List;

/**
 * An OTLP exponential histogram point, and the two things ingest does with one: subtract the
 * previous cumulative point, and convert to explicit bucket bounds, which is what the store keeps.
 *
 * <p>At scale {@code s} the base is {@code 2^(2^-s)} and positive bucket {@code i} counts values
 * in {@code (base^i, base^(i+1)]}, negative bucket {@code i} the mirror image; explicit bounds
 * express that exactly (up to the rounding of the powers).
 */
record ExponentialBuckets(
    int scale, double zeroThreshold, long zeroCount, long count, double sum,
    int positiveOffset, long[] positive, int negativeOffset, long[] negative) {

  static ExponentialBuckets of(ExponentialHistogramDataPoint p) {
    return new ExponentialBuckets(p.getScale(), p.getZeroThreshold(), p.getZeroCount(), p.getCount(),
        p.hasSum() ? p.getSum() : Double.NaN,
        p.getPositive().getOffset(), toArray(p.getPositive().getBucketCountsList()),
        p.getNegative().getOffset(), toArray(p.getNegative().getBucketCountsList()));
  }

  private static long[] toArray(List<Long> counts) {
    long[] result = new long[counts.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = counts.get(i);
    }
    return result;
  }

  /**
   * {@code this - previous} for cumulative points of one stream, or null when the two do not
   * line up as an increase (a reset: counts went down, the zero bucket changed width, the scale
   * went up, or buckets the previous point had are gone).
   */
  ExponentialBuckets minus(ExponentialBuckets previous) {
    if (previous.scale < scale || previous.zeroThreshold != zeroThreshold) {
      return null;
    }
    ExponentialBuckets prev = previous.downscaledTo(scale);
    long[] pos = subtract(positiveOffset, positive, prev.positiveOffset, prev.positive);
    long[] neg = subtract(negativeOffset, negative, prev.negativeOffset, prev.negative);
    long zero = zeroCount - prev.zeroCount;
    long total = count - prev.count;
    if (pos == null || neg == null || zero < 0 || total < 0) {
      return null;
    }
    double deltaSum = Double.isNaN(sum) || Double.isNaN(prev.sum) ? Double.NaN : sum - prev.sum;
    return new ExponentialBuckets(scale, zeroThreshold, zero, total, deltaSum, positiveOffset, pos, negativeOffset, neg);
  }

  private static long[] subtract(int offset, long[] counts, int prevOffset, long[] prevCounts) {
    for (int i = 0; i < prevCounts.length; i++) {
      int k = prevOffset + i - offset;
      if ((k < 0 || k >= counts.length) && prevCounts[i] != 0) {
        return null;
      }
    }
    long[] delta = new long[counts.length];
    for (int k = 0; k < counts.length; k++) {
      int i = offset + k - prevOffset;
      long before = i >= 0 && i < prevCounts.length ? prevCounts[i] : 0;
      delta[k] = counts[k] - before;
      if (delta[k] < 0) {
        return null;
      }
    }
    return delta;
  }

  /** The same counts at a lower scale, merging each 2^(scale - target) neighbours. */
  ExponentialBuckets downscaledTo(int target) {
    if (target == scale) {
      return this;
    }
    int shift = scale - target;
    return new ExponentialBuckets(target, zeroThreshold, zeroCount, count, sum,
        positiveOffset >> shift, downscale(positiveOffset, positive, shift),
        negativeOffset >> shift, downscale(negativeOffset, negative, shift));
  }

  private static long[] downscale(int offset, long[] counts, int shift) {
    if (counts.length == 0) {
      return counts;
    }
    int first = offset >> shift;
    int last = (offset + counts.length - 1) >> shift;
    long[] merged = new long[last - first + 1];
    for (int i = 0; i < counts.length; i++) {
      merged[((offset + i) >> shift) - first] += counts[i];
    }
    return merged;
  }

  /** Bucket layout of {@link #toExplicit}; equal layouts share one bounds array. */
  record Layout(int scale, int negativeOffset, int negativeLength, int positiveOffset, int positiveLength) {}

  Layout layout() {
    return new Layout(scale, negativeOffset, negative.length, positiveOffset, positive.length);
  }

  /**
   * Explicit buckets, ascending: the negative buckets (largest magnitude first), then one bucket
   * from the smallest negative bound to the smallest positive bound holding the zero bucket, then
   * the positive buckets. An empty bucket closes each end.
   */
  HistogramSample toExplicit(double[] boundsOrNull) {
    double[] bounds = boundsOrNull != null ? boundsOrNull : boundsOf(layout());
    double[] counts = new double[bounds.length + 1];
    int c = 0;
    if (negative.length > 0) {
      c++; // below the largest negative bound
      for (int i = negative.length - 1; i >= 0; i--) {
        counts[c++] = negative[i];
      }
    }
    counts[c++] = zeroCount;
    for (long p : positive) {
      counts[c++] = p;
    }
    return new HistogramSample(count, sum, bounds, counts);
  }

  static double[] boundsOf(Layout layout) {
    int n = layout.negativeLength() > 0 ? layout.negativeLength() + 1 : 0;
    int p = layout.positiveLength() > 0 ? layout.positiveLength() + 1 : 0;
    if (n + p == 0) {
      return new double[] {0.0}; // only a zero bucket: everything is at or below 0, or above
    }
    double[] bounds = new double[n + p];
    double exponentStep = Math.scalb(1.0, -layout.scale());
    int b = 0;
    for (int i = layout.negativeLength(); i >= 0 && n > 0; i--) {
      bounds[b++] = -Math.pow(2.0, (layout.negativeOffset() + i) * exponentStep);
    }
    for (int i = 0; i <= layout.positiveLength() && p > 0; i++) {
      bounds[b++] = Math.pow(2.0, (layout.positiveOffset() + i) * exponentStep);
    }
    return bounds;
  }
}
