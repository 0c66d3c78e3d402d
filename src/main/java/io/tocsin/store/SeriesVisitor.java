package io.tocsin.store;

/**
 * Receives the series of one scan, one at a time, with their samples in time order. The arrays
 * are reused for the next series: copy what must outlive the call. Stale markers are included
 * ({@link StaleMarker#is}); whether one ends a value is the reader's business.
 */
@FunctionalInterface
public interface SeriesVisitor {
  void series(Labels labels, MetricKind kind, long[] timesMs, double[] values, int count);
}
