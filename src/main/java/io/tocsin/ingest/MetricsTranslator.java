package io.tocsin.ingest;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Turns OTLP metrics into store samples (design section 3): labels are resource attributes merged
 * with point attributes (the point wins), names and keys are normalised, and each data kind maps
 * to a {@link MetricKind}. Every point is judged on its own, so one bad point never costs the
 * good ones beside it. Thread-safe; the per-series conversion state lives in the series.
 */
public final class MetricsTranslator {
  /** Points further ahead than this are refused: one would block its series until then. */
  static final long MAX_FUTURE_MS = TimeUnit.MINUTES.toMillis(10);

  private final SeriesStore store;
  private final Clock clock;
  private final long receiverStartNanos;

  public MetricsTranslator(SeriesStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.receiverStartNanos = TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  public IngestResult write(ExportMetricsServiceRequest request) {
    RejectionTally tally = new RejectionTally();
    long nowMs = clock.millis();
    PointWriter writer = new PointWriter(store, tally, receiverStartNanos,
        store.retentionCutoffMs(), nowMs + MAX_FUTURE_MS);
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      Labels resource = labelsOf(Labels.EMPTY, resourceMetrics.getResource().getAttributesList());
      for (ScopeMetrics scopeMetrics : resourceMetrics.getScopeMetricsList()) {
        for (Metric metric : scopeMetrics.getMetricsList()) {
          writeMetric(metric, resource, writer, tally);
        }
      }
    }
    return tally.result();
  }

  private static void writeMetric(Metric metric, Labels resource, PointWriter writer, RejectionTally tally) {
    String name = Names.normalize(metric.getName());
    int points = pointCount(metric);
    if (metric.getDataCase() == Metric.DataCase.DATA_NOT_SET) {
      tally.reject(RejectReason.UNKNOWN_DATA_KIND, metric.getName(), 1);
      return;
    }
    if (name.isEmpty()) {
      tally.reject(RejectReason.INVALID_NAME, metric.getName(), points);
      return;
    }
    writer.metric(metric.getName(), name);
    switch (metric.getDataCase()) {
      case GAUGE -> {
        for (NumberDataPoint p : metric.getGauge().getDataPointsList()) {
          writer.number(MetricKind.GAUGE, false, labelsOf(resource, p.getAttributesList()), p);
        }
      }
      case SUM -> {
        AggregationTemporality temporality = metric.getSum().getAggregationTemporality();
        if (!known(temporality)) {
          tally.reject(RejectReason.UNSPECIFIED_TEMPORALITY, metric.getName(), points);
          return;
        }
        MetricKind kind = metric.getSum().getIsMonotonic() ? MetricKind.COUNTER : MetricKind.ADDITIVE;
        boolean cumulative = temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
        for (NumberDataPoint p : metric.getSum().getDataPointsList()) {
          writer.number(kind, cumulative, labelsOf(resource, p.getAttributesList()), p);
        }
      }
      case HISTOGRAM -> {
        AggregationTemporality temporality = metric.getHistogram().getAggregationTemporality();
        if (!known(temporality)) {
          tally.reject(RejectReason.UNSPECIFIED_TEMPORALITY, metric.getName(), points);
          return;
        }
        boolean cumulative = temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
        for (HistogramDataPoint p : metric.getHistogram().getDataPointsList()) {
          writer.histogram(cumulative, labelsOf(resource, p.getAttributesList()), p);
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        AggregationTemporality temporality = metric.getExponentialHistogram().getAggregationTemporality();
        if (!known(temporality)) {
          tally.reject(RejectReason.UNSPECIFIED_TEMPORALITY, metric.getName(), points);
          return;
        }
        boolean cumulative = temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
        for (ExponentialHistogramDataPoint p : metric.getExponentialHistogram().getDataPointsList()) {
          writer.exponentialHistogram(cumulative, labelsOf(resource, p.getAttributesList()), p);
        }
      }
      case SUMMARY -> {
        for (SummaryDataPoint p : metric.getSummary().getDataPointsList()) {
          writer.summary(labelsOf(resource, p.getAttributesList()), p);
        }
      }
      case DATA_NOT_SET -> throw new AssertionError("handled above");
    }
  }

  private static boolean known(AggregationTemporality temporality) {
    return temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
        || temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
  }

  private static int pointCount(Metric metric) {
    return switch (metric.getDataCase()) {
      case GAUGE -> metric.getGauge().getDataPointsCount();
      case SUM -> metric.getSum().getDataPointsCount();
      case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> metric.getSummary().getDataPointsCount();
      case DATA_NOT_SET -> 1;
    };
  }

  /** {@code base} with the normalised attributes added; an attribute replaces a base label. */
  private static Labels labelsOf(Labels base, List<KeyValue> attributes) {
    if (attributes.isEmpty()) {
      return base;
    }
    Labels.Builder builder = Labels.builder().putAll(base);
    for (int i = 0; i < attributes.size(); i++) {
      KeyValue kv = attributes.get(i);
      String key = Names.normalize(kv.getKey());
      if (!key.isEmpty()) {
        builder.put(key, AttributeValues.render(kv.getValue()));
      }
    }
    return builder.build();
  }
}
