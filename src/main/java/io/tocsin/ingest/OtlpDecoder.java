package io.tocsin.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tocsin.ingest.DecodedRequest.DecodedMetric;
import io.tocsin.ingest.DecodedRequest.Kind;
import io.tocsin.store.Labels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes a protobuf {@code ExportMetricsServiceRequest} into a {@link DecodedRequest} by
 * walking the wire format with {@link CodedInputStream}, so that number data points and their
 * attributes become primitives and byte ranges instead of objects. Field numbers are those of
 * opentelemetry-proto's {@code metrics.proto} and {@code common.proto}.
 *
 * <p>It accepts exactly what {@code ExportMetricsServiceRequest.parseFrom} accepts, and reads
 * the same values from it: unknown fields (groups too) are skipped; every string field is checked
 * to be UTF-8, those it does not use as well ({@link OtlpValidator}); messages nest at most
 * {@link WireCursor#MAX_LEVEL} levels; a singular message field that appears twice is merged, a
 * scalar one takes its last value; for a oneof the last field wins, and a message case that
 * appears again merges with its earlier occurrences, as protobuf-java's generated builders do
 * (so {@code gauge, sum, gauge} is a gauge with the points of both gauges).
 *
 * <p>The whole body is decoded before anything is written, so a malformed body is refused as a
 * whole and stores nothing.
 */
final class OtlpDecoder {
  private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;

  // Nesting levels of the messages read here, counting the request as 0.
  private static final int RESOURCE_METRICS_LEVEL = 1;
  private static final int SCOPE_METRICS_LEVEL = 2;
  private static final int METRIC_LEVEL = 3;
  private static final int DATA_LEVEL = 4;
  private static final int POINT_LEVEL = 5;
  private static final int ATTRIBUTE_LEVEL = 6;
  private static final int ANY_VALUE_LEVEL = 7;

  private OtlpDecoder() {}

  /** Decodes {@code body} into {@code request}, which is reset first. */
  static DecodedRequest decode(byte[] body, DecodedRequest request) throws InvalidProtocolBufferException {
    request.reset(body);
    try {
      CodedInputStream in = CodedInputStream.newInstance(body);
      for (int tag; (tag = in.readTag()) != 0; ) {
        if (tag == tag(1, LENGTH_DELIMITED)) { // resource_metrics
          int length = in.readRawVarint32();
          resourceMetrics(request, start(in, 0, length, body.length), length);
          in.skipRawBytes(length);
        } else {
          skipUnknown(request, in, tag, 0, body.length, 0);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    return request;
  }

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /** The absolute offset where a length-delimited field's content starts, checked to fit. */
  private static int start(CodedInputStream in, int base, int length, int limit) throws InvalidProtocolBufferException {
    int start = base + in.getTotalBytesRead();
    if (length < 0 || start + length > limit) {
      throw new InvalidProtocolBufferException("a length-delimited field runs past the end of its message");
    }
    return start;
  }

  /**
   * A stream over the message at {@code [offset, offset + length)}, nested {@code level} deep:
   * its recursion limit counts from there, so that nesting is limited as in one parse of the
   * whole request.
   */
  private static CodedInputStream slice(byte[] body, int offset, int length, int level) {
    CodedInputStream in = CodedInputStream.newInstance(body, offset, length);
    in.setRecursionLimit(WireCursor.MAX_LEVEL - level);
    return in;
  }

  /**
   * Skips an unknown field as the generated parser does, which is not quite as {@link
   * CodedInputStream#skipField} does (see {@link WireCursor#skipVarint64}).
   */
  private static void skipUnknown(DecodedRequest request, CodedInputStream in, int tag, int offset, int end, int level)
      throws IOException {
    int start = offset + in.getTotalBytesRead();
    WireCursor cursor = request.checkCursor.reset(start, end - start);
    cursor.skipField(tag, level);
    in.skipRawBytes(cursor.position() - start);
  }

  /** Checks the string field whose length prefix comes next in {@code in} and skips it. */
  private static void skipString(CodedInputStream in, byte[] body, int offset, int end) throws IOException {
    int n = in.readRawVarint32();
    WireCursor.checkUtf8(body, start(in, offset, n, end), n);
    in.skipRawBytes(n);
  }

  /** Checks the message of {@code type} whose length prefix comes next in {@code in} and skips it. */
  private static void skipChecked(DecodedRequest request, CodedInputStream in, int type, int offset, int end, int level)
      throws IOException {
    int n = in.readRawVarint32();
    OtlpValidator.check(request.checkCursor, type, start(in, offset, n, end), n, level);
    in.skipRawBytes(n);
  }

  private static void resourceMetrics(DecodedRequest request, int offset, int length) throws IOException {
    byte[] body = request.body;
    int end = offset + length;
    int level = RESOURCE_METRICS_LEVEL;
    // The resource may follow the scope metrics on the wire, or come in parts: merge them first.
    Resource.Builder resource = null;
    CodedInputStream in = slice(body, offset, length, level);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(1, LENGTH_DELIMITED)) { // resource
        int n = in.readRawVarint32();
        int start = start(in, offset, n, end);
        if (resource == null) {
          resource = Resource.newBuilder();
        }
        resource.mergeFrom(slice(body, start, n, level + 1));
        in.skipRawBytes(n);
      } else if (tag == tag(3, LENGTH_DELIMITED)) { // schema_url
        skipString(in, body, offset, end);
      } else {
        skipUnknown(request, in, tag, offset, end, level);
      }
    }
    // Canonical strings: the probe then compares resource labels by reference.
    Labels labels = resource == null ? Labels.EMPTY
        : MetricsTranslator.labelsOf(Labels.EMPTY, resource.getAttributesList()).interned();
    in = slice(body, offset, length, level);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(2, LENGTH_DELIMITED)) { // scope_metrics
        int n = in.readRawVarint32();
        scopeMetrics(request, labels, start(in, offset, n, end), n);
        in.skipRawBytes(n);
      } else {
        skipUnknown(request, in, tag, offset, end, level);
      }
    }
  }

  private static void scopeMetrics(DecodedRequest request, Labels resource, int offset, int length) throws IOException {
    byte[] body = request.body;
    int end = offset + length;
    CodedInputStream in = slice(body, offset, length, SCOPE_METRICS_LEVEL);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(2, LENGTH_DELIMITED)) { // metrics
        int n = in.readRawVarint32();
        metric(request, resource, start(in, offset, n, end), n);
        in.skipRawBytes(n);
      } else if (tag == tag(1, LENGTH_DELIMITED)) { // scope
        skipChecked(request, in, OtlpValidator.SCOPE, offset, end, SCOPE_METRICS_LEVEL + 1);
      } else if (tag == tag(3, LENGTH_DELIMITED)) { // schema_url
        skipString(in, body, offset, end);
      } else {
        skipUnknown(request, in, tag, offset, end, SCOPE_METRICS_LEVEL);
      }
    }
  }

  private static void metric(DecodedRequest request, Labels resource, int offset, int length) throws IOException {
    byte[] body = request.body;
    int end = offset + length;
    String name = "";
    int dataField = 0;
    CodedInputStream in = slice(body, offset, length, METRIC_LEVEL);
    for (int tag; (tag = in.readTag()) != 0; ) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (WireFormat.getTagWireType(tag) != LENGTH_DELIMITED) {
        skipUnknown(request, in, tag, offset, end, METRIC_LEVEL);
      } else if (field == 1) { // name
        int n = in.readRawVarint32();
        int start = start(in, offset, n, end);
        WireCursor.checkUtf8(body, start, n);
        name = new String(body, start, n, StandardCharsets.UTF_8);
        in.skipRawBytes(n);
      } else if (field == 2 || field == 3) { // description, unit
        skipString(in, body, offset, end);
      } else if (field == 12) { // metadata
        skipChecked(request, in, OtlpValidator.KEY_VALUE, offset, end, METRIC_LEVEL + 1);
      } else if (field == 5 || field == 7 || field == 9 || field == 10 || field == 11) { // data, checked below
        dataField = field;
        skipUnknown(request, in, tag, offset, end, METRIC_LEVEL);
      } else {
        skipUnknown(request, in, tag, offset, end, METRIC_LEVEL);
      }
    }
    DecodedMetric metric = new DecodedMetric(resource, name);
    request.metrics.add(metric);
    metric.firstPoint = request.points;
    metric.kind = switch (dataField) {
      case 5 -> Kind.GAUGE;
      case 7 -> Kind.SUM;
      case 9 -> Kind.HISTOGRAM;
      case 10 -> Kind.EXPONENTIAL_HISTOGRAM;
      case 11 -> Kind.SUMMARY;
      default -> Kind.UNKNOWN;
    };
    // The data is the last case on the wire, merged with every earlier occurrence of that case;
    // earlier occurrences of other cases are still parsed (and may refuse the request).
    in = slice(body, offset, length, METRIC_LEVEL);
    for (int tag; (tag = in.readTag()) != 0; ) {
      int field = WireFormat.getTagFieldNumber(tag);
      boolean data = field == 5 || field == 7 || field == 9 || field == 10 || field == 11;
      if (data && WireFormat.getTagWireType(tag) == LENGTH_DELIMITED) {
        int n = in.readRawVarint32();
        int start = start(in, offset, n, end);
        if (field == dataField) {
          data(request, metric, start, n);
        } else {
          discarded(request, field, start, n);
        }
        in.skipRawBytes(n);
      } else {
        skipUnknown(request, in, tag, offset, end, METRIC_LEVEL);
      }
    }
    metric.pointCount = request.points - metric.firstPoint;
  }

  /** Parses data that a later case of the oneof replaces, for parseFrom would refuse it if malformed. */
  private static void discarded(DecodedRequest request, int field, int offset, int length) throws IOException {
    CodedInputStream in = slice(request.body, offset, length, DATA_LEVEL);
    switch (field) {
      case 5 -> Gauge.parseFrom(in);
      case 7 -> Sum.parseFrom(in);
      case 9 -> Histogram.parseFrom(in);
      case 10 -> ExponentialHistogram.parseFrom(in);
      case 11 -> Summary.parseFrom(in);
      default -> throw new AssertionError(field);
    }
  }

  /** Gauge, Sum, Histogram, ExponentialHistogram and Summary share their field numbers. */
  private static void data(DecodedRequest request, DecodedMetric metric, int offset, int length) throws IOException {
    byte[] body = request.body;
    CodedInputStream in = slice(body, offset, length, DATA_LEVEL);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(1, LENGTH_DELIMITED)) { // data_points
        int n = in.readRawVarint32();
        int start = start(in, offset, n, offset + length);
        switch (metric.kind) {
          case GAUGE, SUM -> numberPoint(request, start, n);
          case HISTOGRAM -> metric.histograms.add(
              HistogramDataPoint.parseFrom(slice(body, start, n, POINT_LEVEL)));
          case EXPONENTIAL_HISTOGRAM -> metric.exponentialHistograms.add(
              ExponentialHistogramDataPoint.parseFrom(slice(body, start, n, POINT_LEVEL)));
          case SUMMARY -> metric.summaries.add(SummaryDataPoint.parseFrom(slice(body, start, n, POINT_LEVEL)));
          case UNKNOWN -> throw new AssertionError();
        }
        in.skipRawBytes(n);
      } else if (tag == tag(2, WireFormat.WIRETYPE_VARINT) && metric.kind != Kind.GAUGE && metric.kind != Kind.SUMMARY) {
        metric.temporality = in.readEnum();
      } else if (tag == tag(3, WireFormat.WIRETYPE_VARINT) && metric.kind == Kind.SUM) {
        metric.monotonic = in.readBool();
      } else {
        skipUnknown(request, in, tag, offset, offset + length, DATA_LEVEL);
      }
    }
  }

  private static void numberPoint(DecodedRequest request, int offset, int length) throws IOException {
    int p = request.addPoint();
    WireCursor in = request.pointCursor.reset(offset, length);
    while (!in.atEnd()) {
      int tag = in.readTag();
      switch (tag) {
        case 17 -> request.startNanos[p] = in.readFixed64(); // start_time_unix_nano
        case 25 -> request.timeNanos[p] = in.readFixed64(); // time_unix_nano
        case 33 -> { // as_double
          request.valueBits[p] = in.readFixed64();
          request.valueCase[p] = DecodedRequest.VALUE_DOUBLE;
        }
        case 49 -> { // as_int
          request.valueBits[p] = in.readFixed64();
          request.valueCase[p] = DecodedRequest.VALUE_INT;
        }
        case 64 -> request.flags[p] = (int) in.readVarint(); // flags
        case 58 -> { // attributes
          int n = in.readLength();
          attribute(request, in.position(), n);
          request.attributeCount[p]++;
          in.skip(n);
        }
        case 42 -> { // exemplars
          int n = in.readLength();
          OtlpValidator.check(request.checkCursor, OtlpValidator.EXEMPLAR, in.position(), n, ATTRIBUTE_LEVEL);
          in.skip(n);
        }
        default -> in.skipField(tag, POINT_LEVEL);
      }
    }
  }

  /**
   * A KeyValue: the key's bytes, and for a string value its bytes; any other value is decoded
   * as a KeyValue for the general path to render.
   */
  private static void attribute(DecodedRequest request, int offset, int length) throws IOException {
    int a = request.addAttribute();
    WireCursor in = request.attributeCursor.reset(offset, length);
    int value = VALUE_STRING; // no value at all is an empty one, rendered as ""
    while (!in.atEnd()) {
      int tag = in.readTag();
      if (tag == tag(1, LENGTH_DELIMITED)) { // key
        int n = in.readLength();
        in.checkUtf8(n);
        request.keyOffset[a] = in.position();
        request.keyLength[a] = n;
        in.skip(n);
      } else if (tag == tag(2, LENGTH_DELIMITED)) { // value: AnyValue, merged with an earlier one
        int n = in.readLength();
        value = anyValue(request, a, in.position(), n, value);
        in.skip(n);
      } else if (tag == tag(3, WireFormat.WIRETYPE_VARINT)) { // key_strindex, an int32
        in.readVarint();
      } else {
        in.skipField(tag, ATTRIBUTE_LEVEL);
      }
    }
    if (value != VALUE_STRING) {
      // Decoded now, so that a malformed value refuses the request before anything is written.
      request.attributeType[a] = DecodedRequest.ATTRIBUTE_OTHER;
      request.valueOffset[a] = request.otherAttributes.size();
      request.otherAttributes.add(KeyValue.parseFrom(slice(request.body, offset, length, ATTRIBUTE_LEVEL)));
    }
  }

  /** The value case so far: a string (or none), another scalar, or an array or map somewhere. */
  private static final int VALUE_STRING = 0;
  private static final int VALUE_OTHER = 1;
  private static final int VALUE_NESTED = 2;

  /**
   * Reads an AnyValue on top of {@code value}, the case of the KeyValue's earlier values; for a
   * oneof the last field wins. A string is recorded; an array or map anywhere leaves the whole
   * KeyValue to the generated parser, whose merging of those this does not repeat.
   */
  private static int anyValue(DecodedRequest request, int a, int offset, int length, int value) throws IOException {
    WireCursor in = request.valueCursor.reset(offset, length);
    while (!in.atEnd()) {
      int tag = in.readTag();
      switch (tag) {
        case 10 -> { // string_value
          int n = in.readLength();
          in.checkUtf8(n);
          request.valueOffset[a] = in.position();
          request.valueLength[a] = n;
          in.skip(n);
          if (value != VALUE_NESTED) {
            value = VALUE_STRING;
          }
        }
        case 42, 50 -> { // array_value, kvlist_value
          value = VALUE_NESTED;
          in.skipField(tag, ANY_VALUE_LEVEL);
        }
        case 16, 24, 33, 58 -> { // bool, int, double, bytes
          if (value != VALUE_NESTED) {
            value = VALUE_OTHER;
          }
          in.skipField(tag, ANY_VALUE_LEVEL);
        }
        case 64 -> { // string_value_strindex, an int32: read strictly (see WireCursor#skipVarint64)
          if (value != VALUE_NESTED) {
            value = VALUE_OTHER;
          }
          in.readVarint();
        }
        default -> in.skipField(tag, ANY_VALUE_LEVEL);
      }
    }
    return value;
  }

  /** The attributes of number point {@code p}, as the general path needs them. */
  static List<KeyValue> attributesOf(DecodedRequest request, int p) {
    KeyValue[] result = new KeyValue[request.attributeCount[p]];
    for (int i = 0; i < result.length; i++) {
      int a = request.firstAttribute[p] + i;
      if (request.attributeType[a] == DecodedRequest.ATTRIBUTE_OTHER) {
        result[i] = request.otherAttributes.get(request.valueOffset[a]);
      } else {
        result[i] = KeyValue.newBuilder().setKey(request.key(a))
            .setValue(AnyValue.newBuilder().setStringValue(
                new String(request.body, request.valueOffset[a], request.valueLength[a], StandardCharsets.UTF_8)))
            .build();
      }
    }
    return List.of(result);
  }
}
