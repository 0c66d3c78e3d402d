package io.tocsin.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik arbitraries for valid OTLP {@code ExportMetricsServiceRequest}s, built with the
 * generated classes: every metric kind and temporality, every field of the data points, exemplars,
 * every {@code AnyValue} kind (nested ones too, and now and then one nested past protobuf's
 * 100-level limit). Names and attribute keys come from small sets, so series collide and
 * attributes override each other and the resource. Point times lie around {@code nowMs}, a few
 * outside what a store keeps. {@link WireWriter} encodes them with the wire format's liberties.
 */
public final class OtlpRequests {
  private OtlpRequests() {}

  public static Arbitrary<ExportMetricsServiceRequest> requests(long nowMs) {
    return resourceMetrics(nowMs).list().ofMaxSize(3)
        .map(list -> ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(list).build());
  }

  static Arbitrary<ResourceMetrics> resourceMetrics(long nowMs) {
    Arbitrary<Resource> resource = keyValues(anyValues(1)).list().ofMaxSize(3)
        .map(attributes -> Resource.newBuilder().addAllAttributes(attributes).build());
    return Combinators.combine(resource.injectNull(0.2), scopeMetrics(nowMs).list().ofMaxSize(2), schemaUrls())
        .as((r, scopes, url) -> {
          ResourceMetrics.Builder b = ResourceMetrics.newBuilder().addAllScopeMetrics(scopes).setSchemaUrl(url);
          if (r != null) {
            b.setResource(r);
          }
          return b.build();
        });
  }

  static Arbitrary<ScopeMetrics> scopeMetrics(long nowMs) {
    Arbitrary<InstrumentationScope> scope = Combinators.combine(
            texts(), texts(), keyValues(anyValues(1)).list().ofMaxSize(2), Arbitraries.integers().between(0, 3))
        .as((name, version, attributes, dropped) -> InstrumentationScope.newBuilder().setName(name)
            .setVersion(version).addAllAttributes(attributes).setDroppedAttributesCount(dropped).build());
    return Combinators.combine(scope.injectNull(0.3), metrics(nowMs).list().ofMaxSize(4), schemaUrls())
        .as((s, metrics, url) -> {
          ScopeMetrics.Builder b = ScopeMetrics.newBuilder().addAllMetrics(metrics).setSchemaUrl(url);
          if (s != null) {
            b.setScope(s);
          }
          return b.build();
        });
  }

