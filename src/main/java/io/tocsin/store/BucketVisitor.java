package io.tocsin.store;

/**
 * Receives the series of a bucket scan ({@link SeriesStore#scanBuckets}) one at a time: a value
 * per bucket (NaN: none), the time of the sample a last value came from (zero in a scan of
 * sums, whose readers never ask), and how many samples were read for it. The arrays are reused
 * for the next series: copy what must outlive the call.
 */
@FunctionalInterface
public interface BucketVisitor {
  void series(Labels labels, double[] values, long[] timesMs, int samples);
}
