package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import org.junit.jupiter.api.Test;

class AttributeValuesTest {
  @Test
  void render_primitivesAsJsonLiterals() {
    assertThat(AttributeValues.render(AnyValue.newBuilder().setStringValue("a\"b").build())).isEqualTo("a\"b");
    assertThat(AttributeValues.render(AnyValue.newBuilder().setBoolValue(true).build())).isEqualTo("true");
    assertThat(AttributeValues.render(AnyValue.newBuilder().setIntValue(-42).build())).isEqualTo("-42");
    assertThat(AttributeValues.render(AnyValue.newBuilder().setDoubleValue(1.5).build())).isEqualTo("1.5");
    assertThat(AttributeValues.render(AnyValue.newBuilder().setDoubleValue(100).build())).isEqualTo("100");
    assertThat(AttributeValues.render(AnyValue.newBuilder().setDoubleValue(Double.NaN).build())).isEqualTo("NaN");
    assertThat(AttributeValues.render(AnyValue.getDefaultInstance())).isEmpty();
  }

  @Test
  void render_bytesAsBase64() {
    AnyValue bytes = AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3})).build();
    assertThat(AttributeValues.render(bytes)).isEqualTo("AQID");
  }

  @Test
  void render_arraysAndMapsAsJson() {
    AnyValue array = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
        .addValues(AnyValue.newBuilder().setStringValue("x\"y"))
        .addValues(AnyValue.newBuilder().setIntValue(2))
        .addValues(AnyValue.newBuilder().setDoubleValue(Double.POSITIVE_INFINITY))
        .addValues(AnyValue.getDefaultInstance())).build();
    assertThat(AttributeValues.render(array)).isEqualTo("[\"x\\\"y\",2,\"Infinity\",null]");

    AnyValue map = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(KeyValue.newBuilder().setKey("a").setValue(AnyValue.newBuilder().setBoolValue(false)))
        .addValues(KeyValue.newBuilder().setKey("b").setValue(AnyValue.newBuilder()
            .setArrayValue(ArrayValue.getDefaultInstance())))).build();
    assertThat(AttributeValues.render(map)).isEqualTo("{\"a\":false,\"b\":[]}");
  }
}
