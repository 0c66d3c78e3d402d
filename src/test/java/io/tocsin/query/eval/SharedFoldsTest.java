package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Monitors that aggregate the same series by nested groupings share one fold of the series
 * ({@link SharedFolds}); every group must come out as when each query is evaluated alone.
 */
class SharedFoldsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final long MINUTE = 60_000;
  private static final List<String> GROUPINGS = List.of("group by cluster", "group by cluster, bdb",
      "group by cluster, bdb, node");
  private static final List<String> FUNCTIONS = List.of("$load", "$hits", "sum($load)", "avg($load)", "min($load)",
      "max($load)", "count($load)", "median($load)", "last($load)");

  private final MutableClock clock = new MutableClock(T0);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(2), 100_000, 100_000));

  SharedFoldsTest() {
    fill(store);
    clock.set(T0.plus(Duration.ofMinutes(10)));
  }

  /**
   * 2 clusters x 3 bdbs x 4 nodes x 8 shards; integer values, so every sum is exact in any order,
   * and a distinct sample time per series, so that last() has no ties to break.
   */
  private static void fill(SeriesStore store) {
    int s = 0;
    for (int c = 0; c < 2; c++) {
      for (int b = 0; b < 3; b++) {
        for (int n = 0; n < 4; n++) {
          for (int shard = 0; shard < 8; shard++, s++) {
            Labels labels = Labels.of("cluster", "c" + c, "bdb", "b" + b, "node", "n" + n, "shard", "s" + shard);
            for (int minute = 0; minute < 5; minute++) {
              long t = T0.toEpochMilli() + minute * MINUTE + s * 100L;
              double value = (s * 7 + minute * 3) % 23;
              store.write("load", MetricKind.GAUGE, labels, series -> series.append(t, value));
              store.write("hits", MetricKind.COUNTER, labels, series -> series.append(t, value));
            }
          }
        }
      }
    }
  }

  private static List<Query> queries() {
    List<Query> queries = new ArrayList<>();
    for (String function : FUNCTIONS) {
      for (String grouping : GROUPINGS) {
        queries.add(Query.compile(List.of("load as $load", "hits as $hits"), List.of(grouping, function + " as v")));
      }
    }
    return queries;
  }

  private static BucketGrid grid(int cycle) {
    return new BucketGrid(T0.toEpochMilli() + cycle * MINUTE, MINUTE, 3);
  }

  @Test
  void nestedGroupings_giveTheGroupsOfEachQueryEvaluatedAlone() {
    QueryEvaluator shared = new QueryEvaluator(store);
    List<Query> queries = queries();
    for (int cycle = 0; cycle < 3; cycle++) {
      EvaluationCache cache = new EvaluationCache();
      for (Query query : queries) {
        Map<Labels, double[]> together = shared.evaluate(query, grid(cycle), cache).column("v").groups();
        Map<Labels, double[]> alone = new QueryEvaluator(store).evaluate(query, grid(cycle), new EvaluationCache())
            .column("v").groups();
        assertThat(together).as("%s in cycle %d", query.items(), cycle).containsOnlyKeys(alone.keySet());
        alone.forEach((group, values) -> assertThat(together.get(group)).as("%s %s", query.items(), group)
            .containsExactly(values));
      }
      if (cycle > 0) {
        // From the second cycle on, each source is folded once by the union of the groupings: eight
        // sources, since $load and avg($load) fold the same series the same way.
        assertThat(cache.keys()).filteredOn(key -> key.contains(" by (bdb, cluster, node)")).hasSize(8);
      }
    }
  }

  @Test
  void cyclesWithoutSamples_doNotStopTheSharingWhenSamplesCome() {
    QueryEvaluator shared = new QueryEvaluator(store);
    List<Query> queries = queries();
    // Before the first sample, then with samples: an empty fold is not one "too fine" to share.
    for (int cycle : new int[] {-20, -19, -18, 1, 2}) {
      EvaluationCache cache = new EvaluationCache();
      for (Query query : queries) {
        shared.evaluate(query, grid(cycle), cache);
      }
      if (cycle == 2) {
        assertThat(cache.keys()).filteredOn(key -> key.contains(" by (bdb, cluster, node)")).hasSize(8);
      }
    }
  }

  @Test
  void foldBy_isTheUnionOfTheGroupingsAskedForWithinTheLastHour() {
    SharedFolds folds = new SharedFolds();
    Grouping cluster = new Grouping(List.of("cluster"));
    Grouping node = new Grouping(List.of("cluster", "node"));
    Grouping shard = new Grouping(List.of("shard"));

    assertThat(folds.foldBy("load", cluster, 0)).isEqualTo(cluster);
    assertThat(folds.foldBy("load", node, 0)).isEqualTo(node);
    assertThat(folds.foldBy("load", cluster, MINUTE)).isEqualTo(node);
    assertThat(folds.foldBy("other", shard, MINUTE)).isEqualTo(shard);
    // Nobody asked for (cluster, node) for more than an hour: the monitor that did is gone.
    assertThat(folds.foldBy("load", cluster, SharedFolds.FORGET_AFTER_MS + 1)).isEqualTo(cluster);
  }

  @Test
  void foldBy_aUnionThatWasTooFine_isNotUsedUntilTheUnionChanges() {
    SharedFolds folds = new SharedFolds();
    Grouping cluster = new Grouping(List.of("cluster"));
    Grouping shard = new Grouping(List.of("shard"));
    Grouping both = new Grouping(List.of("cluster", "shard"));
    folds.foldBy("load", cluster, 0);
    assertThat(folds.foldBy("load", shard, 0)).isEqualTo(both);

    folds.tooFine("load", both);

    assertThat(folds.foldBy("load", cluster, 0)).isEqualTo(cluster);
    assertThat(folds.foldBy("load", new Grouping(List.of("node")), 0))
        .isEqualTo(new Grouping(List.of("cluster", "node", "shard")));
  }

  @Test
  void aGroupingAsFineAsTheSeries_foldsEachAggregationFromTheSeries() {
    QueryEvaluator shared = new QueryEvaluator(store);
    Query byShard = Query.compile(List.of("load as $load"), List.of("group by cluster, bdb, node, shard", "$load as v"));
    Query byCluster = Query.compile(List.of("load as $load"), List.of("group by cluster", "$load as v"));
    for (int cycle = 0; cycle < 3; cycle++) {
      EvaluationCache cache = new EvaluationCache();
      shared.evaluate(byShard, grid(cycle), cache);
      Map<Labels, double[]> together = shared.evaluate(byCluster, grid(cycle), cache).column("v").groups();
      Map<Labels, double[]> alone = new QueryEvaluator(store).evaluate(byCluster, grid(cycle)).column("v").groups();
      assertThat(together.keySet()).containsExactlyElementsOf(alone.keySet());
      alone.forEach((group, values) -> assertThat(together.get(group)).containsExactly(values));
      if (cycle == 2) {
        // The fine fold was tried once (cycle 1), found to leave a group per series, and not made again.
        assertThat(cache.keys()).noneMatch(key -> key.contains(" by (bdb, cluster, node, shard)") && key.contains("AVG"));
      }
    }
  }
}
