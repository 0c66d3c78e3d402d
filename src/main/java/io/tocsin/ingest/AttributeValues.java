package io.tocsin.ingest;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;

/**
 * Renders OTLP attribute values as label strings, the way the OpenTelemetry specification maps
 * non-string values for protocols without typed attributes: strings as they are, booleans and
 * numbers as JSON literals, bytes as base64, arrays and maps as JSON, an empty value as "".
 */
final class AttributeValues {
  private AttributeValues() {}

  static String render(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> renderDouble(value.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> {
        StringBuilder sb = new StringBuilder();
        appendJson(sb, value);
        yield sb.toString();
      }
      // A string-table index only means something in profiles, which carry the table.
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> "";
    };
  }

  /** JSON number form: integral values without a fraction, NaN and infinities spelled out. */
  static String renderDouble(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  private static void appendJson(StringBuilder sb, AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> appendString(sb, value.getStringValue());
      case BYTES_VALUE -> appendString(sb, render(value));
      case DOUBLE_VALUE -> {
        double d = value.getDoubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          appendString(sb, renderDouble(d));
        } else {
          sb.append(renderDouble(d));
        }
      }
      case BOOL_VALUE, INT_VALUE -> sb.append(render(value));
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> sb.append("null");
      case ARRAY_VALUE -> {
        sb.append('[');
        for (int i = 0; i < value.getArrayValue().getValuesCount(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          appendJson(sb, value.getArrayValue().getValues(i));
        }
        sb.append(']');
      }
      case KVLIST_VALUE -> {
        sb.append('{');
        for (int i = 0; i < value.getKvlistValue().getValuesCount(); i++) {
          KeyValue kv = value.getKvlistValue().getValues(i);
          if (i > 0) {
            sb.append(',');
          }
          appendString(sb, kv.getKey());
          sb.append(':');
          appendJson(sb, kv.getValue());
        }
        sb.append('}');
      }
    }
  }

  private static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    sb.append('"');
  }
}
