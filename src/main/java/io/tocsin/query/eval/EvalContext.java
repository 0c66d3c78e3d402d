package io.tocsin.query.eval;

import io.tocsin.store.BucketGrid;
import io.tocsin.store.SeriesStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What one evaluation reads: the store, the buckets, and the columns computed so far. */
final class EvalContext {
  final SeriesStore store;
  final BucketGrid grid;
  final List<Groups> columns = new ArrayList<>();
  /** Results of nodes that may recur, by {@code ValueNode} memo key; possibly shared with other queries. */
  final EvaluationCache cache;
  /** What the evaluation may spend; charged before memory is allocated. */
  final QueryBudget budget;
  /** The groupings the evaluator's queries fold the same series by, learned across evaluations. */
  final SharedFolds folds;
  private final String gridKey;

  EvalContext(SeriesStore store, BucketGrid grid, EvaluationCache cache, QueryBudget budget, SharedFolds folds) {
    this.store = store;
    this.grid = grid;
    this.cache = cache;
    this.budget = budget;
    this.folds = folds;
    this.gridKey = " @" + grid.startMs() + "/" + grid.stepMs() + "x" + grid.count();
  }

  <T> T memoized(String key, Supplier<T> compute) {
    return cache.get(key + gridKey, compute);
  }

  /**
   * Whether scans may be split among the common pool's threads and per-series values kept for
   * the other queries of a cycle: only without a budget (monitors). A limited (ad-hoc) query
   * stays on its own thread, and keeps in memory only what it charged for.
   */
  boolean shareWork() {
    return budget.unlimited();
  }

  int buckets() {
    return grid.count();
  }

  double stepSeconds() {
    return grid.stepMs() / 1000.0;
  }
}
