package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.tocsin.ingest.DecodedRequest.DecodedMetric;
import io.tocsin.ingest.DecodedRequest.Kind;
import io.tocsin.store.AppendLog;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.util.Names;
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

  /** Decoding columns per thread, reused request after request. */
  private static final ThreadLocal<DecodedRequest> DECODED = ThreadLocal.withInitial(DecodedRequest::new);

  private final SeriesStore store;
  private final Clock clock;
  private final LabelLimits limits;
  private final long receiverStartNanos;

  public MetricsTranslator(SeriesStore store, Clock clock, LabelLimits limits) {
    this.store = store;
    this.clock = clock;
    this.limits = limits;
    this.receiverStartNanos = TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  /** With the default label limits. */
  public MetricsTranslator(SeriesStore store, Clock clock) {
    this(store, clock, LabelLimits.DEFAULT);
  }

  /** The store's write-ahead log, which an export waits for before it is answered. */
  AppendLog log() {
    return store.log();
  }

  /**
   * Decodes a protobuf-encoded {@code ExportMetricsServiceRequest} and writes its points. A body
   * that does not decode stores nothing.
   */
  public IngestResult write(byte[] body) throws InvalidProtocolBufferException {
    DecodedRequest request = DECODED.get();
    try {
      return write(OtlpDecoder.decode(body, request));
    } finally {
      request.release();
    }
  }

  /** Writes the points of a decoded request. */
  IngestResult write(DecodedRequest request) {
    RejectionTally tally = new RejectionTally();
    PointWriter writer = new PointWriter(store, tally, limits, receiverStartNanos,
        store.retentionCutoffMs(), clock.millis() + MAX_FUTURE_MS);
    for (DecodedMetric metric : request.metrics) {
      writeMetric(request, metric, writer, tally);
    }
    return tally.result();
  }

  private void writeMetric(DecodedRequest request, DecodedMetric metric, PointWriter writer, RejectionTally tally) {
    String name = Names.normalize(metric.sourceName);
    if (metric.kind == Kind.UNKNOWN) {
      tally.reject(RejectReason.UNKNOWN_DATA_KIND, metric.sourceName, 1);
      return;
    }
    if (name.isEmpty()) {
      tally.reject(RejectReason.INVALID_NAME, metric.sourceName, metric.points());
      return;
    }
    if (name.length() > limits.maxValueLength()) {
      tally.reject(RejectReason.LABEL_VALUE_TOO_LONG, metric.sourceName, metric.points(),
          "the metric name, " + name.length() + " characters");
      return;
    }
    if (metric.resource.size() > limits.maxLabelsPerSeries()) {
      tally.reject(RejectReason.TOO_MANY_LABELS, metric.sourceName, metric.points(),
          metric.resource.size() + " resource attributes");
      return;
    }
    boolean cumulative = metric.temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE_VALUE;
    boolean delta = metric.temporality == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA_VALUE;
    boolean needsTemporality = metric.kind != Kind.GAUGE && metric.kind != Kind.SUMMARY;
    if (needsTemporality && !cumulative && !delta) {
      tally.reject(RejectReason.UNSPECIFIED_TEMPORALITY, metric.sourceName, metric.points());
      return;
    }
    writer.metric(metric.sourceName, name);
    Labels resource = metric.resource;
    switch (metric.kind) {
      case GAUGE, SUM -> {
        MetricKind kind = metric.kind == Kind.GAUGE ? MetricKind.GAUGE
            : metric.monotonic ? MetricKind.COUNTER : MetricKind.ADDITIVE;
        for (int p = metric.firstPoint; p < metric.firstPoint + metric.pointCount; p++) {
          writer.number(kind, cumulative, resource, request, p);
        }
      }
      case HISTOGRAM -> {
        for (HistogramDataPoint p : metric.histograms) {
          writer.histogram(cumulative, resource, p);
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        for (ExponentialHistogramDataPoint p : metric.exponentialHistograms) {
          writer.exponentialHistogram(cumulative, resource, p);
        }
      }
      case SUMMARY -> {
        for (SummaryDataPoint p : metric.summaries) {
          writer.summary(resource, p);
        }
      }
      case UNKNOWN -> throw new AssertionError("handled above");
    }
  }

  /** {@code base} with the normalised attributes added; an attribute replaces a base label. */
  static Labels labelsOf(Labels base, List<KeyValue> attributes) {
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
