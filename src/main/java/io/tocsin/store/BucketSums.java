package io.tocsin.store;

/**
 * Buckets that a sum scan ({@link SeriesStore#scanSums}) adds increases into directly: per
 * bucket a sum, which must start at 0 or -0.0, and a mark, which the scan sets to 1 when the
 * bucket takes an increase and leaves as it is otherwise (0 for a bucket that took none). A mark
 * rather than a count of increases: a day's bucket over a million series would hold more of them
 * than an int does.
 */
public interface BucketSums {
  double[] sums();

  int[] counts();
}
