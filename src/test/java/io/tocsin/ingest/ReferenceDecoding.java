package io.tocsin.ingest;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tocsin.ingest.DecodedRequest.DecodedMetric;
import io.tocsin.ingest.DecodedRequest.Kind;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.SeriesStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reference that {@link OtlpDecoder} is checked against: a request as the generated parser
 * decodes it ({@code ExportMetricsServiceRequest.parseFrom}), put into {@link DecodedRequest}'s
 * columns by plain loops over the parsed objects. Both then go through the same writer, so any
 * difference in what the store holds is a difference in decoding.
 */
final class ReferenceDecoding {
  private ReferenceDecoding() {}

  static DecodedRequest of(ExportMetricsServiceRequest request) {
    DecodedRequest decoded = new DecodedRequest().reset(new byte[0]);
    // String attributes are byte ranges of a body: here one holding just those strings.
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      Labels resource = MetricsTranslator.labelsOf(Labels.EMPTY, resourceMetrics.getResource().getAttributesList());
      for (ScopeMetrics scope : resourceMetrics.getScopeMetricsList()) {
        for (Metric m : scope.getMetricsList()) {
          DecodedMetric metric = new DecodedMetric(resource, m.getName());
          decoded.metrics.add(metric);
          metric.firstPoint = decoded.points;
          switch (m.getDataCase()) {
            case GAUGE -> {
              metric.kind = Kind.GAUGE;
              numbers(decoded, m.getGauge().getDataPointsList(), strings);
            }
            case SUM -> {
              metric.kind = Kind.SUM;
              metric.temporality = m.getSum().getAggregationTemporalityValue();
              metric.monotonic = m.getSum().getIsMonotonic();
              numbers(decoded, m.getSum().getDataPointsList(), strings);
            }
            case HISTOGRAM -> {
              metric.kind = Kind.HISTOGRAM;
              metric.temporality = m.getHistogram().getAggregationTemporalityValue();
              metric.histograms.addAll(m.getHistogram().getDataPointsList());
            }
            case EXPONENTIAL_HISTOGRAM -> {
              metric.kind = Kind.EXPONENTIAL_HISTOGRAM;
              metric.temporality = m.getExponentialHistogram().getAggregationTemporalityValue();
              metric.exponentialHistograms.addAll(m.getExponentialHistogram().getDataPointsList());
            }
            case SUMMARY -> {
              metric.kind = Kind.SUMMARY;
              metric.summaries.addAll(m.getSummary().getDataPointsList());
            }
            case DATA_NOT_SET -> metric.kind = Kind.UNKNOWN;
          }
          metric.pointCount = decoded.points - metric.firstPoint;
        }
      }
    }
    decoded.body = strings.toByteArray();
    return decoded;
  }

  private static void numbers(DecodedRequest decoded, List<NumberDataPoint> points, ByteArrayOutputStream strings) {
    for (NumberDataPoint point : points) {
      int p = decoded.addPoint();
      decoded.startNanos[p] = point.getStartTimeUnixNano();
      decoded.timeNanos[p] = point.getTimeUnixNano();
      decoded.flags[p] = point.getFlags();
      switch (point.getValueCase()) {
        case AS_DOUBLE -> {
          decoded.valueBits[p] = Double.doubleToRawLongBits(point.getAsDouble());
          decoded.valueCase[p] = DecodedRequest.VALUE_DOUBLE;
        }
        case AS_INT -> {
          decoded.valueBits[p] = point.getAsInt();
          decoded.valueCase[p] = DecodedRequest.VALUE_INT;
        }
        case VALUE_NOT_SET -> decoded.valueCase[p] = DecodedRequest.VALUE_NONE;
      }
      for (KeyValue kv : point.getAttributesList()) {
        int a = decoded.addAttribute();
        decoded.attributeCount[p]++;
        if (kv.getValue().getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
          decoded.keyOffset[a] = append(strings, kv.getKey());
          decoded.keyLength[a] = strings.size() - decoded.keyOffset[a];
          decoded.valueOffset[a] = append(strings, kv.getValue().getStringValue());
          decoded.valueLength[a] = strings.size() - decoded.valueOffset[a];
        } else {
          decoded.attributeType[a] = DecodedRequest.ATTRIBUTE_OTHER;
          decoded.valueOffset[a] = decoded.otherAttributes.size();
          decoded.otherAttributes.add(kv);
        }
      }
    }
  }

  private static int append(ByteArrayOutputStream out, String s) {
    int offset = out.size();
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    return offset;
  }

  /** Every series of {@code store} with its kind and samples, one line each, sorted. */
  static String dump(SeriesStore store) {
    List<String> lines = new ArrayList<>();
    lines.add("series: " + store.seriesCount());
    for (String metric : store.metricNames()) {
      store.scan(metric, labels -> true, Long.MIN_VALUE, Long.MAX_VALUE, (labels, kind, times, values, count) -> {
        StringBuilder line = new StringBuilder(metric).append(labels).append(' ').append(kind);
        for (int i = 0; i < count; i++) {
          line.append(' ').append(times[i]).append('=').append(values[i]);
        }
        lines.add(line.toString());
      });
      store.scanHistograms(metric, labels -> true, Long.MIN_VALUE, Long.MAX_VALUE, (labels, times, samples, count) -> {
        StringBuilder line = new StringBuilder(metric).append(labels).append(" HISTOGRAM");
        for (int i = 0; i < count; i++) {
          line.append(' ').append(times[i]).append('=').append(histogram(samples[i]));
        }
        lines.add(line.toString());
      });
    }
    lines.sort(null);
    return String.join("\n", lines);
  }

  private static String histogram(HistogramSample h) {
    return h == null ? "stale" : h.count() + "/" + h.sum() + "/" + Arrays.toString(h.bounds())
        + "/" + Arrays.toString(h.counts());
  }
}
