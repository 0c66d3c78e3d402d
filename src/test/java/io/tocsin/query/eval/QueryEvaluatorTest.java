package io.tocsin.query.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.tocsin.ingest.MetricsTranslator;
import io.tocsin.query.QueryException;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Queries over a store filled with known samples; every expected value is worked out by hand. */
class QueryEvaluatorTest {
  /** Bucket 0 is [T0, T0+1m), bucket 1 [T0+1m, T0+2m), bucket 2 [T0+2m, T0+3m). */
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
  private static final BucketGrid GRID = new BucketGrid(T0.toEpochMilli(), 60_000, 3);
  private static final double NaN = Double.NaN;

  private final MutableClock clock = new MutableClock(T0.minusSeconds(60));
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 10_000, 10_000));
  private final MetricsTranslator translator = new MetricsTranslator(store, clock); // started at T0 - 1m
  private final QueryEvaluator evaluator = new QueryEvaluator(store);

  QueryEvaluatorTest() {
    clock.set(T0.plusSeconds(600)); // evaluate after all the data arrived
  }

  private static long t(int seconds) {
    return T0.toEpochMilli() + seconds * 1000L;
  }

  private void write(String metric, MetricKind kind, Labels labels, int second, double value) {
    store.write(metric, kind, labels, s -> s.append(t(second), value));
  }

  private QueryResult run(List<String> metrics, String... items) {
    return evaluator.evaluate(Query.compile(metrics, List.of(items)), GRID);
  }

  private static Map<Labels, double[]> groups(QueryResult result, String column) {
    return result.column(column).groups();
  }

  // --- the seed's hit-rate monitor -----------------------------------------------------------------

  /** A cumulative counter stream sent over the ingest path; values at 0s, 30s, 60s... */
  private void cumulative(String metric, Labels labels, long... values) throws Exception {
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i < values.length; i++) {
      NumberDataPoint.Builder p = NumberDataPoint.newBuilder()
          .setStartTimeUnixNano((T0.toEpochMilli() - 30_000) * 1_000_000) // after the receiver started
          .setTimeUnixNano(t(i * 30) * 1_000_000).setAsInt(values[i]);
      labels.forEach((k, v) -> p.addAttributes(KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v))));
      sum.addDataPoints(p);
    }
    byte[] request = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName(metric).setSum(sum))))
        .build().toByteArray();
    assertThat(translator.write(request).rejected()).isZero();
  }

  @Test
  void seedHitRate_perNodeOverCumulativeCountersWithAReset() throws Exception {
    Labels n1 = Labels.of("cluster", "c1", "bdb", "1", "node", "n1");
    // increases 10, 20 | 30, 10 | 5 (the counter reset to 5), 20
    cumulative("redis.keyspace.read_hits", n1, 10, 30, 60, 70, 5, 25);
    // increases 0, 10 | 0, 10 | 20, 0
    cumulative("redis.keyspace.read_misses", n1, 0, 10, 10, 20, 40, 40);
    // Node n2 has two hosts; hosts are not grouped, so their counts add up: 20 hits, 0 misses.
    for (String host : List.of("h1", "h2")) {
      Labels n2 = Labels.of("cluster", "c1", "bdb", "1", "node", "n2", "host", host);
      cumulative("redis.keyspace.read_hits", n2, 5, 10, 15, 20, 25, 30);
      cumulative("redis.keyspace.read_misses", n2, 0, 0, 0, 0, 0, 0);
    }
    // Node n3 saw no traffic: 0/0 has no value, so n3 has no group.
    Labels n3 = Labels.of("cluster", "c1", "bdb", "1", "node", "n3");
    cumulative("redis.keyspace.read_hits", n3, 0, 0, 0, 0, 0, 0);
    cumulative("redis.keyspace.read_misses", n3, 0, 0, 0, 0, 0, 0);

    QueryResult result = run(List.of("redis_keyspace_read_hits as $hits", "redis_keyspace_read_misses as $misses"),
        "group by cluster", "group by bdb", "group by node", "$hits / ($hits + $misses) as hit_rate");

    QueryResult.Column hitRate = result.column("hit_rate");
    assertThat(hitRate.groupBy()).containsExactly("bdb", "cluster", "node");
    assertThat(hitRate.groups()).containsOnlyKeys(n1, Labels.of("cluster", "c1", "bdb", "1", "node", "n2"));
    assertThat(hitRate.groups().get(n1)).containsExactly(new double[] {30.0 / 40, 40.0 / 50, 25.0 / 45}, within(1e-12));
    assertThat(hitRate.groups().get(Labels.of("cluster", "c1", "bdb", "1", "node", "n2"))).containsExactly(1, 1, 1);
  }

  @Test
  void seedShardDown_gaugeAveragedPerShard() {
    Labels shard = Labels.of("cluster", "c1", "bdb", "1", "node", "n1");
    write("redis_up", MetricKind.GAUGE, shard, 10, 1);
    write("redis_up", MetricKind.GAUGE, shard, 70, 0);
    write("redis_up", MetricKind.GAUGE, shard, 130, 0);

    QueryResult result = run(List.of("redis_up as $redis_up"),
        "group by cluster", "group by bdb", "group by node", "$redis_up");

    assertThat(groups(result, "$redis_up").get(shard)).containsExactly(1, 0, 0);
  }

  // --- grouping and aggregation --------------------------------------------------------------

  @Test
  void gaugeAggregations_averageByDefaultOrAsAsked() {
    write("cpu", MetricKind.GAUGE, Labels.of("host", "a", "dc", "x"), 10, 10);
    write("cpu", MetricKind.GAUGE, Labels.of("host", "b", "dc", "x"), 20, 30);
    write("cpu", MetricKind.GAUGE, Labels.of("host", "b", "dc", "x"), 50, 40); // last in the bucket counts
    write("cpu", MetricKind.GAUGE, Labels.of("host", "c", "dc", "y"), 10, 50);

    QueryResult result = run(List.of("cpu as $cpu"), "group by dc",
        "$cpu as plain", "avg($cpu) as mean", "min($cpu) as low", "max($cpu) as high", "sum($cpu) as total",
        "count($cpu) as n", "median($cpu) as mid", "last($cpu) as latest");

    Labels x = Labels.of("dc", "x");
    Labels y = Labels.of("dc", "y");
    assertThat(groups(result, "plain").get(x)[0]).isEqualTo(25);
    assertThat(groups(result, "mean").get(x)[0]).isEqualTo(25);
    assertThat(groups(result, "low").get(x)[0]).isEqualTo(10);
    assertThat(groups(result, "high").get(x)[0]).isEqualTo(40);
    assertThat(groups(result, "total").get(x)[0]).isEqualTo(50);
    assertThat(groups(result, "n").get(x)[0]).isEqualTo(2);
    assertThat(groups(result, "mid").get(x)[0]).isEqualTo(25);
    assertThat(groups(result, "latest").get(x)[0]).isEqualTo(40); // host b's sample at 50s is the latest
    assertThat(groups(result, "low").get(y)).containsExactly(50, NaN, NaN);
  }

  @Test
  void countersSumWithinGroupsAndRateFunctionsScaleByTime() {
    // 30 requests every 15 s on each of two hosts: 120 per host-minute.
    for (String host : List.of("a", "b")) {
      for (int s = 0; s < 180; s += 15) {
        write("http_requests", MetricKind.COUNTER, Labels.of("host", host), s, 30);
      }
    }

    QueryResult result = run(List.of("http.requests as $req"),
        "$req as plain", "per_min($req) as pm", "per_sec($req) as ps", "increase($req[2m]) as inc2m",
        "rate($req[2m]) as rate2m", "sum(rate($req[2m])) by (host) as per_host", "irate($req[1m]) as instant");

    assertThat(groups(result, "plain").get(Labels.EMPTY)).containsExactly(240, 240, 240);
    assertThat(groups(result, "pm").get(Labels.EMPTY)).containsExactly(240, 240, 240);
    assertThat(groups(result, "ps").get(Labels.EMPTY)).containsExactly(4, 4, 4);
    // The 2m window of bucket 0 reaches back before the data: only bucket 0's 240 requests.
    assertThat(groups(result, "inc2m").get(Labels.EMPTY)).containsExactly(240, 480, 480);
    assertThat(groups(result, "rate2m").get(Labels.EMPTY)).containsExactly(2, 4, 4);
    assertThat(groups(result, "per_host").get(Labels.of("host", "a"))).containsExactly(1, 2, 2);
    // The last increase (30) over the 15 s since the sample before it, on two hosts.
    assertThat(groups(result, "instant").get(Labels.EMPTY)).containsExactly(4, 4, 4);
  }

  @Test
  void counterSum_overMoreBucketsThanAreShared_keepsOnlyGroupsWithIncreasesInTheGrid() {
    // More buckets than a shared read keeps (SeriesNode.MATERIALIZE_BUCKETS): each series' increases
    // go straight into its group's sums (SeriesStore.scanSums), asked for before they are read.
    BucketGrid grid = new BucketGrid(T0.toEpochMilli(), 60_000, 20);
    // b's only series and c's first have their samples before the grid; c's second and a's in it.
    write("req", MetricKind.COUNTER, Labels.of("host", "b", "pod", "1"), -120, 5);
    write("req", MetricKind.COUNTER, Labels.of("host", "c", "pod", "1"), -120, 5);
    write("req", MetricKind.COUNTER, Labels.of("host", "c", "pod", "2"), 30, 2);
    write("req", MetricKind.COUNTER, Labels.of("host", "c", "pod", "2"), 45, 3);
    write("req", MetricKind.COUNTER, Labels.of("host", "a", "pod", "1"), 0, 1);
    write("req", MetricKind.COUNTER, Labels.of("host", "a", "pod", "2"), 1_140, 4);
    write("req", MetricKind.COUNTER, Labels.of("host", "a", "pod", "2"), 1_150, 0.5);

    QueryResult result = evaluator.evaluate(Query.compile(List.of("req as $r"), List.of("group by host", "$r as r")),
        grid);

    Map<Labels, double[]> r = groups(result, "r");
    assertThat(r.keySet()).containsExactlyInAnyOrder(Labels.of("host", "a"), Labels.of("host", "c"));
    double[] a = new double[20];
    Arrays.fill(a, NaN);
    a[0] = 1;
    a[19] = 4.5;
    assertThat(r.get(Labels.of("host", "a"))).containsExactly(a);
    double[] c = new double[20];
    Arrays.fill(c, NaN);
    c[0] = 5;
    assertThat(r.get(Labels.of("host", "c"))).containsExactly(c);
  }

  @Test
  void windowFunctionsOverGauges() {
    Labels h = Labels.of("host", "a");
    double[] temperatures = {20, 22, 21, 25, 30, 24};
    for (int i = 0; i < temperatures.length; i++) {
      write("temp", MetricKind.GAUGE, h, i * 30, temperatures[i]);
    }

    QueryResult result = run(List.of("temp as $t"),
        "max_over_time($t[2m]) as hi", "min_over_time($t[1m]) as lo", "avg_over_time($t[1m]) as mean",
        "sum_over_time($t[1m]) as total", "delta($t[2m]) as change", "$t offset 1m as before");

    assertThat(groups(result, "hi").get(Labels.EMPTY)).containsExactly(22, 25, 30);
    assertThat(groups(result, "lo").get(Labels.EMPTY)).containsExactly(20, 21, 24);
    assertThat(groups(result, "mean").get(Labels.EMPTY)).containsExactly(21, 23, 27);
    assertThat(groups(result, "total").get(Labels.EMPTY)).containsExactly(42, 46, 54);
    assertThat(groups(result, "change").get(Labels.EMPTY)).containsExactly(2, 5, 3);
    assertThat(groups(result, "before").get(Labels.EMPTY)).containsExactly(NaN, 22, 25);
  }

  @Test
  void nestedAggregation_regroupsCoarser() {
    write("mem", MetricKind.GAUGE, Labels.of("host", "a", "type", "heap"), 0, 10);
    write("mem", MetricKind.GAUGE, Labels.of("host", "a", "type", "stack"), 0, 2);
    write("mem", MetricKind.GAUGE, Labels.of("host", "b", "type", "heap"), 0, 30);
    write("mem", MetricKind.GAUGE, Labels.of("host", "b", "type", "stack"), 0, 6);

    QueryResult result = run(List.of("mem as $mem"), "avg(sum($mem by (host, type)) by (type)) as per_type",
        "max(sum($mem by (host))) as biggest_host", "max(sum($mem by (host, type)) by (host)) as biggest_type");

    assertThat(groups(result, "per_type").get(Labels.of("type", "heap"))[0]).isEqualTo(20);
    assertThat(groups(result, "per_type").get(Labels.of("type", "stack"))[0]).isEqualTo(4);
    assertThat(groups(result, "biggest_host").get(Labels.EMPTY)[0]).isEqualTo(36);
    assertThat(groups(result, "biggest_type").get(Labels.of("host", "a"))[0]).isEqualTo(10);
  }

  @Test
  void uniq_countsDistinctAttributeValuesWithData() {
    write("up", MetricKind.GAUGE, Labels.of("host", "a", "pod", "1"), 0, 1);
    write("up", MetricKind.GAUGE, Labels.of("host", "a", "pod", "2"), 0, 1);
    write("up", MetricKind.GAUGE, Labels.of("host", "b", "pod", "3"), 0, 1);
    write("up", MetricKind.GAUGE, Labels.of("host", "b", "pod", "3"), 70, 1);

    QueryResult result = run(List.of("up as $up"), "uniq($up, host) as hosts", "uniq($up) as series");

    assertThat(groups(result, "hosts").get(Labels.EMPTY)).containsExactly(2, 1, NaN);
    assertThat(groups(result, "series").get(Labels.EMPTY)).containsExactly(3, 1, NaN);
  }

  // --- histograms ----------------------------------------------------------------------------

  @Test
  void percentiles_interpolateInsideTheBucketAcrossMergedSeries() {
    double[] bounds = {1, 5, 10};
    store.write("http_latency", MetricKind.HISTOGRAM, Labels.of("host", "a"),
        s -> s.appendHistogram(t(10), new HistogramSample(25, 100, bounds, new double[] {10, 10, 5, 0})));
    store.write("http_latency", MetricKind.HISTOGRAM, Labels.of("host", "b"),
        s -> s.appendHistogram(t(20), new HistogramSample(15, 80, bounds, new double[] {0, 10, 5, 0})));

    QueryResult result = run(List.of("http.latency as $lat"),
        "p50($lat) as p50", "p90($lat) as p90", "p99($lat) as p99", "count($lat) as n", "avg($lat) as mean",
        "p50($lat) by (host) as p50_host");

    // Merged counts [10, 20, 10, 0] of 40: the median's rank 20 lies in (1, 5], 10 of 20 in.
    assertThat(groups(result, "p50").get(Labels.EMPTY)[0]).isEqualTo(3);
    assertThat(groups(result, "p90").get(Labels.EMPTY)[0]).isEqualTo(8);
    assertThat(groups(result, "p99").get(Labels.EMPTY)[0]).isCloseTo(9.8, within(1e-12));
    assertThat(groups(result, "n").get(Labels.EMPTY)[0]).isEqualTo(40);
    assertThat(groups(result, "mean").get(Labels.EMPTY)[0]).isEqualTo(4.5);
    // Host a alone: counts [10, 10, 5, 0]; rank 12.5 lies in (1, 5], 2.5 of 10 in.
    assertThat(groups(result, "p50_host").get(Labels.of("host", "a"))[0]).isEqualTo(2);
  }

  @Test
  void histogramErrors_sayWhichFunctionsApply() {
    store.write("latency", MetricKind.HISTOGRAM, Labels.EMPTY,
        s -> s.appendHistogram(t(10), new HistogramSample(1, 1, new double[] {1}, new double[] {1, 0})));
    write("cpu", MetricKind.GAUGE, Labels.EMPTY, 10, 1);

    QueryException bare = catchThrowableOfType(QueryException.class, () -> run(List.of("latency as $lat"), "$lat"));
    assertThat(bare.getMessage()).isEqualTo(
        "line 1:1: $lat is a histogram; read it with p50, p75, p90, p95, p99, count, sum or avg");
    QueryException p99 = catchThrowableOfType(QueryException.class, () -> run(List.of("cpu as $cpu"), "1 + p99($cpu)"));
    assertThat(p99.getMessage()).isEqualTo("line 1:5: p99 needs a histogram; $cpu is a gauge");
    QueryException rate = catchThrowableOfType(QueryException.class, () -> run(List.of("cpu as $cpu"), "rate($cpu[5m])"));
    assertThat(rate.getMessage()).isEqualTo("line 1:6: rate needs a counter; $cpu is a gauge, use delta or avg_over_time");
  }

  // --- joins and arithmetic ------------------------------------------------------------------

  @Test
  void oneToManyJoin_eachFineGroupTakesItsCoarseGroup() {
    write("used", MetricKind.GAUGE, Labels.of("host", "a", "device", "d1"), 0, 30);
    write("used", MetricKind.GAUGE, Labels.of("host", "a", "device", "d2"), 0, 10);
    write("used", MetricKind.GAUGE, Labels.of("host", "b", "device", "d1"), 0, 5);
    write("capacity", MetricKind.GAUGE, Labels.of("host", "a"), 0, 100);
    write("capacity", MetricKind.GAUGE, Labels.of("host", "b"), 0, 50);

    QueryResult result = run(List.of("used as $used", "capacity as $cap"),
        "$used by (host, device) / $cap by (host) as share", "$cap by (host) - $used by (host, device) as free");

    Map<Labels, double[]> share = groups(result, "share");
    assertThat(share).containsOnlyKeys(Labels.of("host", "a", "device", "d1"), Labels.of("host", "a", "device", "d2"),
        Labels.of("host", "b", "device", "d1"));
    assertThat(share.get(Labels.of("host", "a", "device", "d1"))[0]).isEqualTo(0.3);
    assertThat(share.get(Labels.of("host", "b", "device", "d1"))[0]).isEqualTo(0.1);
    assertThat(groups(result, "free").get(Labels.of("host", "a", "device", "d2"))[0]).isEqualTo(90);
  }

  @Test
  void resultColumns_listTheirGroupsSortedByLabels() {
    // Written in an order neither sorted nor that of a hash map, so that any order but the
    // sorted one shows; between stages the groups are kept in hash maps.
    List<Integer> hosts = new ArrayList<>();
    for (int h = 0; h < 40; h++) {
      hosts.add(h * 17 % 40);
    }
    for (int h : hosts) {
      write("used", MetricKind.GAUGE, Labels.of("host", "h" + h, "device", "d" + h % 3), 0, h);
      write("capacity", MetricKind.GAUGE, Labels.of("host", "h" + h), 0, 100);
    }

    QueryResult result = run(List.of("used as $used", "capacity as $cap"), "group by host",
        "$used by (host, device) / $cap as share", "$cap - $used as free", "max($used) as top", "-$used as negated");

    for (QueryResult.Column column : result.columns()) {
      List<Labels> keys = new ArrayList<>(column.groups().keySet());
      assertThat(keys).as(column.name()).hasSize(40).isSortedAccordingTo(Comparator.naturalOrder());
    }
  }

  @Test
  void incompatibleGroupings_areRefusedBeforeEvaluation() {
    QueryException e = catchThrowableOfType(QueryException.class,
        () -> Query.compile(List.of("a as $a", "b as $b"), List.of("$a by (x) / $b by (y)")));
    assertThat(e.getMessage()).isEqualTo(
        "line 1:11: cannot combine groups by (x) with groups by (y): one side must be grouped by a subset of the other's attributes");
  }

  @Test
  void division_followsIeeeAndZeroOverZeroIsMissing() {
    write("a", MetricKind.GAUGE, Labels.of("k", "1"), 0, 1);
    write("a", MetricKind.GAUGE, Labels.of("k", "2"), 0, 0);
    write("a", MetricKind.GAUGE, Labels.of("k", "3"), 0, -1);
    write("zero", MetricKind.GAUGE, Labels.of("k", "1"), 0, 0);
    write("zero", MetricKind.GAUGE, Labels.of("k", "2"), 0, 0);
    write("zero", MetricKind.GAUGE, Labels.of("k", "3"), 0, 0);

    QueryResult result = run(List.of("a as $a", "zero as $z"), "group by k", "$a / $z as ratio", "1 / 0 as inf",
        "$a % 0 as mod");

    Map<Labels, double[]> ratio = groups(result, "ratio");
    assertThat(ratio.get(Labels.of("k", "1"))[0]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(ratio.get(Labels.of("k", "3"))[0]).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(ratio).doesNotContainKey(Labels.of("k", "2")); // 0/0 is no value
    assertThat(groups(result, "inf").get(Labels.EMPTY)[0]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(groups(result, "mod")).isEmpty();
  }

  @Test
  void addition_readsAMissingSideAsZeroUnlessBothAreMissing() {
    write("a", MetricKind.COUNTER, Labels.EMPTY, 0, 5);
    write("a", MetricKind.COUNTER, Labels.EMPTY, 60, 7);
    write("b", MetricKind.COUNTER, Labels.EMPTY, 0, 1);
    write("b", MetricKind.COUNTER, Labels.EMPTY, 150, 2);

    QueryResult result = run(List.of("a as $a", "b as $b"), "$a + $b as sum", "$a - $b as diff", "$a * $b as product");

    assertThat(groups(result, "sum").get(Labels.EMPTY)).containsExactly(6, 7, 2);
    assertThat(groups(result, "diff").get(Labels.EMPTY)).containsExactly(4, 7, -2);
    assertThat(groups(result, "product").get(Labels.EMPTY)).containsExactly(5, NaN, NaN);
  }

  @Test
  void columns_referToEarlierOnesAndHelpersAreHidden() {
    write("service_cache_redis", MetricKind.COUNTER, Labels.of("type", "hits"), 0, 3);
    write("service_cache_redis", MetricKind.COUNTER, Labels.of("type", "misses"), 0, 1);

    QueryResult result = run(List.of("service_cache_redis as $redis"),
        "$redis{type=\"hits\"} as _hits | $redis{type='misses'} as _misses", "_hits / (_hits + _misses) * 100 as hit_pct",
        "-hit_pct as negative", "hit_pct > 50 as good");

    assertThat(result.columns()).extracting(QueryResult.Column::name).containsExactly("hit_pct", "negative", "good");
    assertThat(groups(result, "hit_pct").get(Labels.EMPTY)[0]).isEqualTo(75);
    assertThat(groups(result, "negative").get(Labels.EMPTY)[0]).isEqualTo(-75);
    assertThat(groups(result, "good").get(Labels.EMPTY)[0]).isEqualTo(1);
  }

  // --- filters -------------------------------------------------------------------------------

  @Test
  void whereFilters_regexInLikeExistsAndNumbers() {
    String[][] series = {
        {"web-1", "x", "200"}, {"web-2", "z", "500"}, {"db-1", "x", "503"}, {"web-3", "y", "404"}};
    for (String[] s : series) {
      write("hits", MetricKind.COUNTER, Labels.of("host", s[0], "dc", s[1], "code", s[2]), 0, 1);
    }
    write("hits", MetricKind.COUNTER, Labels.of("dc", "x"), 0, 100); // no host at all

    List<String> metrics = List.of("hits as $h");
    assertThat(total(run(metrics, "where host ~ \"^web\" and dc in (\"x\", \"z\")", "$h as n"))).isEqualTo(2);
    assertThat(total(run(metrics, "where host !~ 'web' | $h as n"))).isEqualTo(101);
    assertThat(total(run(metrics, "where host like 'web-%' and dc not in ('y')", "$h as n"))).isEqualTo(2);
    assertThat(total(run(metrics, "where host not like '%-1' and host exists", "$h as n"))).isEqualTo(2);
    assertThat(total(run(metrics, "where code >= 500 or host not exists", "$h as n"))).isEqualTo(102);
    assertThat(total(run(metrics, "where dc = x and code < 300", "$h as n"))).isEqualTo(1);
    assertThat(total(run(metrics, "$h{host=\"db-1\"} + $h{dc=\"y\", code!=\"200\"} as n"))).isEqualTo(2);
  }

  @Test
  void catastrophicRegexes_runInLinearTime() {
    // Each took from seconds to hours on a backtracking engine: ((a+)+)+$ took 31.7 s on 29 characters.
    write("hits", MetricKind.COUNTER, Labels.of("x", "a".repeat(28) + "!"), 0, 1);
    write("hits", MetricKind.COUNTER, Labels.of("x", "a".repeat(4_000) + "!"), 0, 10);
    List<String> metrics = List.of("hits as $h");

    // Preemptively: a backtracking engine would not finish (a|aa)+$ on 4,000 characters in a lifetime.
    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
      assertThat(total(run(metrics, "where x ~ \"((a+)+)+$\"", "$h as n"))).isZero();
      assertThat(total(run(metrics, "where x !~ \"(a|aa)+$\"", "$h as n"))).isEqualTo(11);
      assertThat(total(run(metrics, "$h{x ~ \"^(a*)*b\"} as n"))).isZero();
      assertThat(total(run(metrics, "where x like '%a%a%a%a%a%a%a%a%a%a%a%a%b'", "$h as n"))).isZero();
    });
  }

  private static double total(QueryResult result) {
    return result.columns().get(0).groups().values().stream().mapToDouble(v -> v[0]).sum();
  }

  @Test
  void largeScans_splitAmongThreads_giveExactResults() {
    int series = ValueNode.PARALLEL_SCAN_SERIES + 5_000;
    SeriesStore big = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), series * 2, series * 2));
    for (int i = 0; i < series; i++) {
      double value = i;
      int second = i % 50;
      big.write("load", MetricKind.GAUGE, Labels.of("group", Integer.toString(i % 2), "id", Integer.toString(i)),
          s -> s.append(t(second), value));
    }
    QueryResult result = new QueryEvaluator(big).evaluate(Query.compile(List.of("load as $l"),
        List.of("group by group", "sum($l) as s", "avg($l) as a", "min($l) as lo", "max($l) as hi", "count($l) as n",
            "median($l) as mid", "last($l) as latest")), GRID);

    Labels even = Labels.of("group", "0");
    long n = series / 2;
    double evenSum = 2.0 * (n - 1) * n / 2; // 0 + 2 + 4 + ... + 2(n-1)
    assertThat(groups(result, "s").get(even)[0]).isEqualTo(evenSum);
    assertThat(groups(result, "a").get(even)[0]).isEqualTo(evenSum / n);
    assertThat(groups(result, "lo").get(even)[0]).isEqualTo(0);
    assertThat(groups(result, "hi").get(even)[0]).isEqualTo(series - 2);
    assertThat(groups(result, "n").get(even)[0]).isEqualTo(n);
    assertThat(groups(result, "mid").get(even)[0]).isEqualTo((double) (series - 2) / 2);
    // The latest samples are those at 48 s (i % 50 == 48, even); the largest such i wins ties only by order.
    assertThat(((long) groups(result, "latest").get(even)[0]) % 50).isEqualTo(48);
  }

  @Test
  void noData_givesNoGroupsNotAnError() {
    QueryResult result = run(List.of("nothing as $n", "other as $o"), "group by host", "$n / $o as ratio", "sum($n) as s");
    assertThat(groups(result, "ratio")).isEmpty();
    assertThat(groups(result, "s")).isEmpty();
  }
}
