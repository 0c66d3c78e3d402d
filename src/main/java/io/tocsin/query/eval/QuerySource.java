package io.tocsin.query.eval;

import io.tocsin.store.BucketGrid;

/**
 * Where a monitor's query is evaluated: the local store ({@link QueryEvaluator}) or a remote
 * Prometheus-compatible store. Every source gives the same {@link QueryResult} for the same data.
 */
public interface QuerySource {
  /**
   * Every column over the buckets of {@code grid}; a source that shares work between the queries
   * of one evaluation does so through {@code cache}. A query problem is a {@link
   * io.tocsin.query.QueryException}; a source that cannot answer throws {@link QuerySourceException}.
   */
  QueryResult evaluate(Query query, BucketGrid grid, EvaluationCache cache);
}
