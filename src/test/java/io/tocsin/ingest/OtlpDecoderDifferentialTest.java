package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StoreSettings;
import io.tocsin.testing.OtlpRequests;
import io.tocsin.testing.WireWriter;
import io.tocsin.testing.WireWriter.Liberties;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link OtlpDecoder} against the generated parser, {@code ExportMetricsServiceRequest.parseFrom}:
 * on random requests written with every liberty of the wire format, on requests that break its
 * rules, and on corrupted bodies, the decoder accepts exactly what parseFrom accepts, refuses
 * with nothing but an {@link InvalidProtocolBufferException}, and stores exactly what {@link
 * ReferenceDecoding} makes of parseFrom's objects.
 */
class OtlpDecoderDifferentialTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Parser<ExportMetricsServiceRequest> WITHOUT_UNKNOWN_FIELDS =
      DiscardUnknownFieldsParser.wrap(ExportMetricsServiceRequest.parser());

  @Provide
  Arbitrary<ExportMetricsServiceRequest> requests() {
    return OtlpRequests.requests(NOW.toEpochMilli());
  }

  @Property(tries = 200)
  void decode_validRequest_storesWhatParseFromReads(
      @ForAll("requests") ExportMetricsServiceRequest request, @ForAll Random random) throws Exception {
    byte[] body = WireWriter.write(request, random, Liberties.VALID);
    // The writer's liberties change nothing a parser reads, unless a value nests too deep.
    ExportMetricsServiceRequest parsed = parseOrNull(body);
    if (parsed != null) {
      assertThat(WITHOUT_UNKNOWN_FIELDS.parseFrom(body)).isEqualTo(request);
    }
    assertDecodesLikeParseFrom(body);
  }

  @Property(tries = 200)
  void decode_requestBreakingRules_refusedExactlyWhenParseFromRefuses(
      @ForAll("requests") ExportMetricsServiceRequest request, @ForAll Random random) throws Exception {
    assertDecodesLikeParseFrom(WireWriter.write(request, random, Liberties.HOSTILE));
  }

  @Property(tries = 400)
  void decode_corruptedBody_refusedExactlyWhenParseFromRefuses(
      @ForAll("requests") ExportMetricsServiceRequest request, @ForAll Random random) throws Exception {
    assertDecodesLikeParseFrom(WireWriter.mutate(WireWriter.write(request, random, Liberties.VALID), random));
  }

  /**
   * Unknown varint fields of ten bytes: protobuf-java accepts or refuses the tenth byte depending
   * on the bytes before it (the first body was found by the corrupted-body property).
   */
  @Example
  void decode_tenByteUnknownVarints_likeParseFrom() {
    byte[] refused = {(byte) 0x98, 0x06, (byte) 0xeb, (byte) 0xa6, (byte) 0xc1, (byte) 0xf7, (byte) 0xfe, (byte) 0xa5,
        (byte) 0xee, (byte) 0xac, (byte) 0xcd, (byte) 0xa4};
    assertThat(parseOrNull(refused)).isNull();
    assertDecodesLikeParseFrom(refused);
    byte[] accepted = {(byte) 0x98, 0x06, -1, -1, -1, -1, -1, -1, -1, -1, -1, (byte) 0x81, 0x0a, 0x00};
    assertThat(parseOrNull(accepted)).isNotNull();
    assertDecodesLikeParseFrom(accepted);
  }

  private static ExportMetricsServiceRequest parseOrNull(byte[] body) {
    try {
      return ExportMetricsServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * Decodes {@code body} into one store and parseFrom's objects into another: either both
   * refuse it, or both accept it with the same outcome and the same series and samples.
   */
  static void assertDecodesLikeParseFrom(byte[] body) {
    ExportMetricsServiceRequest parsed = parseOrNull(body);
    Target fast = new Target();
    IngestResult result;
    try {
      result = fast.translator.write(body);
    } catch (InvalidProtocolBufferException e) {
      assertThat(parsed).as("parseFrom accepts what the decoder refused with \"%s\"", e.getMessage()).isNull();
      return;
    }
    assertThat(parsed).as("the decoder accepted what parseFrom refuses").isNotNull();
    Target reference = new Target();
    IngestResult expected = reference.translator.write(ReferenceDecoding.of(parsed));
    assertThat(result).isEqualTo(expected);
    assertThat(ReferenceDecoding.dump(fast.store)).isEqualTo(ReferenceDecoding.dump(reference.store));
  }

  /** A fresh store at {@link #NOW}. */
  private static final class Target {
    final SeriesStore store;
    final MetricsTranslator translator;

    Target() {
      MutableClock clock = new MutableClock(NOW);
      store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 100_000, 100_000));
      translator = new MetricsTranslator(store, clock);
    }
  }
}
