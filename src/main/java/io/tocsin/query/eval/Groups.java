package io.tocsin.query.eval;

import io.tocsin.store.Labels;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Values per group and bucket; {@code NaN} marks a bucket without a value. A scalar is one group
 * with no labels whose grouping is null, so that it joins with anything.
 */
final class Groups {
  final Grouping grouping;
  /**
   * In no order: the groups between the stages of an evaluation are found by hash (group labels
   * keep theirs). A sorted map of ten thousand groups cost a chain of comparisons per group,
   * each reading labels from all over the heap, at every stage; only a result is sorted.
   */
  final Map<Labels, double[]> values;
  private Map<Labels, double[]> view;

  Groups(Grouping grouping, Map<Labels, double[]> values) {
    this.grouping = grouping;
    this.values = values;
  }

  static Groups empty(Grouping grouping) {
    return new Groups(grouping, new HashMap<>());
  }

  static Groups scalar(double value, int buckets) {
    double[] v = new double[buckets];
    Arrays.fill(v, value);
    Map<Labels, double[]> values = new HashMap<>();
    values.put(Labels.EMPTY, v);
    return new Groups(null, values);
  }

  /**
   * {@link #values} sorted by labels, read-only, one instance per groups: queries that share these
   * groups (an {@link EvaluationCache}) share the view, so their readers can tell they read the same.
   */
  synchronized Map<Labels, double[]> view() {
    if (view == null) {
      view = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }
    return view;
  }

  boolean isScalar() {
    return grouping == null;
  }
}
