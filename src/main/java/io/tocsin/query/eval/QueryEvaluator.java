package io.tocsin.query.eval;

import io.tocsin.query.QueryException;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.SeriesStore;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates queries against the store. Thread-safe; the only state it keeps is which groupings its
 * queries ask for ({@link SharedFolds}), which changes how work is shared: a
 * result differs at most in how a sum was rounded, as it does with the number of cores.
 */
public final class QueryEvaluator implements QuerySource {
  private final SeriesStore store;
  private final SharedFolds folds = new SharedFolds();

  public QueryEvaluator(SeriesStore store) {
    this.store = store;
  }

  /**
   * Computes every column over the buckets of {@code grid}. A problem that shows only with the
   * data, such as a percentile of a gauge, is a {@link QueryException}.
   */
  public QueryResult evaluate(Query query, BucketGrid grid) {
    return evaluate(query, grid, new EvaluationCache());
  }

  /**
   * Like {@link #evaluate(Query, BucketGrid)}, sharing results with the other queries evaluated
   * with the same {@code cache}: an expression several queries have in common is computed once.
   */
  @Override
  public QueryResult evaluate(Query query, BucketGrid grid, EvaluationCache cache) {
    return evaluate(query, grid, cache, QueryBudget.UNLIMITED);
  }

  /**
   * Like {@link #evaluate(Query, BucketGrid)} within {@code budget}: an ad-hoc query that reads
   * or builds too much, or runs too long, stops with a {@link QueryLimitException}.
   */
  public QueryResult evaluate(Query query, BucketGrid grid, QueryBudget budget) {
    budget.checkDeadline(); // it may have waited for a thread until too late
    return evaluate(query, grid, new EvaluationCache(), budget);
  }

  private QueryResult evaluate(Query query, BucketGrid grid, EvaluationCache cache, QueryBudget budget) {
    EvalContext ctx = new EvalContext(store, grid, cache, budget, folds);
    List<QueryResult.Column> columns = new ArrayList<>();
    for (int i = 0; i < query.plans().size(); i++) {
      Query.Column column = query.columns().get(i);
      Groups groups;
      try {
        groups = query.plans().get(i).evaluate(ctx);
      } catch (QueryException e) {
        throw e.source() == null ? e.in(QueryException.Source.QUERY, -1) : e;
      }
      ctx.columns.add(groups);
      if (!column.helper()) {
        columns.add(new QueryResult.Column(column.name(), column.groupBy(), groups.view()));
      }
    }
    return new QueryResult(grid, List.copyOf(columns));
  }
}
