package io.tocsin.api;

import io.tocsin.query.QueryException;
import io.tocsin.query.eval.QueryLimitException;
import io.tocsin.rules.MonitorDefinition;
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

  /** Evaluated as an ad-hoc query: a long range over many groups is limited like one. */
  static MonitorPoints of(AdHocQueries queries, MonitorDefinition d, Clock clock, Duration range) {
    long step = d.groupingInterval().toMillis();
    long end = Math.floorDiv(clock.millis() - d.evaluationDelay().toMillis(), step) * step;
    int count = (int) Math.max(1, Math.min(MAX_BUCKETS, range.toMillis() / step));
    BucketGrid grid = new BucketGrid(end - count * step, step, count);
    try {
      return new MonitorPoints(grid, new TreeMap<>(queries.evaluate(d.query(), grid).column(d.column()).groups()),
          null);
    } catch (QueryException | QueryLimitException | AdHocQueries.Busy e) {
      return new MonitorPoints(grid, Map.of(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new MonitorPoints(grid, Map.of(), "interrupted");
    }
  }
}
