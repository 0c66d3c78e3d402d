package io.tocsin.query.eval;

import io.tocsin.store.BucketGrid;
import io.tocsin.store.SeriesStore;
import java.util.ArrayList;
import java.util.List;

/** What one evaluation reads: the store, the buckets, and the columns computed so far. */
final class EvalContext {
  final SeriesStore store;
  final BucketGrid grid;
  final List<Groups> columns = new ArrayList<>();
  /** Results of the nodes that may recur within one evaluation, by {@code ValueNode} memo key. */
  final java.util.Map<String, Groups> memo = new java.util.HashMap<>();

  EvalContext(SeriesStore store, BucketGrid grid) {
    this.store = store;
    this.grid = grid;
  }

  int buckets() {
    return grid.count();
  }

  double stepSeconds() {
    return grid.stepMs() / 1000.0;
  }
}
