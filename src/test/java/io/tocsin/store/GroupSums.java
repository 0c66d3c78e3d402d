package io.tocsin.store;

import java.util.Arrays;

/**
 * Buckets for {@link SeriesStore#scanSums} as a group's accumulator starts them: sums at -0.0,
 * marks at 0. Prints them bit for bit, every NaN as one.
 */
final class GroupSums implements BucketSums {
  final double[] sums;
  final int[] counts;

  GroupSums(int buckets) {
    sums = new double[buckets];
    Arrays.fill(sums, -0.0);
    counts = new int[buckets];
  }

  @Override
  public double[] sums() {
    return sums;
  }

  @Override
  public int[] counts() {
    return counts;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (int b = 0; b < sums.length; b++) {
      out.append(' ').append(Long.toHexString(Double.doubleToLongBits(sums[b]))).append('x').append(counts[b]);
    }
    return out.toString();
  }
}
