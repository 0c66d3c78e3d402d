package io.tocsin.store;

import java.util.Locale;

/**
 * How a metric's samples are read and combined. The kind is fixed by the first series of a metric;
 * points of another kind under the same name are rejected.
 */
public enum MetricKind {
  /** A measured value; per bucket the last sample, across a group the average. */
  GAUGE,
  /** Samples are increases (delta values); per bucket their sum, across a group the sum. */
  COUNTER,
  /** A non-monotonic sum (up-down counter); per bucket the last value, across a group the sum. */
  ADDITIVE,
  /** Samples are delta bucket counts with count and sum; read through functions only. */
  HISTOGRAM;

  /** Lower-case name used in messages and the REST API. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
