package io.tocsin.ingest;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.tocsin.store.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An export request decoded by {@link OtlpDecoder}: metrics with their resource labels, number
 * data points as columns of primitives, and their attributes as byte ranges into the request
 * body. Gauges and sums, nearly all of the traffic, thus cost no objects per point; the rarer
 * histogram and summary points are kept as protobuf messages.
 */
final class DecodedRequest {
  /** Which data a metric carries; {@code UNKNOWN} for none or a kind this receiver does not know. */
  enum Kind { GAUGE, SUM, HISTOGRAM, EXPONENTIAL_HISTOGRAM, SUMMARY, UNKNOWN }

  /** One metric; number points are {@code [firstPoint, firstPoint + pointCount)} of the columns. */
  static final class DecodedMetric {
    final Labels resource;
    final String sourceName;
    Kind kind = Kind.UNKNOWN;
    int temporality;
    boolean monotonic;
    int firstPoint;
    int pointCount;
    final List<HistogramDataPoint> histograms = new ArrayList<>();
    final List<ExponentialHistogramDataPoint> exponentialHistograms = new ArrayList<>();
    final List<SummaryDataPoint> summaries = new ArrayList<>();

    DecodedMetric(Labels resource, String sourceName) {
      this.resource = resource;
      this.sourceName = sourceName;
    }

    int points() {
      return switch (kind) {
        case GAUGE, SUM -> pointCount;
        case HISTOGRAM -> histograms.size();
        case EXPONENTIAL_HISTOGRAM -> exponentialHistograms.size();
        case SUMMARY -> summaries.size();
        case UNKNOWN -> 1;
      };
    }
  }

  static final int VALUE_NONE = 0;
  static final int VALUE_DOUBLE = 1;
  static final int VALUE_INT = 2;

  /** An attribute whose value is a string; others are decoded from their KeyValue bytes. */
  static final int ATTRIBUTE_STRING = 0;
  static final int ATTRIBUTE_OTHER = 1;

  byte[] body;
  final List<DecodedMetric> metrics = new ArrayList<>();
  final List<KeyValue> otherAttributes = new ArrayList<>();

  // Number data points.
  int points;
  long[] startNanos = new long[64];
  long[] timeNanos = new long[64];
  long[] valueBits = new long[64];
  byte[] valueCase = new byte[64];
  int[] flags = new int[64];
  int[] firstAttribute = new int[64];
  int[] attributeCount = new int[64];

  // Attributes of number data points: the key's bytes, and the string value's bytes or, for
  // other values, the index of the decoded KeyValue in otherAttributes.
  int attributes;
  int[] keyOffset = new int[256];
  int[] keyLength = new int[256];
  int[] valueOffset = new int[256];
  int[] valueLength = new int[256];
  byte[] attributeType = new byte[256];

  // Cursors for the innermost messages, reused point after point.
  final WireCursor pointCursor = new WireCursor();
  final WireCursor attributeCursor = new WireCursor();
  final WireCursor valueCursor = new WireCursor();
  /** For {@link OtlpValidator}: parts of the request that are checked but not used. */
  final WireCursor checkCursor = new WireCursor();

  /**
   * Starts decoding {@code body} into this instance; the column arrays of the previous request
   * are reused, so a thread decoding request after request allocates them once.
   */
  DecodedRequest reset(byte[] newBody) {
    body = newBody;
    metrics.clear();
    otherAttributes.clear();
    points = 0;
    attributes = 0;
    pointCursor.on(newBody);
    attributeCursor.on(newBody);
    valueCursor.on(newBody);
    checkCursor.on(newBody);
    return this;
  }

  /** Lets go of the body and decoded objects, which can be large, once the request is written. */
  void release() {
    reset(null);
  }

  int addPoint() {
    if (points == timeNanos.length) {
      int n = points * 2;
      startNanos = Arrays.copyOf(startNanos, n);
      timeNanos = Arrays.copyOf(timeNanos, n);
      valueBits = Arrays.copyOf(valueBits, n);
      valueCase = Arrays.copyOf(valueCase, n);
      flags = Arrays.copyOf(flags, n);
      firstAttribute = Arrays.copyOf(firstAttribute, n);
      attributeCount = Arrays.copyOf(attributeCount, n);
    }
    int p = points++;
    startNanos[p] = 0;
    timeNanos[p] = 0;
    valueBits[p] = 0;
    valueCase[p] = VALUE_NONE;
    flags[p] = 0;
    firstAttribute[p] = attributes;
    attributeCount[p] = 0;
    return p;
  }

  int addAttribute() {
    if (attributes == keyOffset.length) {
      int n = attributes * 2;
      keyOffset = Arrays.copyOf(keyOffset, n);
      keyLength = Arrays.copyOf(keyLength, n);
      valueOffset = Arrays.copyOf(valueOffset, n);
      valueLength = Arrays.copyOf(valueLength, n);
      attributeType = Arrays.copyOf(attributeType, n);
    }
    int a = attributes++;
    keyOffset[a] = 0;
    keyLength[a] = 0;
    valueOffset[a] = 0;
    valueLength[a] = 0;
    attributeType[a] = ATTRIBUTE_STRING;
    return a;
  }

  double value(int point) {
    return valueCase[point] == VALUE_INT ? (double) valueBits[point] : Double.longBitsToDouble(valueBits[point]);
  }

  String key(int attribute) {
    return new String(body, keyOffset[attribute], keyLength[attribute], StandardCharsets.UTF_8);
  }
}
