package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.HistogramBuckets;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesSamples;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTranslatorTest {
  private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  private static final long START_MS = START.toEpochMilli();
  private static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
  private static final AggregationTemporality DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;

  private final MutableClock clock = new MutableClock(START);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 100, 100));
  private final MetricsTranslator translator = new MetricsTranslator(store, clock);

  // --- building OTLP requests -------------------------------------------------------------

  private static long nanos(long secondsAfterStart) {
    return (START_MS + secondsAfterStart * 1000) * 1_000_000;
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  private static ExportMetricsServiceRequest request(Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "redis")).addAttributes(attr("host.name", "h1")))
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
  }

  private static NumberDataPoint.Builder number(long second, double value) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(nanos(second)).setAsDouble(value);
  }

  private static Metric gauge(String name, NumberDataPoint.Builder... points) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (NumberDataPoint.Builder p : points) {
      gauge.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setGauge(gauge).build();
  }

  private static Metric sum(String name, boolean monotonic, AggregationTemporality temporality,
      NumberDataPoint.Builder... points) {
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(monotonic).setAggregationTemporality(temporality);
    for (NumberDataPoint.Builder p : points) {
      sum.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setSum(sum).build();
  }

  private static IngestResult write(MetricsTranslator translator, ExportMetricsServiceRequest request) {
    try {
      return translator.write(request.toByteArray());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static final Labels RESOURCE = Labels.of("service_name", "redis", "host_name", "h1");

  private SeriesSamples only(String metric) {
    List<SeriesSamples> all = store.read(metric, l -> true, 0, Long.MAX_VALUE);
    assertThat(all).as("series of %s", metric).hasSize(1);
    return all.get(0);
  }

  // --- kinds and labels -------------------------------------------------------------------

  @Test
  void gauge_storesValueUnderNormalisedNameWithResourceAndPointLabels() {
    NumberDataPoint.Builder point = number(0, 0.5).addAttributes(attr("redis.node", "n1"))
        .addAttributes(attr("host.name", "from-point"));
    IngestResult result = write(translator, request(gauge("redis.memory.fragmentation", point)));

    assertThat(result).isEqualTo(new IngestResult(1, 0, Map.of(), ""));
    SeriesSamples samples = only("redis_memory_fragmentation");
    assertThat(samples.kind()).isEqualTo(MetricKind.GAUGE);
    assertThat(samples.labels()).isEqualTo(Labels.of("service_name", "redis", "host_name", "from-point", "redis_node", "n1"));
    assertThat(samples.timesMs()).containsExactly(START_MS);
    assertThat(samples.values()).containsExactly(0.5);
  }

  @Test
  void gauge_asIntIsAccepted() {
    write(translator, request(gauge("up", NumberDataPoint.newBuilder().setTimeUnixNano(nanos(0)).setAsInt(1))));
    assertThat(only("up").values()).containsExactly(1);
  }

  @Test
  void cumulativeCounter_becomesIncreasesAcrossDecreaseAndLaterStartResets() {
    long streamStart = nanos(-3600); // began before the receiver: its first value is history
    write(translator, request(sum("hits", true, CUMULATIVE,
        number(0, 100).setStartTimeUnixNano(streamStart),
        number(15, 130).setStartTimeUnixNano(streamStart))));
    write(translator, request(sum("hits", true, CUMULATIVE,
        number(30, 20).setStartTimeUnixNano(streamStart), // decrease: a reset
        number(45, 50).setStartTimeUnixNano(streamStart))));
    write(translator, request(sum("hits", true, CUMULATIVE,
        number(60, 70).setStartTimeUnixNano(nanos(55)), // later start time: a reset though higher
        number(75, 71).setStartTimeUnixNano(nanos(55)))));

    SeriesSamples samples = only("hits");
    assertThat(samples.kind()).isEqualTo(MetricKind.COUNTER);
    assertThat(samples.labels()).isEqualTo(RESOURCE);
    assertThat(samples.values()).containsExactly(0, 30, 20, 30, 70, 1);
  }

  @Test
  void cumulativeCounter_startedAfterTheReceiver_countsItsFirstValue() {
    write(translator, request(sum("hits", true, CUMULATIVE, number(10, 7).setStartTimeUnixNano(nanos(5)))));
    assertThat(only("hits").values()).containsExactly(7);
  }

  @Test
  void cumulativeCounter_retriedPointIsIdempotent() {
    NumberDataPoint.Builder p = number(10, 7).setStartTimeUnixNano(nanos(5));
    write(translator, request(sum("hits", true, CUMULATIVE, p)));
    IngestResult retry = write(translator, request(sum("hits", true, CUMULATIVE, p)));
    assertThat(retry.rejected()).isZero();
    assertThat(only("hits").values()).containsExactly(7);
  }

  @Test
  void cumulativeCounter_otherValueAtTheSameTime_isRefused() {
    write(translator, request(sum("hits", true, CUMULATIVE, number(10, 8).setStartTimeUnixNano(nanos(5)))));
    IngestResult clash = write(translator, request(sum("hits", true, CUMULATIVE, number(10, 2).setStartTimeUnixNano(nanos(9)))));
    assertThat(clash.rejectedByReason()).isEqualTo(Map.of(RejectReason.OUT_OF_ORDER, 1));
    assertThat(only("hits").values()).containsExactly(8);
  }

  @Test
  void deltaCounter_isStoredAsIs() {
    write(translator, request(sum("hits", true, DELTA, number(0, 3), number(15, 4))));
    assertThat(only("hits").values()).containsExactly(3, 4);
  }

  @Test
  void nonMonotonicSum_isAdditive_cumulativeAsIsAndDeltaAsRunningTotal() {
    write(translator, request(
        sum("conns", false, CUMULATIVE, number(0, 5), number(15, 3)),
        sum("queue", false, DELTA, number(0, 5), number(15, -2))));
    assertThat(only("conns").kind()).isEqualTo(MetricKind.ADDITIVE);
    assertThat(only("conns").values()).containsExactly(5, 3);
    assertThat(only("queue").values()).containsExactly(5, 3);
  }

  @Test
  void cumulativeHistogram_becomesDeltaBucketsAndNewLayoutIsAReset() {
    long streamStart = nanos(-60);
    HistogramDataPoint.Builder first = HistogramDataPoint.newBuilder().setTimeUnixNano(nanos(0))
        .setStartTimeUnixNano(streamStart).setCount(3).setSum(12).addAllExplicitBounds(List.of(1.0, 10.0))
        .addAllBucketCounts(List.of(1L, 1L, 1L));
    HistogramDataPoint.Builder second = first.clone().setTimeUnixNano(nanos(60)).setCount(6).setSum(20)
        .clearBucketCounts().addAllBucketCounts(List.of(2L, 3L, 1L));
    HistogramDataPoint.Builder relayout = HistogramDataPoint.newBuilder().setTimeUnixNano(nanos(120))
        .setStartTimeUnixNano(streamStart).setCount(2).setSum(4).addAllExplicitBounds(List.of(5.0))
        .addAllBucketCounts(List.of(2L, 0L));
    write(translator, request(Metric.newBuilder().setName("latency").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(CUMULATIVE).addDataPoints(first).addDataPoints(second).addDataPoints(relayout)).build()));

    List<HistogramBuckets> buckets = store.readHistogramBuckets("latency", l -> true, new BucketGrid(START_MS, 60_000, 3));
    assertThat(buckets).singleElement().satisfies(h -> {
      assertThat(h.labels()).isEqualTo(RESOURCE);
      assertThat(h.buckets()[0]).isEqualTo(new HistogramSample(0, 0, new double[] {1, 10}, new double[] {0, 0, 0}));
      assertThat(h.buckets()[1]).isEqualTo(new HistogramSample(3, 8, new double[] {1, 10}, new double[] {1, 2, 0}));
      assertThat(h.buckets()[2]).isEqualTo(new HistogramSample(2, 4, new double[] {5}, new double[] {2, 0}));
    });
  }

  @Test
  void exponentialHistogram_isStoredWithExplicitBounds() {
    // scale 0: base 2. Positive buckets from index 1: (2,4], (4,8]. Negative index 0: [-2,-1).
    ExponentialHistogramDataPoint.Builder p = ExponentialHistogramDataPoint.newBuilder()
        .setTimeUnixNano(nanos(0)).setScale(0).setCount(6).setSum(9).setZeroCount(1)
        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1).addBucketCounts(3).addBucketCounts(1))
        .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(0).addBucketCounts(1));
    write(translator, request(Metric.newBuilder().setName("size").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(DELTA).addDataPoints(p)).build()));

    HistogramSample sample = store.readHistogramBuckets("size", l -> true, new BucketGrid(START_MS, 60_000, 1))
        .get(0).buckets()[0];
    assertThat(sample.bounds()).containsExactly(-2, -1, 2, 4, 8);
    assertThat(sample.counts()).containsExactly(0, 1, 1, 3, 1, 0);
    assertThat(sample.count()).isEqualTo(6);
    assertThat(sample.sum()).isEqualTo(9);
  }

  @Test
  void cumulativeExponentialHistogram_subtractsAcrossAScaleDecrease() {
    long streamStart = nanos(-60);
    ExponentialHistogramDataPoint.Builder first = ExponentialHistogramDataPoint.newBuilder()
        .setTimeUnixNano(nanos(0)).setStartTimeUnixNano(streamStart).setScale(1).setCount(2).setSum(5)
        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(2).addBucketCounts(1).addBucketCounts(1));
    // Scale 0 merges the two scale-1 buckets 2 and 3 into bucket 1: (2,4].
    ExponentialHistogramDataPoint.Builder second = ExponentialHistogramDataPoint.newBuilder()
        .setTimeUnixNano(nanos(60)).setStartTimeUnixNano(streamStart).setScale(0).setCount(5).setSum(30)
        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1).addBucketCounts(3).addBucketCounts(2));
    write(translator, request(Metric.newBuilder().setName("size").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(CUMULATIVE).addDataPoints(first).addDataPoints(second)).build()));

    HistogramSample delta = store.readHistogramBuckets("size", l -> true, new BucketGrid(START_MS + 60_000, 60_000, 1))
        .get(0).buckets()[0];
    assertThat(delta.bounds()).containsExactly(2, 4, 8);
    assertThat(delta.counts()).containsExactly(0, 1, 2, 0);
    assertThat(delta.count()).isEqualTo(3);
    assertThat(delta.sum()).isEqualTo(25);
  }

  @Test
  void summary_becomesCountAndSumCountersAndQuantileGauges() {
    SummaryDataPoint.Builder p = SummaryDataPoint.newBuilder().setTimeUnixNano(nanos(0))
        .setStartTimeUnixNano(nanos(-10)).setCount(10).setSum(2.5)
        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(0.2))
        .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(0.9));
    IngestResult result = write(translator, request(Metric.newBuilder().setName("rpc.duration")
        .setSummary(Summary.newBuilder().addDataPoints(p)).build()));

    assertThat(result.accepted()).isEqualTo(1);
    assertThat(only("rpc_duration_count").kind()).isEqualTo(MetricKind.COUNTER);
    assertThat(only("rpc_duration_sum").kind()).isEqualTo(MetricKind.COUNTER);
    List<SeriesSamples> quantiles = store.read("rpc_duration", l -> true, 0, Long.MAX_VALUE);
    assertThat(quantiles).extracting(s -> s.labels().get("quantile")).containsExactly("0.5", "0.99");
    assertThat(quantiles).extracting(s -> s.values()[0]).containsExactly(0.2, 0.9);
  }

  @Test
  void noRecordedValueFlag_marksTheSeriesStale() {
    write(translator, request(gauge("up", number(0, 1), NumberDataPoint.newBuilder().setTimeUnixNano(nanos(30)).setFlags(1))));
    assertThat(store.readBuckets("up", l -> true, new BucketGrid(START_MS, 60_000, 1)).get(0).values())
        .containsExactly(Double.NaN);
    assertThat(only("up").values()).containsExactly(1);
  }

  // --- rejections ---------------------------------------------------------------------------

  @Test
  void invalidPoints_areRejectedWithReasonsWhileValidOnesAreKept() {
    IngestResult result = write(translator, request(
        gauge("up", number(0, 1), NumberDataPoint.newBuilder().setTimeUnixNano(nanos(0)),
            NumberDataPoint.newBuilder().setAsDouble(1), number(15, 1)),
        sum("hits", true, AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED, number(0, 1), number(1, 2)),
        Metric.newBuilder().setName("mystery").build(),
        gauge("...", number(0, 1))));

    assertThat(result.accepted()).isEqualTo(2);
    assertThat(result.rejected()).isEqualTo(6);
    assertThat(result.message()).isEqualTo("rejected 6 data points: "
        + "1 with no value (first in metric \"up\"); "
        + "1 with time_unix_nano 0 (first in metric \"up\"); "
        + "2 with unspecified aggregation temporality (first in metric \"hits\"); "
        + "1 of a metric without data of a known kind (first in metric \"mystery\"); "
        + "1 of a metric whose name is empty after normalisation (first in metric \"...\")");
    assertThat(only("up").values()).containsExactly(1, 1);
  }

  @Test
  void pointsOutsideTheTimeWindowOrOutOfOrder_areRejected() {
    IngestResult result = write(translator, request(gauge("up",
        number(-3601, 1), number(601, 1), number(10, 1), number(5, 1))));
    assertThat(result.message()).isEqualTo("rejected 3 data points: "
        + "1 at or before the last sample of their series (first in metric \"up\"); "
        + "1 older than the retention window (first in metric \"up\"); "
        + "1 more than 10m ahead of the receiver's clock (first in metric \"up\")");
    assertThat(only("up").timesMs()).containsExactly(START_MS + 10_000);
  }

  @Test
  void negativeIncreaseAndKindConflict_areRejected() {
    IngestResult result = write(translator, request(
        sum("hits", true, DELTA, number(0, -1)),
        gauge("up", number(0, 1)),
        sum("up", true, DELTA, number(0, 1))));
    assertThat(result.rejectedByReason())
        .isEqualTo(Map.of(RejectReason.INVALID_VALUE, 1, RejectReason.KIND_CONFLICT, 1));
  }

  @Test
  void histogramWithMismatchedBuckets_isRejected() {
    HistogramDataPoint.Builder bad = HistogramDataPoint.newBuilder().setTimeUnixNano(nanos(0)).setCount(1)
        .addAllExplicitBounds(List.of(1.0, 2.0)).addAllBucketCounts(List.of(1L));
    HistogramDataPoint.Builder unsorted = HistogramDataPoint.newBuilder().setTimeUnixNano(nanos(0)).setCount(1)
        .addAllExplicitBounds(List.of(2.0, 1.0)).addAllBucketCounts(List.of(1L, 0L, 0L));
    IngestResult result = write(translator, request(Metric.newBuilder().setName("lat").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(DELTA).addDataPoints(bad).addDataPoints(unsorted)).build()));
    assertThat(result.message()).isEqualTo(
        "rejected 2 data points: 2 with bucket counts that do not fit the bucket bounds (first in metric \"lat\")");
  }

  @Test
  void seriesLimit_rejectsNewSeriesButUpdatesExistingOnes() {
    SeriesStore small = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 2, 2));
    MetricsTranslator limited = new MetricsTranslator(small, clock);
    write(limited, request(gauge("up", number(0, 1).addAttributes(attr("node", "a")), number(0, 1).addAttributes(attr("node", "b")))));
    IngestResult result = write(limited, request(gauge("up",
        number(15, 0).addAttributes(attr("node", "a")), number(15, 1).addAttributes(attr("node", "c")))));

    assertThat(result.message()).isEqualTo(
        "rejected 1 data point: 1 over the series limit (limits.max_series) (first in metric \"up\")");
    assertThat(small.read("up", l -> "a".equals(l.get("node")), 0, Long.MAX_VALUE).get(0).values()).containsExactly(1, 0);
    assertThat(small.seriesCount()).isEqualTo(2);
  }

  @Test
  void labelsOf_manyKeys_pointWinsOverResourceAndTheLastDuplicateWins() {
    Labels.Builder resource = Labels.builder();
    for (int i = 0; i < 3_000; i++) {
      resource.put("r" + i, "resource");
    }
    List<KeyValue> attributes = new ArrayList<>();
    for (int i = 2_000; i < 5_000; i++) {
      attributes.add(attr("r" + i, "first"));
    }
    for (int i = 4_000; i < 5_000; i++) {
      attributes.add(attr("r" + i + ".", "second")); // the same key once normalised, later: wins
    }

    Labels labels = MetricsTranslator.labelsOf(resource.build(), attributes);

    assertThat(labels.size()).isEqualTo(5_000);
    assertThat(labels.get("r0")).isEqualTo("resource");
    assertThat(labels.get("r1999")).isEqualTo("resource");
    assertThat(labels.get("r2000")).isEqualTo("first");
    assertThat(labels.get("r3999")).isEqualTo("first");
    assertThat(labels.get("r4000")).isEqualTo("second");
    assertThat(labels.get("r4999")).isEqualTo("second");
  }
}
