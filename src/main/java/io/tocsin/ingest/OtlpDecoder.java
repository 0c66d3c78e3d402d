package io.tocsin.ingest;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
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
 * opentelemetry-proto's {@code metrics.proto} and {@code common.proto}; unknown fields are
 * skipped, and for a oneof the last field wins, as protobuf decoders do.
 *
 * <p>The whole body is decoded before anything is written, so a malformed body is refused as a
 * whole and stores nothing.
 */
final class OtlpDecoder {
  private static final int LENGTH_DELIMITED = WireFormat.WIRETYPE_LENGTH_DELIMITED;

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
          in.skipField(tag);
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

  private static CodedInputStream slice(byte[] body, int offset, int length) {
    return CodedInputStream.newInstance(body, offset, length);
  }

  private static void resourceMetrics(DecodedRequest request, int offset, int length) throws IOException {
    byte[] body = request.body;
    // The resource may follow the scope metrics on the wire; find it first.
    Labels resource = Labels.EMPTY;
    CodedInputStream in = slice(body, offset, length);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(1, LENGTH_DELIMITED)) {
        int n = in.readRawVarint32();
        int start = start(in, offset, n, offset + length);
        // Canonical strings: the probe then compares resource labels by reference.
        resource = MetricsTranslator.labelsOf(Labels.EMPTY,
            Resource.parseFrom(slice(body, start, n)).getAttributesList()).interned();
        in.skipRawBytes(n);
      } else {
        in.skipField(tag);
      }
    }
    in = slice(body, offset, length);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(2, LENGTH_DELIMITED)) { // scope_metrics
        int n = in.readRawVarint32();
        scopeMetrics(request, resource, start(in, offset, n, offset + length), n);
        in.skipRawBytes(n);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static void scopeMetrics(DecodedRequest request, Labels resource, int offset, int length) throws IOException {
    CodedInputStream in = slice(request.body, offset, length);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(2, LENGTH_DELIMITED)) { // metrics
        int n = in.readRawVarint32();
        metric(request, resource, start(in, offset, n, offset + length), n);
        in.skipRawBytes(n);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static void metric(DecodedRequest request, Labels resource, int offset, int length) throws IOException {
    byte[] body = request.body;
    String name = "";
    int dataField = 0;
    int dataOffset = 0;
    int dataLength = 0;
    CodedInputStream in = slice(body, offset, length);
    for (int tag; (tag = in.readTag()) != 0; ) {
      int field = WireFormat.getTagFieldNumber(tag);
      boolean delimited = WireFormat.getTagWireType(tag) == LENGTH_DELIMITED;
      if (delimited && (field == 1 || field == 5 || field == 7 || field == 9 || field == 10 || field == 11)) {
        int n = in.readRawVarint32();
        int start = start(in, offset, n, offset + length);
        if (field == 1) {
          name = new String(body, start, n, StandardCharsets.UTF_8);
        } else {
          dataField = field;
          dataOffset = start;
          dataLength = n;
        }
        in.skipRawBytes(n);
      } else {
        in.skipField(tag);
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
    if (metric.kind != Kind.UNKNOWN) {
      data(request, metric, dataOffset, dataLength);
    }
    metric.pointCount = request.points - metric.firstPoint;
  }

  /** Gauge, Sum, Histogram, ExponentialHistogram and Summary share their field numbers. */
  private static void data(DecodedRequest request, DecodedMetric metric, int offset, int length) throws IOException {
    byte[] body = request.body;
    CodedInputStream in = slice(body, offset, length);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (tag == tag(1, LENGTH_DELIMITED)) { // data_points
        int n = in.readRawVarint32();
        int start = start(in, offset, n, offset + length);
        switch (metric.kind) {
          case GAUGE, SUM -> numberPoint(request, start, n);
          case HISTOGRAM -> metric.histograms.add(HistogramDataPoint.parseFrom(slice(body, start, n)));
          case EXPONENTIAL_HISTOGRAM ->
              metric.exponentialHistograms.add(ExponentialHistogramDataPoint.parseFrom(slice(body, start, n)));
          case SUMMARY -> metric.summaries.add(SummaryDataPoint.parseFrom(slice(body, start, n)));
          case UNKNOWN -> throw new AssertionError();
        }
        in.skipRawBytes(n);
      } else if (tag == tag(2, WireFormat.WIRETYPE_VARINT) && metric.kind != Kind.GAUGE && metric.kind != Kind.SUMMARY) {
        metric.temporality = in.readEnum();
      } else if (tag == tag(3, WireFormat.WIRETYPE_VARINT) && metric.kind == Kind.SUM) {
        metric.monotonic = in.readBool();
      } else {
        in.skipField(tag);
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
        default -> in.skipField(tag);
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
    boolean stringValue = false;
    boolean anyValue = false;
    while (!in.atEnd()) {
      int tag = in.readTag();
      if (tag == tag(1, LENGTH_DELIMITED)) { // key
        int n = in.readLength();
        request.keyOffset[a] = in.position();
        request.keyLength[a] = n;
        in.skip(n);
      } else if (tag == tag(2, LENGTH_DELIMITED)) { // value: AnyValue
        int n = in.readLength();
        anyValue = true;
        stringValue = stringValue(request, a, in.position(), n);
        in.skip(n);
      } else {
        in.skipField(tag);
      }
    }
    if (anyValue && !stringValue) {
      // Decoded now, so that a malformed value refuses the request before anything is written.
      request.attributeType[a] = DecodedRequest.ATTRIBUTE_OTHER;
      request.valueOffset[a] = request.otherAttributes.size();
      request.otherAttributes.add(KeyValue.parseFrom(slice(request.body, offset, length)));
    }
  }

  /** Records the string of an AnyValue whose last value field is string_value; false otherwise. */
  private static boolean stringValue(DecodedRequest request, int a, int offset, int length) throws IOException {
    WireCursor in = request.valueCursor.reset(offset, length);
    boolean isString = false;
    while (!in.atEnd()) {
      int tag = in.readTag();
      if (tag == tag(1, LENGTH_DELIMITED)) {
        int n = in.readLength();
        request.valueOffset[a] = in.position();
        request.valueLength[a] = n;
        isString = true;
        in.skip(n);
      } else {
        isString = false; // another value field: for a oneof, the last one wins
        in.skipField(tag);
      }
    }
    return isString;
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
            .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue(
                new String(request.body, request.valueOffset[a], request.valueLength[a], StandardCharsets.UTF_8)))
            .build();
      }
    }
    return List.of(result);
  }
}
