package io.tocsin.api;

import io.tocsin.query.QueryException;
import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.QueryLimitException;
import io.tocsin.query.eval.QueryResult;
import io.tocsin.query.eval.QuerySourceException;
import io.tocsin.rules.MonitorDefinition;
import io.tocsin.rules.MonitorEngine;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A monitor's checked column per group over recent buckets: what the REST API returns as
 * points and the status page draws. The buckets end with the last one evaluated (or due).
 *
 * @param values per group, one value per bucket of {@code grid}; NaN where there is none
 * @param error why the query failed, or null
 */
record MonitorPoints(BucketGrid grid, Map<Labels, double[]> values, String error) {
  private static final int MAX_BUCKETS = 10_000;

  /**
   * Evaluated as an ad-hoc query: a long range over many groups is limited like one; a monitor
   * with {@code datasource:} asks its datasource ({@code engine} knows which), as it does.
   */
  static MonitorPoints of(AdHocQueries queries, MonitorEngine engine, MonitorDefinition d, Clock clock, Duration range) {
    long step = d.groupingInterval().toMillis();
    long end = Math.floorDiv(clock.millis() - d.evaluationDelay().toMillis(), step) * step;
    int count = (int) Math.max(1, Math.min(MAX_BUCKETS, range.toMillis() / step));
    BucketGrid grid = new BucketGrid(end - count * step, step, count);
    try {
      QueryResult result = d.datasource() == null ? queries.evaluate(d.query(), grid)
          : engine.sourceOf(d.datasource()).evaluate(d.query(), grid, new EvaluationCache());
      return new MonitorPoints(grid, new TreeMap<>(result.column(d.column()).groups()), null);
    } catch (QueryException | QueryLimitException | QuerySourceException | AdHocQueries.Busy e) {
      return new MonitorPoints(grid, Map.of(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new MonitorPoints(grid, Map.of(), "interrupted");
    }
  }
}
