package io.tocsin.store;

/** One series' raw samples over a time range, in time order; a copy, safe to keep. */
public record SeriesSamples(String metric, Labels labels, MetricKind kind, long[] timesMs, double[] values) {
  public int size() {
    return timesMs.length;
  }
}
