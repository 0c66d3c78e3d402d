package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ad-hoc limits: charged as the evaluation goes, with the limit's name, value and advice. */
class QueryBudgetTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  /** 10 buckets of 1m; 200 series of a gauge with a sample in each: 2,000 points. */
  private static final BucketGrid GRID = new BucketGrid(T0.toEpochMilli(), 60_000, 10);
  private static final Duration STEP = Duration.ofMinutes(1);

  private final MutableClock clock = new MutableClock(T0.plusSeconds(3600));
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 10_000, 10_000));
  private final QueryEvaluator evaluator = new QueryEvaluator(store);

  QueryBudgetTest() {
    for (int pod = 0; pod < 200; pod++) {
      Labels labels = Labels.of("pod", "p" + pod, "node", "n" + pod % 4);
      for (int minute = 0; minute < 10; minute++) {
        long t = T0.toEpochMilli() + minute * 60_000L;
        store.write("load", MetricKind.GAUGE, labels, s -> s.append(t, 1));
      }
    }
  }

  private static Query query(String... items) {
    return Query.compile(List.of("load as $load"), List.of(items));
  }

  private QueryLimitException limitError(Query query, QueryBudget.Limits limits) {
    return catchThrowableOfType(QueryLimitException.class,
        () -> evaluator.evaluate(query, GRID, QueryBudget.start(limits, System.nanoTime(), GRID.count(), STEP)));
  }

  @Test
  void groupsTimesBuckets_overTheLimit_stopsAsTheGroupsAppear() {
    QueryLimitException e = limitError(query("group by pod", "$load"),
        new QueryBudget.Limits(1_000_000, 1_000, Duration.ofMinutes(1)));

    assertThat(e.limit()).isEqualTo("max_result_points");
    assertThat(e.value()).isEqualTo(1_000L);
    assertThat(e).hasMessage("the query builds more than 1000 points (query.max_result_points), counted as "
        + "groups × 10 buckets of 1m; narrow it: a larger interval, a shorter range, fewer group by attributes, "
        + "or a where filter");
  }

  @Test
  void moreBucketsThanTheLimit_isRefusedBeforeEvaluating() {
    QueryLimitException e = catchThrowableOfType(QueryLimitException.class, () -> QueryBudget.start(
        new QueryBudget.Limits(1_000_000, 5, Duration.ofMinutes(1)), System.nanoTime(), GRID.count(), STEP));

    assertThat(e).hasMessage("the query builds more than 5 points (query.max_result_points), counted as "
        + "groups × 10 buckets of 1m; narrow it: a larger interval, a shorter range, fewer group by attributes, "
        + "or a where filter");
  }

  @Test
  void pointsScanned_overTheLimit() {
    QueryLimitException e = limitError(query("$load"), new QueryBudget.Limits(1_500, 1_000_000, Duration.ofMinutes(1)));

    assertThat(e.limit()).isEqualTo("max_points_scanned");
    assertThat(e).hasMessage("the query reads more than 1500 points from the store (query.max_points_scanned); "
        + "narrow it: a shorter range, or a where filter that selects fewer series");
  }

  @Test
  void counterSum_withLimits_readsIntoTheGroupsAsWithoutAndIsCharged() {
    // With limits, work is not shared: the increases go straight into the groups (SeriesStore.scanSums).
    for (int pod = 0; pod < 200; pod++) {
      Labels labels = Labels.of("pod", "p" + pod, "node", "n" + pod % 4);
      for (int minute = 0; minute < 10; minute++) {
        long t = T0.toEpochMilli() + minute * 60_000L;
        double increase = pod * 0.25 + minute;
        store.write("requests", MetricKind.COUNTER, labels, s -> s.append(t, increase));
      }
    }
    Query query = Query.compile(List.of("requests as $r"), List.of("group by node", "$r as r"));
    QueryBudget.Limits roomy = new QueryBudget.Limits(1_000_000, 1_000_000, Duration.ofMinutes(1));

    QueryResult limited = evaluator.evaluate(query, GRID, QueryBudget.start(roomy, System.nanoTime(), GRID.count(), STEP));
    QueryResult shared = evaluator.evaluate(query, GRID); // unlimited: read once for the evaluation, then folded

    assertThat(limited.column("r").groups()).hasSize(4);
    limited.column("r").groups().forEach((group, values) ->
        assertThat(values).as("%s", group).containsExactly(shared.column("r").groups().get(group)));
    QueryLimitException e = limitError(query, new QueryBudget.Limits(1_500, 1_000_000, Duration.ofMinutes(1)));
    assertThat(e.limit()).isEqualTo("max_points_scanned");
  }

  @Test
  void pastTheDeadline_theEvaluationStops() {
    QueryLimitException e = catchThrowableOfType(QueryLimitException.class, () -> evaluator.evaluate(query("$load"),
        GRID, QueryBudget.start(new QueryBudget.Limits(1_000_000, 1_000_000, Duration.ofSeconds(30)),
            System.nanoTime() - Duration.ofSeconds(31).toNanos(), GRID.count(), STEP)));

    assertThat(e.limit()).isEqualTo("timeout");
    assertThat(e.value()).isEqualTo("30s");
    assertThat(e).hasMessage("the query took longer than 30s (query.timeout) and was cancelled; narrow it: a shorter "
        + "range, a larger interval, fewer group by attributes, or a where filter that selects fewer series");
  }

  @Test
  void withinTheLimits_theResultIsTheUnlimitedOne() {
    Query query = query("group by node", "sum($load) as total | $load * 2 as double");
    QueryResult unlimited = evaluator.evaluate(query, GRID);
    // Each column reads the 2,000 points; it builds 4 nodes × 10 buckets for the sum, the average,
    // and the product, and 10 buckets for the constant 2.
    QueryResult limited = evaluator.evaluate(query, GRID, QueryBudget.start(
        new QueryBudget.Limits(4_000, 4 * 10 * 3 + 10, Duration.ofMinutes(1)), System.nanoTime(), GRID.count(), STEP));

    for (String column : List.of("total", "double")) {
      assertThat(limited.column(column).groups()).hasSize(4);
      unlimited.column(column).groups().forEach((labels, values) ->
          assertThat(limited.column(column).groups().get(labels)).containsExactly(values));
    }
  }

  @Test
  void monitors_areNotLimited() {
    QueryResult result = evaluator.evaluate(query("group by pod", "$load"), GRID, new EvaluationCache());

    assertThat(result.column("$load").groups()).hasSize(200);
  }
}
