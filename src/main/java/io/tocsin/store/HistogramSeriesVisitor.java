package io.tocsin.store;

/**
 * Receives the histogram series of one scan with their samples in time order; a null sample is
 * a stale marker. The arrays are reused for the next series.
 */
@FunctionalInterface
public interface HistogramSeriesVisitor {
  void series(Labels labels, long[] timesMs, HistogramSample[] samples, int count);
}
