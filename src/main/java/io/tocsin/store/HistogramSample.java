package io.tocsin.store;

import java.util.Arrays;

/**
 * Delta bucket counts of one histogram point: bucket {@code i} counts values in {@code
 * (bounds[i-1], bounds[i]]}, with the first bucket open below and the last open above, as in
 * OTLP's explicit-bucket histograms. A histogram with no buckets carries only count and sum.
 *
 * <p>The arrays are never modified after construction; consecutive samples of a series share one
 * {@code bounds} array while the layout stays the same.
 *
 * @param sum the sum of recorded values, or NaN when the producer did not report one
 */
public record HistogramSample(double count, double sum, double[] bounds, double[] counts) {
  public HistogramSample {
    if (!(bounds.length == 0 && counts.length == 0) && counts.length != bounds.length + 1) {
      throw new IllegalArgumentException(
          "a histogram with " + bounds.length + " bounds needs " + (bounds.length + 1)
              + " bucket counts, got " + counts.length);
    }
  }

  public static HistogramSample empty(double[] bounds) {
    return new HistogramSample(0, 0, bounds, bounds.length == 0 ? new double[0] : new double[bounds.length + 1]);
  }

  public boolean sameLayout(HistogramSample other) {
    return bounds == other.bounds || Arrays.equals(bounds, other.bounds);
  }

  /**
   * The sum of two histograms. When their layouts differ, the result uses the union of both
   * bounds, and each source bucket's count goes to the union bucket sharing its upper bound: no
   * count is lost, and none moves below the bound it was recorded under.
   */
  public static HistogramSample merge(HistogramSample a, HistogramSample b) {
    double sum = Double.isNaN(a.sum) || Double.isNaN(b.sum) ? Double.NaN : a.sum + b.sum;
    if (a.sameLayout(b)) {
      double[] counts = a.counts.clone();
      for (int i = 0; i < counts.length; i++) {
        counts[i] += b.counts[i];
      }
      return new HistogramSample(a.count + b.count, sum, a.bounds, counts);
    }
    double[] union = unionOf(a.bounds, b.bounds);
    double[] counts = new double[union.length + 1];
    addInto(a, union, counts);
    addInto(b, union, counts);
    return new HistogramSample(a.count + b.count, sum, union, counts);
  }

  private static void addInto(HistogramSample h, double[] union, double[] counts) {
    for (int i = 0; i < h.counts.length; i++) {
      int target = i < h.bounds.length ? Arrays.binarySearch(union, h.bounds[i]) : union.length;
      counts[target] += h.counts[i];
    }
  }

  private static double[] unionOf(double[] a, double[] b) {
    double[] all = new double[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    Arrays.sort(all);
    int n = 0;
    for (int i = 0; i < all.length; i++) {
      if (n == 0 || all[i] != all[n - 1]) {
        all[n++] = all[i];
      }
    }
    return Arrays.copyOf(all, n);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistogramSample h
        && Double.compare(count, h.count) == 0
        && Double.compare(sum, h.sum) == 0
        && Arrays.equals(bounds, h.bounds)
        && Arrays.equals(counts, h.counts);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Double.hashCode(count) + Arrays.hashCode(bounds)) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    return "HistogramSample[count=" + count + ", sum=" + sum + ", bounds=" + Arrays.toString(bounds)
        + ", counts=" + Arrays.toString(counts) + "]";
  }
}
