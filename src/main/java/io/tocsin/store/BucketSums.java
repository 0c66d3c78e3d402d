package io.tocsin.store;

/**
 * Buckets that a sum scan ({@link SeriesStore#scanSums}) adds increases into directly: per
 * bucket a sum, which must start at 0 or -0.0, and a count of the increases added, which is 0
 * for a bucket that took none.
 */
public interface BucketSums {
  double[] sums();

  int[] counts();
}