  public static Arbitrary<Metric> metrics(long nowMs) {
    Arbitrary<String> names = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.of("http.server.requests", "queue.depth", "cpu-temp", "latency", "jvm.gc")),
        Tuple.of(1, Arbitraries.of("", "...", "ünïcode", "a😀b")),
        Tuple.of(1, texts()));
    Arbitrary<Metric.Builder> data = Arbitraries.frequencyOf(
        Tuple.of(3, numberPoints(nowMs).map(points -> Metric.newBuilder()
            .setGauge(Gauge.newBuilder().addAllDataPoints(points)))),
        Tuple.of(4, Combinators.combine(numberPoints(nowMs), Arbitraries.of(true, false), temporalities())
            .as((points, monotonic, temporality) -> Metric.newBuilder().setSum(Sum.newBuilder()
                .addAllDataPoints(points).setIsMonotonic(monotonic).setAggregationTemporalityValue(temporality)))),
        Tuple.of(2, Combinators.combine(histogramPoint(nowMs).list().ofMaxSize(3), temporalities())
            .as((points, temporality) -> Metric.newBuilder().setHistogram(Histogram.newBuilder()
                .addAllDataPoints(points).setAggregationTemporalityValue(temporality)))),
        Tuple.of(2, Combinators.combine(exponentialPoint(nowMs).list().ofMaxSize(3), temporalities())
            .as((points, temporality) -> Metric.newBuilder().setExponentialHistogram(ExponentialHistogram
                .newBuilder().addAllDataPoints(points).setAggregationTemporalityValue(temporality)))),
        Tuple.of(2, summaryPoint(nowMs).list().ofMaxSize(3).map(points -> Metric.newBuilder()
            .setSummary(Summary.newBuilder().addAllDataPoints(points)))),
        Tuple.of(1, Arbitraries.just(0).map(none -> Metric.newBuilder())));
    return Combinators.combine(data, names, texts(), Arbitraries.of("", "1", "ms", "By"),
            keyValues(anyValues(1)).list().ofMaxSize(1))
        .as((builder, name, description, unit, metadata) -> builder.setName(name).setDescription(description)
            .setUnit(unit).addAllMetadata(metadata).build());
  }

  /** Cumulative and delta mostly; now and then unspecified or a value this proto does not know. */
  private static Arbitrary<Integer> temporalities() {
    return Arbitraries.frequency(
        Tuple.of(5, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE_VALUE),
        Tuple.of(4, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA_VALUE),
        Tuple.of(1, AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED_VALUE),
        Tuple.of(1, 7));
  }

  private static Arbitrary<List<NumberDataPoint>> numberPoints(long nowMs) {
    Arbitrary<NumberDataPoint.Builder> value = Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.longs().between(-3, 1000).map(v -> NumberDataPoint.newBuilder().setAsInt(v))),
        Tuple.of(4, doubles().map(v -> NumberDataPoint.newBuilder().setAsDouble(v))),
        Tuple.of(1, Arbitraries.just(0).map(none -> NumberDataPoint.newBuilder())));
    return Combinators.combine(value, times(nowMs), startTimes(nowMs), flags(), attributes(),
            exemplars(nowMs).list().ofMaxSize(2))
        .as((b, time, start, flags, attributes, exemplars) -> b.setTimeUnixNano(time).setStartTimeUnixNano(start)
            .setFlags(flags).addAllAttributes(attributes).addAllExemplars(exemplars).build())
        .list().ofMaxSize(4);
  }

  private static Arbitrary<HistogramDataPoint> histogramPoint(long nowMs) {
    Arbitrary<double[]> bounds = Arbitraries.of(new double[0], new double[] {1}, new double[] {0.1, 1, 10},
        new double[] {5, 1}); // the last is invalid: bounds must increase
    Arbitrary<HistogramDataPoint.Builder> shape = Combinators.combine(bounds, Arbitraries.integers().between(0, 20),
            Arbitraries.integers().between(-1, 1))
        .as((b, scale, extraBuckets) -> {
          HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder();
          int buckets = b.length == 0 && extraBuckets <= 0 ? 0 : b.length + 1 + (extraBuckets < 0 ? 0 : extraBuckets);
          long count = 0;
          for (int i = 0; i < buckets; i++) {
            p.addBucketCounts((long) scale * (i + 1));
            count += (long) scale * (i + 1);
          }
          for (double bound : b) {
            p.addExplicitBounds(bound);
          }
          return p.setCount(count);
        });
    return Combinators.combine(shape, doubles().injectNull(0.2), times(nowMs), startTimes(nowMs), flags(),
            attributes(), exemplars(nowMs).list().ofMaxSize(2), doubles().injectNull(0.5))
        .as((p, sum, time, start, flags, attributes, exemplars, min) -> {
          if (sum != null) {
            p.setSum(Math.abs(sum));
          }
          if (min != null) {
            p.setMin(min).setMax(min + 1);
          }
          return p.setTimeUnixNano(time).setStartTimeUnixNano(start).setFlags(flags).addAllAttributes(attributes)
              .addAllExemplars(exemplars).build();
        });
  }

  private static Arbitrary<ExponentialHistogramDataPoint> exponentialPoint(long nowMs) {
    Arbitrary<ExponentialHistogramDataPoint.Buckets> buckets = Combinators.combine(
            Arbitraries.integers().between(-5, 5), Arbitraries.longs().between(0, 9).list().ofMaxSize(4))
        .as((offset, counts) -> ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(offset)
            .addAllBucketCounts(counts).build());
    Arbitrary<ExponentialHistogramDataPoint.Builder> shape = Combinators.combine(
            Arbitraries.integers().between(-3, 4), buckets, buckets.injectNull(0.5),
            Arbitraries.longs().between(0, 3), Arbitraries.of(0.0, 1e-9))
        .as((scale, positive, negative, zeros, threshold) -> {
          ExponentialHistogramDataPoint.Builder p = ExponentialHistogramDataPoint.newBuilder().setScale(scale)
              .setPositive(positive).setZeroCount(zeros).setZeroThreshold(threshold);
          long count = zeros + positive.getBucketCountsList().stream().mapToLong(Long::longValue).sum();
          if (negative != null) {
            p.setNegative(negative);
            count += negative.getBucketCountsList().stream().mapToLong(Long::longValue).sum();
          }
          return p.setCount(count);
        });
    return Combinators.combine(shape, doubles().injectNull(0.2), times(nowMs), startTimes(nowMs), flags(),
            attributes(), exemplars(nowMs).list().ofMaxSize(1))
        .as((p, sum, time, start, flags, attributes, exemplars) -> {
          if (sum != null) {
            p.setSum(sum);
          }
          return p.setTimeUnixNano(time).setStartTimeUnixNano(start).setFlags(flags).addAllAttributes(attributes)
              .addAllExemplars(exemplars).build();
        });
  }

  private static Arbitrary<SummaryDataPoint> summaryPoint(long nowMs) {
    Arbitrary<SummaryDataPoint.ValueAtQuantile> quantile = Combinators.combine(
            Arbitraries.of(0.0, 0.5, 0.99, 1.0), doubles())
        .as((q, v) -> SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q).setValue(v).build());
    return Combinators.combine(Arbitraries.longs().between(0, 100), doubles(), quantile.list().ofMaxSize(3),
            times(nowMs), startTimes(nowMs), flags(), attributes())
        .as((count, sum, quantiles, time, start, flags, attributes) -> SummaryDataPoint.newBuilder().setCount(count)
            .setSum(sum).addAllQuantileValues(quantiles).setTimeUnixNano(time).setStartTimeUnixNano(start)
            .setFlags(flags).addAllAttributes(attributes).build());
  }

  private static Arbitrary<Exemplar> exemplars(long nowMs) {
    Arbitrary<Exemplar.Builder> value = Arbitraries.oneOf(
        Arbitraries.longs().map(v -> Exemplar.newBuilder().setAsInt(v)),
        doubles().map(v -> Exemplar.newBuilder().setAsDouble(v)));
    return Combinators.combine(value, times(nowMs), attributes(), Arbitraries.bytes().array(byte[].class).ofSize(8),
            Arbitraries.bytes().array(byte[].class).ofSize(16), Arbitraries.of(true, false))
        .as((e, time, filtered, span, trace, sampled) -> {
          e.setTimeUnixNano(time).addAllFilteredAttributes(filtered);
          return sampled ? e.setSpanId(ByteString.copyFrom(span)).setTraceId(ByteString.copyFrom(trace)).build()
              : e.build();
        });
  }

  /** Point attributes: mostly strings, some of every other kind, rarely one nested too deep. */
  public static Arbitrary<List<KeyValue>> attributes() {
    return Arbitraries.frequencyOf(
            Tuple.of(12, keyValues(strings().map(s -> AnyValue.newBuilder().setStringValue(s).build()))),
            Tuple.of(6, keyValues(anyValues(2))),
            Tuple.of(1, keyValues(deepValues())))
        .list().ofMaxSize(3);
  }

  public static Arbitrary<KeyValue> keyValues(Arbitrary<AnyValue> values) {
    Arbitrary<String> keys = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.of("host.name", "service.name", "http.route", "k", "K", "a.b", "a_b", "le")),
        Tuple.of(1, Arbitraries.of("", "-", "ü", "__name__", "quantile")),
        Tuple.of(1, texts()));
    return Combinators.combine(keys, values.injectNull(0.05)).as((key, value) -> {
      KeyValue.Builder kv = KeyValue.newBuilder().setKey(key);
      return (value == null ? kv : kv.setValue(value)).build();
    });
  }

  /** Every AnyValue kind, arrays and maps nested up to {@code depth} levels. */
  public static Arbitrary<AnyValue> anyValues(int depth) {
    Arbitrary<AnyValue> scalar = Arbitraries.oneOf(
        strings().map(s -> AnyValue.newBuilder().setStringValue(s).build()),
        Arbitraries.of(true, false).map(b -> AnyValue.newBuilder().setBoolValue(b).build()),
        Arbitraries.longs().map(i -> AnyValue.newBuilder().setIntValue(i).build()),
        doubles().map(d -> AnyValue.newBuilder().setDoubleValue(d).build()),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(6)
            .map(b -> AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(b)).build()),
        Arbitraries.just(AnyValue.getDefaultInstance()));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<AnyValue> inner = anyValues(depth - 1);
    return Arbitraries.frequencyOf(
        Tuple.of(6, scalar),
        Tuple.of(1, inner.list().ofMaxSize(3)
            .map(values -> AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(values)).build())),
        Tuple.of(1, keyValues(inner).list().ofMaxSize(3)
            .map(kvs -> AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(kvs)).build())));
  }

  /**
   * Arrays nested 40 to 50 deep: a point attribute's value is at level 7 of the request, and each
   * array adds two, so protobuf's limit of 100 levels falls inside this range.
   */
  static Arbitrary<AnyValue> deepValues() {
    return Arbitraries.integers().between(40, 50).map(depth -> {
      AnyValue value = AnyValue.newBuilder().setStringValue("deep").build();
      for (int i = 0; i < depth; i++) {
        value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
      }
      return value;
    });
  }

  /** Point times around {@code nowMs}; a few zero, too old for an hour's retention, or too far ahead. */
  private static Arbitrary<Long> times(long nowMs) {
    return Arbitraries.frequencyOf(
        Tuple.of(20, Arbitraries.integers().between(-1800, 300)
            .map(seconds -> TimeUnit.MILLISECONDS.toNanos(nowMs + seconds * 1000L))),
        Tuple.of(1, Arbitraries.of(0L, TimeUnit.MILLISECONDS.toNanos(nowMs - 7_200_000),
            TimeUnit.MILLISECONDS.toNanos(nowMs + 1_200_000))));
  }

  /** Unset, before the receiver started (now), or after. */
  private static Arbitrary<Long> startTimes(long nowMs) {
    return Arbitraries.of(0L, TimeUnit.MILLISECONDS.toNanos(nowMs - 3_600_000),
        TimeUnit.MILLISECONDS.toNanos(nowMs + 1));
  }

  /** 1 is FLAG_NO_RECORDED_VALUE, a stale marker. */
  private static Arbitrary<Integer> flags() {
    return Arbitraries.frequency(Tuple.of(8, 0), Tuple.of(1, 1), Tuple.of(1, 6));
  }

  private static Arbitrary<Double> doubles() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.doubles().between(-10, 1e6).ofScale(3)),
        Tuple.of(1, Arbitraries.of(0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, 1e300)));
  }

  /** Attribute string values: a few repeated, and any Unicode, supplementary characters too. */
  public static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.of("/a", "/b", "h1", "redis", "")),
        Tuple.of(1, texts()));
  }

  private static Arbitrary<String> texts() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(8)),
        Tuple.of(2, Arbitraries.strings().withCharRange(' ', '\u07ff').ofMaxLength(6)),
        Tuple.of(1, Arbitraries.of("😀", "a\u0000b", "中文", "\u00e9\u0301")));
  }

  private static Arbitrary<String> schemaUrls() {
    return Arbitraries.of("", "https://opentelemetry.io/schemas/1.24.0", "ü");
  }
}
