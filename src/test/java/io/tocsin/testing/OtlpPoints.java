package io.tocsin.testing;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Hand-built OTLP metrics, for tests that need exact times, start times and flags, and a plain OTLP/HTTP post. */
public final class OtlpPoints {
  /** OTLP's no-recorded-value flag: a stale marker. */
  public static final int NO_RECORDED_VALUE = 1;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private OtlpPoints() {}

  public static ExportMetricsServiceRequest request(Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
  }

  public static NumberDataPoint.Builder point(long timeMs, double value, String... labels) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(TimeUnit.MILLISECONDS.toNanos(timeMs))
        .setAsDouble(value);
    for (int i = 0; i < labels.length; i += 2) {
      p.addAttributes(attribute(labels[i], labels[i + 1]));
    }
    return p;
  }

  public static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  public static Metric gauge(String name, NumberDataPoint.Builder... points) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (NumberDataPoint.Builder p : points) {
      gauge.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setGauge(gauge).build();
  }

  /** A monotonic cumulative sum (a counter as most SDKs send it). */
  public static Metric counter(String name, NumberDataPoint.Builder... points) {
    return counter(name, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, points);
  }

  /** A monotonic sum of increases. */
  public static Metric deltaCounter(String name, NumberDataPoint.Builder... points) {
    return counter(name, AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, points);
  }

  private static Metric counter(String name, AggregationTemporality temporality, NumberDataPoint.Builder... points) {
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true).setAggregationTemporality(temporality);
    for (NumberDataPoint.Builder p : points) {
      sum.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setSum(sum).build();
  }

  /** A cumulative explicit-bucket histogram. */
  public static Metric histogram(String name, HistogramDataPoint.Builder... points) {
    Histogram.Builder h = Histogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (HistogramDataPoint.Builder p : points) {
      h.addDataPoints(p);
    }
    return Metric.newBuilder().setName(name).setHistogram(h).build();
  }

  public static HistogramDataPoint.Builder histogramPoint(long startMs, long timeMs, double sum, long... counts) {
    HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder()
        .setStartTimeUnixNano(TimeUnit.MILLISECONDS.toNanos(startMs))
        .setTimeUnixNano(TimeUnit.MILLISECONDS.toNanos(timeMs)).setSum(sum);
    long count = 0;
    for (int i = 0; i < counts.length; i++) {
      p.addBucketCounts(counts[i]);
      count += counts[i];
      if (i < counts.length - 1) {
        p.addExplicitBounds(i + 1);
      }
    }
    return p.setCount(count);
  }

  /** Posts {@code request} to OTLP/HTTP on {@code port}; the response as it came. */
  public static HttpResponse<byte[]> post(int port, ExportMetricsServiceRequest request)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/metrics"))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(request.toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
