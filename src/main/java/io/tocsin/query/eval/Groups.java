package io.tocsin.query.eval;

import io.tocsin.store.Labels;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values per group and bucket; {@code NaN} marks a bucket without a value. A scalar is one group
 * with no labels whose grouping is null, so that it joins with anything.
 */
final class Groups {
  final Grouping grouping;
  final Map<Labels, double[]> values;
  private Map<Labels, double[]> view;

  Groups(Grouping grouping, Map<Labels, double[]> values) {
    this.grouping = grouping;
    this.values = values;
  }

  static Groups empty(Grouping grouping) {
    return new Groups(grouping, new TreeMap<>());
  }

  static Groups scalar(double value, int buckets) {
    double[] v = new double[buckets];
    Arrays.fill(v, value);
    Map<Labels, double[]> values = new TreeMap<>();
    values.put(Labels.EMPTY, v);
    return new Groups(null, values);
  }

  /**
   * {@link #values}, read-only, one instance per groups: queries that share these groups (an
   * {@link EvaluationCache}) share the view, so their readers can tell they read the same.
   */
  synchronized Map<Labels, double[]> view() {
    if (view == null) {
      view = Collections.unmodifiableMap(values);
    }
    return view;
  }

  boolean isScalar() {
    return grouping == null;
  }
}
