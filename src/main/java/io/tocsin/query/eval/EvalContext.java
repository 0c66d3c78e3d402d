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
  /** Results of nodes that may recur, by {@code ValueNode} memo key; possibly shared with other queries. */
  final EvaluationCache cache;
  private final String gridKey;

  EvalContext(SeriesStore store, BucketGrid grid, EvaluationCache cache) {
    this.store = store;
    this.grid = grid;
    this.cache = cache;
    this.gridKey = " @" + grid.startMs() + "/" + grid.stepMs() + "x" + grid.count();
  }

  <T> T memoized(String key, java.util.function.Supplier<T> compute) {
    return cache.get(key + gridKey, compute);
  }

  int buckets() {
    return grid.count();
  }

  double stepSeconds() {
    return grid.stepMs() / 1000.0;
  }
}
