package io.tocsin.query.promql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tocsin.query.QueryException;
import io.tocsin.query.eval.Query;
import io.tocsin.store.MetricKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromQlTranslatorTest {
  private static final List<String> METRICS = List.of("http_requests_total as $req", "errors_total as $err",
      "node_memory_bytes as $mem", "capacity_bytes as $cap", "latency_bucket as $lat", "redis_hits as $hits",
      "redis_misses as $misses");

  /** The PromQL of the last column of {@code items}, over 1-minute buckets. */
  private static String promql(String... items) {
    List<PromQlTranslator.Column> columns = translate(Map.of(), items);
    return columns.get(columns.size() - 1).promql();
  }

  private static List<PromQlTranslator.Column> translate(Map<String, MetricKind> kinds, String... items) {
    Query query = Query.compile(METRICS, List.of(items));
    return PromQlTranslator.translate(query.metrics(), query.items(), Duration.ofMinutes(1), kinds);
  }

  private static String refusal(String... items) {
    QueryException e = assertThrows(QueryException.class, () -> translate(Map.of(), items));
    return "query[" + e.index() + "]: " + e.getMessage();
  }

  @Test
  void counter_isItsIncreasePerBucketSummed() {
    assertEquals("sum (increase(http_requests_total[60s]))", promql("$req"));
  }

  @Test
  void gauge_isItsLastValuePerBucketAveraged() {
    assertEquals("avg (last_over_time(node_memory_bytes[60s]))", promql("$mem"));
  }

  @Test
  void kinds_overrideTheSuffixRule() {
    List<PromQlTranslator.Column> columns = translate(Map.of("redis_hits", MetricKind.COUNTER), "$hits");
    assertEquals("sum (increase(redis_hits[60s]))", columns.get(0).promql());
  }

  @Test
  void groupBy_groupsEveryColumnSorted() {
    List<PromQlTranslator.Column> columns = translate(Map.of(), "group by node", "group by cluster", "$req as r");
    assertEquals(new PromQlTranslator.Column("r", false, List.of("cluster", "node"),
        "sum by (cluster, node) (increase(http_requests_total[60s]))"), columns.get(0));
  }

  @Test
  void where_becomesLabelMatchersOnEveryMetric() {
    assertEquals("avg (last_over_time(node_memory_bytes{env=\"prod\", host!=\"a\", zone=~\"(?s:.*)(?-s:eu-\\\\d)(?s:.*)\", "
        + "zone!~\"(?s:.*)(?-s:^x$)(?s:.*)\", dc=~\"a\\\\.b|c\", dc!~\"d\", pod=~\"(?s:web-.*\\\\.x.)\", "
        + "pod!~\"(?s:api.*)\", team!=\"\", owner=\"\"}[60s]))",
        promql("where env = \"prod\" and host != \"a\" and zone ~ \"eu-\\\\d\" and zone !~ \"^x$\"",
            "where dc in (\"a.b\", \"c\") and dc not in (\"d\") and pod like \"web-%.x_\" and pod not like \"api%\"",
            "where team exists and owner not exists", "$mem"));
  }

  @Test
  void inlineFilter_addsToWhere() {
    assertEquals("sum (increase(http_requests_total{env=\"prod\", code=\"500\"}[60s]))",
        promql("where env = prod", "$req{code=\"500\"}"));
  }

  @Test
  void ratio_addsWithMissingAsZeroAndDivides() {
    assertEquals("sum by (node) (increase(redis_hits[60s])) / (sum by (node) (increase(redis_hits[60s])) + "
        + "sum by (node) (increase(redis_misses[60s])) or sum by (node) (increase(redis_hits[60s])) or "
        + "sum by (node) (increase(redis_misses[60s])))",
        translate(Map.of("redis_hits", MetricKind.COUNTER, "redis_misses", MetricKind.COUNTER),
            "group by node", "$hits / ($hits + $misses) as hit_rate").get(0).promql());
  }

  @Test
  void subtraction_readsAMissingLeftAsZero() {
    assertEquals("sum (increase(http_requests_total[60s])) - sum (increase(errors_total[60s])) or "
        + "sum (increase(http_requests_total[60s])) or -sum (increase(errors_total[60s]))", promql("$req - $err"));
  }

  @Test
  void oneToMany_matchesOnTheCoarserGrouping() {
    assertEquals("avg by (device, host) (last_over_time(node_memory_bytes[60s])) / on(host) group_left "
        + "avg by (host) (last_over_time(capacity_bytes[60s]))", promql("$mem by (host, device) / $cap by (host)"));
    assertEquals("avg by (host) (last_over_time(capacity_bytes[60s])) * on(host) group_right "
        + "avg by (device, host) (last_over_time(node_memory_bytes[60s]))", promql("$cap by (host) * $mem by (host, device)"));
  }

  @Test
  void comparison_givesOneOrZero() {
    assertEquals("avg (last_over_time(node_memory_bytes[60s])) > bool 100", promql("$mem > 100"));
  }

  @Test
  void aggregations_groupAsLocally() {
    assertEquals("max by (host) (increase(http_requests_total[60s]))", promql("max($req) by (host)"));
    assertEquals("min by (host) (last_over_time(node_memory_bytes[60s]))", promql("min($mem by (host))"));
    assertEquals("count (last_over_time(node_memory_bytes[60s]))", promql("count($mem)"));
    assertEquals("quantile by (host) (0.5, last_over_time(node_memory_bytes[60s]))", promql("median($mem) by (host)"));
    assertEquals("avg by (type) (sum by (host, type) (last_over_time(node_memory_bytes[60s])))",
        promql("avg(sum($mem by (host, type)) by (type))"));
  }

  @Test
  void windows_runPerSeriesThenCombineByKind() {
    assertEquals("sum (increase(http_requests_total[300s]) / 300)", promql("rate($req[5m])"));
    assertEquals("sum (increase(http_requests_total[60s]) / 60)", promql("rate($req)"));
    assertEquals("sum (increase(http_requests_total[300s]))", promql("increase($req[5m])"));
    assertEquals("sum (irate(http_requests_total[300s]))", promql("irate($req[5m])"));
    assertEquals("sum (increase(http_requests_total[300s]))", promql("delta($req[5m])"));
    assertEquals("avg (avg_over_time(node_memory_bytes[300s]))", promql("avg_over_time($mem[5m])"));
    assertEquals("max by (host) (max_over_time(node_memory_bytes[300s]))", promql("max(max_over_time($mem[5m])) by (host)"));
  }

  @Test
  void perMinAndMath_applyPerSeries() {
    assertEquals("sum (increase(http_requests_total[60s]) * 1)", promql("per_min($req)"));
    assertEquals("sum (increase(http_requests_total[60s]) * 0.016666666666666666)", promql("per_sec($req)"));
    assertEquals("avg (ln(last_over_time(node_memory_bytes[60s])))", promql("log($mem)"));
    assertEquals("avg (sgn(last_over_time(node_memory_bytes[60s])) * floor(abs(last_over_time(node_memory_bytes[60s]))))",
        promql("trunc($mem)"));
    assertEquals("abs(avg (last_over_time(node_memory_bytes[60s])) - avg (last_over_time(capacity_bytes[60s])) or "
        + "avg (last_over_time(node_memory_bytes[60s])) or -avg (last_over_time(capacity_bytes[60s])))",
        promql("abs($mem - $cap)"));
  }

  @Test
  void offset_shiftsTheWindow() {
    assertEquals("sum (increase(http_requests_total[60s] offset 3600s))", promql("$req offset 1h"));
  }

  @Test
  void columnReference_inlinesTheColumn() {
    List<PromQlTranslator.Column> columns = translate(Map.of(), "$req as _all", "$err as _bad", "_bad / _all * 100 as pct");
    assertEquals(new PromQlTranslator.Column("pct", false, List.of(),
        "(sum (increase(errors_total[60s])) / sum (increase(http_requests_total[60s]))) * 100"), columns.get(2));
    assertEquals(true, columns.get(0).helper());
  }

  @Test
  void negation_andNumbers() {
    assertEquals("(-avg (last_over_time(node_memory_bytes[60s]))) * 0.5", promql("-$mem * 0.5"));
  }

  @Test
  void refused_namesTheConstructAndItsPosition() {
    assertEquals("query[0]: line 1:7: 'or' between conditions has no PromQL label matcher; for one attribute write it "
        + "as 'in (...)' or a regular expression, such as host ~ \"^(a|b)$\"", refusal("where a = \"x\" or a = \"y\"", "$mem"));
    assertEquals("query[0]: line 1:7: '>' compares label values as numbers, which PromQL label matchers cannot; "
        + "use =, !=, ~, !~, in or like, or query the local store", refusal("where code > 499", "$req"));
    assertEquals("query[0]: line 1:1: last has no PromQL equivalent: PromQL cannot pick the series with the latest "
        + "sample; use max, min or avg", refusal("last($mem)"));
    assertEquals("query[0]: line 1:1: p99 is not translated to PromQL yet; query the local store", refusal("p99($lat)"));
    assertEquals("query[0]: line 1:1: uniq is not translated to PromQL yet; query the local store", refusal("uniq($mem, host)"));
    assertEquals("query[0]: line 1:1: $lat (latency_bucket) is a histogram's buckets; histograms are not translated "
        + "to PromQL yet, query the local store", refusal("$lat"));
    assertEquals("query[0]: line 1:6: rate needs a counter; $mem (node_memory_bytes) is a gauge: counters end in "
        + "_total, _count or _sum, or are declared under the datasource's kinds", refusal("rate($mem[5m])"));
    assertEquals("query[0]: line 1:1: delta of a gauge has no faithful PromQL translation (PromQL's delta "
        + "extrapolates); use max_over_time and min_over_time", refusal("delta($mem[5m])"));
    assertEquals("query[0]: line 1:1: max_over_time of a counter reads its per-sample increases locally, which "
        + "PromQL does not keep; use increase or rate", refusal("max_over_time($req[5m])"));
    assertEquals("query[1]: line 1:6: '+' between groups and a number reads a missing value as 0 in Tocsin, which a "
        + "PromQL range query cannot; move the number into the threshold", refusal("group by a", "$mem + 1"));
    assertEquals("query[0]: line 1:24: '-' between groups by (device, host) and by (host) reads a missing finer "
        + "group as 0, which PromQL cannot; group both sides by the same attributes",
        refusal("$mem by (host, device) - $cap by (host)"));
    assertEquals("query[0]: line 1:1: per_min of a number alone has no PromQL translation; write the resulting number",
        refusal("per_min(5)"));
  }
}
