package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkTest {
  private static final long T0 = 1_700_000_000_000L;

  private record Sample(long time, double value) {}

  /** Appends in order; returns the index of the first sample the chunk refused, or -1. */
  private static int fill(Chunk.Writer writer, List<Sample> samples) {
    for (int i = 0; i < samples.size(); i++) {
      if (!writer.append(samples.get(i).time(), samples.get(i).value())) {
        return i;
      }
    }
    return -1;
  }

  private static List<Sample> read(long[] chunk, long from, long to) {
    List<Sample> read = new ArrayList<>();
    Chunk.forEach(chunk, from, to, (t, v) -> read.add(new Sample(t, v)));
    return read;
  }

  private static void assertSameBits(List<Sample> actual, List<Sample> expected) {
    assertThat(actual).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).time()).as("time %d", i).isEqualTo(expected.get(i).time());
      assertThat(Double.doubleToRawLongBits(actual.get(i).value())).as("value bits %d: %s", i, expected.get(i))
          .isEqualTo(Double.doubleToRawLongBits(expected.get(i).value()));
    }
  }

  @Test
  void decimalChunk_roundTripsIntegersDecimalsAndEscapedSpecials() {
    List<Sample> samples = new ArrayList<>();
    double[] values = {12.25, 12.25, 12.5, -3.75, 0, 1e9, Double.NaN, StaleMarker.VALUE, 7.5,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 4_000_000_000.25, 7.5};
    for (int i = 0; i < values.length; i++) {
      samples.add(new Sample(T0 + i * 15_000L, values[i]));
    }
    Chunk.Writer writer = new Chunk.Writer(values[0]);
    assertThat(fill(writer, samples)).isEqualTo(-1);

    assertSameBits(read(writer.words(), Long.MIN_VALUE, Long.MAX_VALUE), samples);
    assertSameBits(read(writer.seal(), Long.MIN_VALUE, Long.MAX_VALUE), samples);
  }

  @Test
  void xorChunk_roundTripsArbitraryDoublesAndIrregularTimes() {
    Random random = new Random(42);
    List<Sample> samples = new ArrayList<>();
    long t = T0;
    long[] jumps = {1, 15_000, 7, 9_000_000, 65_535, 65_536, 524_287, 524_288, Chunk.Head.MAX_DELTA, 3};
    for (int i = 0; i < Chunk.MAX_COUNT; i++) {
      t += jumps[random.nextInt(jumps.length)];
      double v = switch (i % 5) {
        case 0 -> random.nextDouble();
        case 1 -> Double.NaN;
        case 2 -> StaleMarker.VALUE;
        case 3 -> Double.longBitsToDouble(random.nextLong());
        default -> i;
      };
      samples.add(new Sample(t, v));
    }
    Chunk.Writer writer = new Chunk.Writer(samples.get(0).value());
    assertThat(fill(writer, samples)).isEqualTo(-1);

    assertSameBits(read(writer.seal(), Long.MIN_VALUE, Long.MAX_VALUE), samples);
  }

  @Test
  void logSlot_survivesEveryCodingStateChangeAndLeavesTheSamplesAlone() {
    Random random = new Random(7);
    for (boolean decimal : new boolean[] {true, false}) {
      List<Sample> samples = new ArrayList<>();
      for (int i = 0; i < Chunk.MAX_COUNT; i++) {
        // XORs with every count of leading and trailing zeros, and escaped specials.
        double v = i % 7 == 6 ? Double.NaN : decimal ? i * 0.25 - 9.25 : Double.longBitsToDouble(random.nextLong() >>> i % 13);
        samples.add(new Sample(T0 + i * 15_000L + i % 3, v));
      }
      Chunk.Writer writer = new Chunk.Writer(samples.get(0).value());
      writer.logSlot(Chunk.Head.MAX_LOG_SLOT);
      assertThat(fill(writer, samples)).isEqualTo(-1);

      assertThat(writer.logSlot()).isEqualTo(Chunk.Head.MAX_LOG_SLOT);
      assertSameBits(read(writer.words(), Long.MIN_VALUE, Long.MAX_VALUE), samples);
      Chunk.Writer plain = new Chunk.Writer(samples.get(0).value());
      fill(plain, samples);
      assertThat(writer.words()).isEqualTo(plain.words());
    }
  }

  @Test
  void decimalChunk_refusesAValueNeedingMoreDecimals() {
    Chunk.Writer writer = new Chunk.Writer(1.5);
    assertThat(writer.append(T0, 1.5)).isTrue();
    assertThat(writer.append(T0 + 1, 2.5)).isTrue();
    assertThat(writer.append(T0 + 2, 1.25)).isFalse();
    assertThat(writer.append(T0 + 2, 0.1 + 0.2)).isFalse();
    assertThat(Chunk.count(writer.words())).isEqualTo(2);
  }

  @Test
  void append_moreThanMaxDeltaAfterTheLast_isRefusedForANewChunk() {
    Chunk.Writer writer = new Chunk.Writer(1);
    assertThat(writer.append(T0, 1)).isTrue();
    assertThat(writer.append(T0 + Chunk.Head.MAX_DELTA + 1, 2)).isFalse();
    assertThat(writer.append(T0 + Chunk.Head.MAX_DELTA, 2)).isTrue();

    assertSameBits(read(writer.seal(), Long.MIN_VALUE, Long.MAX_VALUE),
        List.of(new Sample(T0, 1), new Sample(T0 + Chunk.Head.MAX_DELTA, 2)));
  }

  @Test
  void append_pastMaxCount_isRefusedForANewChunk() {
    Chunk.Writer full = new Chunk.Writer(1);
    for (int i = 0; i < Chunk.MAX_COUNT; i++) {
      assertThat(full.append(T0 + i, 1)).isTrue();
    }
    assertThat(full.append(T0 + Chunk.MAX_COUNT, 1)).isFalse();

  }

  @Test
  void regularRun_codesNoTimestampsAndKeepsItsLengthInTheHeader() {
    Chunk.Writer writer = new Chunk.Writer(1);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      samples.add(new Sample(T0 + i * 15_000L + (i >= 60 ? 1 : 0), 1)); // off the interval from the 61st on
    }
    assertThat(fill(writer, samples)).isEqualTo(-1);
    long[] sealed = writer.seal();

    assertThat(Chunk.regular(sealed, 0)).isEqualTo(60);
    assertSameBits(read(sealed, Long.MIN_VALUE, Long.MAX_VALUE), samples);
    // Header, the first value (9 bits), the interval (20 bits) and 59 values of 1 bit, then two
    // changes of the interval (16 bits: +1 ms, then back) with their values, and 38 timestamps and
    // values of 1 bit each.
    int bits = 2 * 64 + 9 + 20 + 59 + 2 * (16 + 1) + 38 * 2;
    assertThat(sealed.length).isEqualTo((bits + 63) / 64);
  }

  @Test
  void decimalExponent_findsTheFewestDecimalsThatRoundTrip() {
    assertThat(Chunk.decimalExponent(42, 0)).isZero();
    assertThat(Chunk.decimalExponent(0.75, 0)).isEqualTo(2);
    assertThat(Chunk.decimalExponent(0.000123, 0)).isEqualTo(6);
    assertThat(Chunk.decimalExponent(0.1 + 0.2, 0)).isEqualTo(-1);
    assertThat(Chunk.decimalExponent(-0.0, 0)).isEqualTo(-1);
    assertThat(Chunk.decimalExponent(Double.NaN, 0)).isEqualTo(-1);
    assertThat(Chunk.decimalExponent(1e300, 0)).isEqualTo(-1);
  }

  @Test
  void forEach_returnsOnlySamplesInsideTheHalfOpenRange() {
    Chunk.Writer writer = new Chunk.Writer(0);
    for (int i = 0; i < 10; i++) {
      writer.append(i * 1000L, i);
    }
    assertThat(read(writer.words(), 3000, 6000)).extracting(Sample::value).containsExactly(3.0, 4.0, 5.0);
  }

  @Test
  void sealedChunk_ofSlowlyChangingDecimals_costsAboutTenBitsPerSample() {
    Chunk.Writer writer = new Chunk.Writer(20.5);
    double v = 20.5;
    Random random = new Random(7);
    for (int i = 0; i < 120; i++) {
      writer.append(T0 + i * 15_000L, v);
      v = Math.round((v + random.nextDouble() - 0.5) * 100) / 100.0;
    }
    long[] sealed = writer.seal();
    // 2 header words, the first sample and the interval, then about 9 bits per sample (the times are regular).
    assertThat(sealed.length * 8).isLessThanOrEqualTo(2 * 8 + 8 + 120 * 9 / 8 + 8);
  }
}
