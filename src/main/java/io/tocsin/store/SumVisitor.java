package io.tocsin.store;

/**
 * Receives a sum scan ({@link SeriesStore#scanSums}): for each series the scan reads, the buckets
 * its increases are added into, asked for before they are read; then, for a series that added
 * an increase, how many samples were read for it. A series without one leaves its buckets as
 * they were: a visitor that made new buckets for it can keep them for the next series.
 */
public interface SumVisitor {
  /** The buckets to add the increases of the next series, which has these labels, into. */
  BucketSums sumsFor(Labels labels);

  /** Called after a series that added an increase, with how many samples were read for it. */
  void scanned(int samples);
}
