package io.tocsin.query.eval;

import io.tocsin.store.HistogramSample;

/** Percentiles from bucket counts, estimated the way Prometheus' histogram_quantile does. */
final class Histograms {
  private Histograms() {}

  /**
   * The {@code q}-quantile: find the bucket holding the rank {@code q * total} and interpolate
   * linearly inside it. The first bucket starts at 0 when its bound is positive; a rank in the
   * open last bucket gives the highest bound. NaN for an empty histogram.
   */
  static double quantile(double q, HistogramSample h) {
    double[] bounds = h.bounds();
    double[] counts = h.counts();
    double total = 0;
    for (double c : counts) {
      total += c;
    }
    if (total <= 0 || bounds.length == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && cumulative + counts[i] >= rank) {
        if (i == bounds.length) {
          return bounds[bounds.length - 1];
        }
        double upper = bounds[i];
        double lower;
        if (i == 0) {
          if (upper <= 0) {
            return upper;
          }
          lower = 0;
        } else {
          lower = bounds[i - 1];
        }
        return lower + (upper - lower) * (rank - cumulative) / counts[i];
      }
      cumulative += counts[i];
    }
    return bounds[bounds.length - 1];
  }
}
