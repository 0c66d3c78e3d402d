package io.tocsin.ingest;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Walks the parts of a request that {@link OtlpDecoder} passes over without using them (scopes,
 * exemplars, metric metadata, nested attribute values) and refuses what {@code
 * ExportMetricsServiceRequest.parseFrom} refuses there: malformed wire format, a string field
 * that is not UTF-8, nesting deeper than {@link WireCursor#MAX_LEVEL}. Allocates nothing, so
 * exemplars, which the OpenTelemetry SDKs attach to many points, cost no objects.
 *
 * <p>Field numbers are those of opentelemetry-proto's {@code common.proto} and {@code
 * metrics.proto}. A known field number with another wire type is an unknown field, as it is to
 * protobuf's parsers.
 */
final class OtlpValidator {
  /** The message types walked here. */
  static final int SCOPE = 0;
  static final int KEY_VALUE = 1;
  static final int ANY_VALUE = 2;
  static final int ARRAY_VALUE = 3;
  static final int KEY_VALUE_LIST = 4;
  static final int EXEMPLAR = 5;

  private static final int STRING_1 = 1 << 3 | WireCursor.LENGTH_DELIMITED;
  private static final int STRING_2 = 2 << 3 | WireCursor.LENGTH_DELIMITED;
  private static final int MESSAGE_1 = STRING_1;
  private static final int MESSAGE_2 = STRING_2;
  private static final int MESSAGE_3 = 3 << 3 | WireCursor.LENGTH_DELIMITED;
  private static final int ANY_ARRAY = 5 << 3 | WireCursor.LENGTH_DELIMITED;
  private static final int ANY_KVLIST = 6 << 3 | WireCursor.LENGTH_DELIMITED;
  private static final int EXEMPLAR_ATTRIBUTES = 7 << 3 | WireCursor.LENGTH_DELIMITED;
  // 32-bit varints, which protobuf reads more strictly than unknown fields: see WireCursor#skipVarint64.
  private static final int SCOPE_DROPPED_ATTRIBUTES = 4 << 3 | WireCursor.VARINT;
  private static final int KEY_STRINDEX = 3 << 3 | WireCursor.VARINT;
  private static final int ANY_STRINDEX = 8 << 3 | WireCursor.VARINT;

  private OtlpValidator() {}

  /** Checks the message of {@code type} at {@code [offset, offset + length)}, nested {@code level} deep. */
  static void check(WireCursor in, int type, int offset, int length, int level) throws InvalidProtocolBufferException {
    WireCursor.checkLevel(level);
    in.reset(offset, length);
    fields(in, type, level);
  }

  /** Checks the nested message of {@code type} whose length prefix comes next. */
  private static void nested(WireCursor in, int type, int level) throws InvalidProtocolBufferException {
    int length = in.readLength();
    WireCursor.checkLevel(level);
    int outer = in.pushLimit(length);
    fields(in, type, level);
    in.popLimit(outer);
  }

  private static void fields(WireCursor in, int type, int level) throws InvalidProtocolBufferException {
    while (!in.atEnd()) {
      int tag = in.readTag();
      switch (type) {
        case SCOPE -> { // InstrumentationScope: name, version, attributes
          if (tag == STRING_1 || tag == STRING_2) {
            string(in);
          } else if (tag == MESSAGE_3) {
            nested(in, KEY_VALUE, level + 1);
          } else if (tag == SCOPE_DROPPED_ATTRIBUTES) {
            in.readVarint();
          } else {
            in.skipField(tag, level);
          }
        }
        case KEY_VALUE -> { // key, value
          if (tag == STRING_1) {
            string(in);
          } else if (tag == MESSAGE_2) {
            nested(in, ANY_VALUE, level + 1);
          } else if (tag == KEY_STRINDEX) {
            in.readVarint();
          } else {
            in.skipField(tag, level);
          }
        }
        case ANY_VALUE -> { // string_value, array_value, kvlist_value; the rest holds no strings
          if (tag == STRING_1) {
            string(in);
          } else if (tag == ANY_ARRAY) {
            nested(in, ARRAY_VALUE, level + 1);
          } else if (tag == ANY_KVLIST) {
            nested(in, KEY_VALUE_LIST, level + 1);
          } else if (tag == ANY_STRINDEX) {
            in.readVarint();
          } else {
            in.skipField(tag, level);
          }
        }
        case ARRAY_VALUE, KEY_VALUE_LIST -> { // values
          if (tag == MESSAGE_1) {
            nested(in, type == ARRAY_VALUE ? ANY_VALUE : KEY_VALUE, level + 1);
          } else {
            in.skipField(tag, level);
          }
        }
        case EXEMPLAR -> { // filtered_attributes; span and trace ids are bytes
          if (tag == EXEMPLAR_ATTRIBUTES) {
            nested(in, KEY_VALUE, level + 1);
          } else {
            in.skipField(tag, level);
          }
        }
        default -> throw new IllegalArgumentException("message type " + type);
      }
    }
  }

  private static void string(WireCursor in) throws InvalidProtocolBufferException {
    int length = in.readLength();
    in.checkUtf8(length);
    in.skip(length);
  }
}
