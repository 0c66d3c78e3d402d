package io.tocsin.ingest;

import static io.tocsin.ingest.OtlpDecoderDifferentialTest.assertDecodesLikeParseFrom;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tocsin.store.Labels;
import io.tocsin.store.SeriesSamples;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.util.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The decoder's cases one by one, each also checked against parseFrom. */
class OtlpDecoderTest {
  private static final long TIME_NANOS = OtlpDecoderDifferentialTest.NOW.toEpochMilli() * 1_000_000 - 1_000_000_000;
  private static final String MARK = "MARK\u00e9";

  private final MutableClock clock = new MutableClock(OtlpDecoderDifferentialTest.NOW);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 1000, 1000));
  private final MetricsTranslator translator = new MetricsTranslator(store, clock);

  private static KeyValue attr(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static NumberDataPoint.Builder point(double value) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(TIME_NANOS).setAsDouble(value);
  }

  private static ExportMetricsServiceRequest request(Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", string("api"))))
        .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics)))).build();
  }

  private static Metric gauge(NumberDataPoint.Builder... points) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (NumberDataPoint.Builder p : points) {
      gauge.addDataPoints(p);
    }
    return Metric.newBuilder().setName("temp").setGauge(gauge).build();
  }

  private List<SeriesSamples> stored(String metric) {
    return store.read(metric, labels -> true, 0, Long.MAX_VALUE);
  }

  private IngestResult write(byte[] body) throws InvalidProtocolBufferException {
    assertDecodesLikeParseFrom(body);
    return translator.write(body);
  }

  @Test
  void decode_pointsWithExemplarsAndEveryAttributeKind_allStored() throws Exception {
    Exemplar exemplar = Exemplar.newBuilder().setTimeUnixNano(TIME_NANOS).setAsDouble(2)
        .addFilteredAttributes(attr("user", string("u1")))
        .setSpanId(ByteString.copyFrom(new byte[8])).setTraceId(ByteString.copyFrom(new byte[16])).build();
    AnyValue array = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
        .addValues(string("a")).addValues(AnyValue.newBuilder().setIntValue(1))).build();
    AnyValue kvlist = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(attr("x", AnyValue.newBuilder().setBoolValue(true).build()))).build();
    AnyValue bytes = AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2})).build();
    byte[] body = request(Metric.newBuilder().setName("requests").setSum(Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
        .addDataPoints(point(3).addExemplars(exemplar).addAttributes(attr("route", string("/a"))))
        .addDataPoints(point(4).addAttributes(attr("tags", array)).addAttributes(attr("id", bytes)))
        .addDataPoints(point(5).addAttributes(attr("map", kvlist)))).build()).toByteArray();

    IngestResult result = write(body);

    assertThat(result.accepted()).isEqualTo(3);
    assertThat(stored("requests")).extracting(SeriesSamples::labels, s -> s.values()[0]).containsExactlyInAnyOrder(
        tuple(Labels.of("service_name", "api", "route", "/a"), 3.0),
        tuple(Labels.of("service_name", "api", "tags", "[\"a\",1]", "id", "AQI="), 4.0),
        tuple(Labels.of("service_name", "api", "map", "{\"x\":true}"), 5.0));
  }

  /** Every string field that parseFrom checks, holding "MARKé" to be replaced by bytes that are not UTF-8. */
  enum StringField {
    METRIC_NAME, DESCRIPTION, UNIT, METADATA, RESOURCE_KEY, RESOURCE_VALUE, RESOURCE_SCHEMA_URL, SCOPE_NAME,
    SCOPE_VERSION, SCOPE_ATTRIBUTE, SCOPE_SCHEMA_URL, POINT_KEY, POINT_VALUE, NESTED_VALUE, EXEMPLAR_KEY,
    EXEMPLAR_VALUE, HISTOGRAM_KEY, REPLACED_NAME
  }

  private static ExportMetricsServiceRequest withMark(StringField field) {
    String m = MARK;
    NumberDataPoint.Builder p = point(1);
    Metric.Builder metric = Metric.newBuilder().setName("temp");
    ResourceMetrics.Builder rm = ResourceMetrics.newBuilder();
    ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
    switch (field) {
      case METRIC_NAME -> metric.setName(m);
      case DESCRIPTION -> metric.setDescription(m);
      case UNIT -> metric.setUnit(m);
      case METADATA -> metric.addMetadata(attr("k", string(m)));
      case RESOURCE_KEY -> rm.setResource(Resource.newBuilder().addAttributes(attr(m, string("v"))));
      case RESOURCE_VALUE -> rm.setResource(Resource.newBuilder().addAttributes(attr("k", string(m))));
      case RESOURCE_SCHEMA_URL -> rm.setSchemaUrl(m);
      case SCOPE_NAME -> sm.setScope(InstrumentationScope.newBuilder().setName(m));
      case SCOPE_VERSION -> sm.setScope(InstrumentationScope.newBuilder().setVersion(m));
      case SCOPE_ATTRIBUTE -> sm.setScope(InstrumentationScope.newBuilder().addAttributes(attr(m, string("v"))));
      case SCOPE_SCHEMA_URL -> sm.setSchemaUrl(m);
      case POINT_KEY -> p.addAttributes(attr(m, string("v")));
      case POINT_VALUE -> p.addAttributes(attr("k", string(m)));
      case NESTED_VALUE -> p.addAttributes(attr("k", AnyValue.newBuilder()
          .setKvlistValue(KeyValueList.newBuilder().addValues(attr("x", string(m)))).build()));
      case EXEMPLAR_KEY -> p.addExemplars(Exemplar.newBuilder().addFilteredAttributes(attr(m, string("v"))));
      case EXEMPLAR_VALUE -> p.addExemplars(Exemplar.newBuilder().addFilteredAttributes(attr("k", string(m))));
      case HISTOGRAM_KEY -> metric.setHistogram(Histogram.newBuilder().addDataPoints(HistogramDataPoint.newBuilder()
          .setTimeUnixNano(TIME_NANOS).addAttributes(attr(m, string("v")))));
      case REPLACED_NAME -> throw new IllegalArgumentException("written by hand");
    }
    if (!metric.hasHistogram()) {
      metric.setGauge(Gauge.newBuilder().addDataPoints(p));
    }
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(rm.addScopeMetrics(sm.addMetrics(metric))).build();
  }

  @ParameterizedTest
  @EnumSource(StringField.class)
  void decode_stringFieldNotUtf8_refusedLikeParseFrom(StringField field) throws Exception {
    // A name replaced by a later one is checked too.
    byte[] valid = field == StringField.REPLACED_NAME
        ? requestOf(new byte[0], concat(field(1, MARK.getBytes(StandardCharsets.UTF_8)),
            field(1, "temp".getBytes(StandardCharsets.UTF_8)), field(5, gauge(point(1)).getGauge().toByteArray())))
        : withMark(field).toByteArray();
    assertThat(write(valid).received()).as("valid before the bytes are replaced").isPositive();
    // "MARKé" is 6 bytes; C0 A9, an overlong encoding, keeps the lengths right.
    String hex = HexFormat.of().formatHex(valid);
    String markHex = HexFormat.of().formatHex(MARK.getBytes(StandardCharsets.UTF_8));
    assertThat(hex).contains(markHex);
    byte[] invalid = HexFormat.of().parseHex(hex.replace(markHex, "4d41524bc0a9"));

    assertThatThrownBy(() -> ExportMetricsServiceRequest.parseFrom(invalid))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> translator.write(invalid)).isInstanceOf(InvalidProtocolBufferException.class)
        .hasMessageContaining("UTF-8");
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] field(int number, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeByteArray(number, content);
    out.flush();
    return bytes.toByteArray();
  }

  /** A request with one resource metrics, one scope metrics and one metric of {@code metricFields}. */
  private static byte[] requestOf(byte[] resourceFields, byte[] metricFields) throws IOException {
    return field(1, concat(resourceFields, field(2, field(2, metricFields))));
  }

  @Test
  void decode_singularMessagesTwice_mergedAsParseFromMergesThem() throws Exception {
    byte[] name = field(1, "temp".getBytes(StandardCharsets.UTF_8));
    byte[] gauge1 = field(5, Gauge.newBuilder().addDataPoints(point(1).addAttributes(attr("n", string("1"))))
        .build().toByteArray());
    byte[] sum = field(7, Sum.newBuilder().addDataPoints(point(9)).build().toByteArray());
    byte[] gauge2 = field(5, Gauge.newBuilder().addDataPoints(point(2).addAttributes(attr("n", string("2"))))
        .build().toByteArray());
    // The resource in two parts, after the scope metrics; a point attribute's value in two parts.
    byte[] resource = concat(field(1, Resource.newBuilder().addAttributes(attr("a", string("1"))).build().toByteArray()),
        field(1, Resource.newBuilder().addAttributes(attr("b", string("2"))).build().toByteArray()));
    byte[] valueTwice = concat(field(1, "v".getBytes(StandardCharsets.UTF_8)),
        field(2, string("kept").toByteArray()), field(2, new byte[0]));
    byte[] gauge3 = field(5, field(1, concat(point(3).build().toByteArray(), field(7, valueTwice))));

    byte[] body = requestOf(resource, concat(name, gauge1, sum, gauge2, gauge3));
    write(body);

    // gauge, sum, gauge: protobuf-java keeps the gauge's builder, so both gauges' points count.
    assertThat(stored("temp")).extracting(SeriesSamples::labels, s -> s.values()[0]).containsExactlyInAnyOrder(
        tuple(Labels.of("a", "1", "b", "2", "n", "1"), 1.0),
        tuple(Labels.of("a", "1", "b", "2", "n", "2"), 2.0),
        tuple(Labels.of("a", "1", "b", "2", "v", "kept"), 3.0));
  }

  /** An attribute value nested {@code arrays} arrays deep: its innermost AnyValue is at level 7 + 2 * arrays. */
  private static byte[] nested(int arrays) {
    AnyValue value = string("deep");
    for (int i = 0; i < arrays; i++) {
      value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
    }
    return request(gauge(point(1).addAttributes(attr("k", value)))).toByteArray();
  }

  @Test
  void decode_nestingAtProtobufsLimit_acceptedAndPastIt_refused() throws Exception {
    assertThat(write(nested(46)).accepted()).isEqualTo(1); // level 99
    assertThatThrownBy(() -> ExportMetricsServiceRequest.parseFrom(nested(47))) // level 101
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> translator.write(nested(47))).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void decode_unknownFieldsOfEveryWireType_skippedLikeParseFrom() throws Exception {
    // varint with a tenth byte that has its top bit set (protobuf-java's 64-bit reads end there),
    // fixed64, fixed32, a nested group and an empty length-delimited field, in a number point.
    byte[] unknowns = HexFormat.of().parseHex("f801" + "ffffffffffffffffff81" + "f901" + "0102030405060708"
        + "fd01" + "01020304" + "fb01" + "8302" + "08" + "01" + "8402" + "fc01" + "fa0100");
    byte[] pointBytes = concat(point(7).build().toByteArray(), unknowns);
    byte[] body = requestOf(unknowns, concat(field(1, "temp".getBytes(StandardCharsets.UTF_8)), unknowns,
        field(5, concat(field(1, pointBytes), unknowns))));
    assertThat(write(body).accepted()).isEqualTo(1);
    assertThat(stored("temp").get(0).values()).containsExactly(7);
  }

  @Test
  void decode_strayEndGroup_refused() throws Exception {
    byte[] body = concat(request(gauge(point(1))).toByteArray(), HexFormat.of().parseHex("fc01"));
    assertThatThrownBy(() -> ExportMetricsServiceRequest.parseFrom(body)).isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> translator.write(body)).isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void decode_explicitAndExponentialHistogramsUnderOneName_bothWrittenWithoutError() throws Exception {
    Metric explicit = Metric.newBuilder().setName("latency").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(TIME_NANOS).setCount(1)
            .addBucketCounts(1))).build();
    Metric exponential = Metric.newBuilder().setName("latency").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addDataPoints(ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(TIME_NANOS + 1_000_000_000)
            .setCount(1).setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().addBucketCounts(1)))).build();
    assertThat(write(request(explicit, exponential).toByteArray()).received()).isEqualTo(2);
  }
}
