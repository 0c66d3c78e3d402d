package io.tocsin.store.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.StaleMarker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The log's record codec: what is written reads back exactly, and damage stops the read at the damaged record. */
class WalRecordsPropertiesTest {
  /** One record as the reader reports it; values as raw bits, so NaN payloads (stale markers) count. */
  sealed interface Rec {}

  record SeriesRec(long id, String metric, MetricKind kind, Labels labels) implements Rec {}

  record SampleRec(long id, long timeMs, long valueBits, Object state) implements Rec {}

  record HistogramRec(long id, long timeMs, HistogramSample sample, Object state) implements Rec {}

  record StateRec(long id, Object state) implements Rec {}

  /** The encoded records and where each one starts and ends. */
  record Encoded(byte[] bytes, int[] starts, int[] ends) {}

  @Provide
  Arbitrary<List<Rec>> records() {
    Arbitrary<Long> ids = Arbitraries.oneOf(Arbitraries.longs().between(1, 300), Arbitraries.longs().greaterOrEqual(0));
    Arbitrary<Long> times = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Object> states = Arbitraries.oneOf(Arbitraries.just(WalRecords.UNCHANGED), Arbitraries.just(null),
        Arbitraries.longs().map(TestStates::new));
    Arbitrary<String> strings = Arbitraries.strings().ofMaxLength(20);
    Arbitrary<Labels> labels = Arbitraries.maps(strings, strings).ofMaxSize(5).map(Labels::of);
    Arbitrary<Rec> series = Combinators.combine(ids, strings, Arbitraries.of(MetricKind.class), labels)
        .as(SeriesRec::new);
    Arbitrary<Long> bits = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.just(StaleMarker.BITS),
        Arbitraries.doubles().map(Double::doubleToRawLongBits));
    Arbitrary<Rec> samples = Combinators.combine(ids, times, bits, states).as(SampleRec::new);
    Arbitrary<HistogramSample> histograms = Arbitraries.integers().between(0, 6).flatMap(n ->
        Combinators.combine(Arbitraries.doubles(), Arbitraries.doubles(),
            Arbitraries.doubles().array(double[].class).ofSize(n),
            Arbitraries.doubles().array(double[].class).ofSize(n == 0 ? 0 : n + 1)).as(HistogramSample::new));
    Arbitrary<Rec> histogramRecs = Combinators.combine(ids, times, Arbitraries.oneOf(histograms, Arbitraries.just(null)),
        states).as(HistogramRec::new);
    Arbitrary<Rec> stateRecs = Combinators.combine(ids, Arbitraries.oneOf(Arbitraries.just(null),
        Arbitraries.longs().map(TestStates::new))).as(StateRec::new);
    return Arbitraries.oneOf(series, samples, histogramRecs, stateRecs).list().ofMaxSize(30);
  }

  @Property(tries = 300)
  void records_readBackExactly(@ForAll("records") List<Rec> records) {
    Encoded encoded = encode(records);
    List<Rec> read = new ArrayList<>();
    WalRecords.Outcome outcome = WalRecords.read(ByteBuffer.wrap(encoded.bytes()), TestStates.CODEC, collector(read));
    assertThat(outcome.damage()).isNull();
    assertThat(outcome.goodEnd()).isEqualTo(encoded.bytes().length);
    assertThat(read).isEqualTo(records);
  }

  @Property(tries = 500)
  void truncation_readsExactlyTheWholeRecordsBeforeIt(@ForAll("records") List<Rec> records,
      @ForAll @IntRange(min = 0, max = 1_000_000) int where) {
    Encoded encoded = encode(records);
    int cut = encoded.bytes().length == 0 ? 0 : where % encoded.bytes().length;
    List<Rec> read = new ArrayList<>();
    WalRecords.Outcome outcome = WalRecords.read(ByteBuffer.wrap(encoded.bytes(), 0, cut).slice(), TestStates.CODEC,
        collector(read));
    int whole = 0;
    while (whole < records.size() && encoded.ends()[whole] <= cut) {
      whole++;
    }
    assertThat(read).isEqualTo(records.subList(0, whole));
    int boundary = whole == 0 ? 0 : encoded.ends()[whole - 1];
    assertThat(outcome.goodEnd()).isEqualTo(boundary);
    assertThat(outcome.damage() == null).isEqualTo(boundary == cut);
  }

  @Property(tries = 500)
  void flippedBit_readsExactlyTheRecordsBeforeTheDamagedOne(@ForAll("records") List<Rec> records,
      @ForAll @IntRange(min = 0, max = 1_000_000) int where, @ForAll @IntRange(min = 0, max = 7) int bit) {
    Encoded encoded = encode(records);
    if (encoded.bytes().length == 0) {
      return;
    }
    int at = where % encoded.bytes().length;
    byte[] damaged = encoded.bytes().clone();
    damaged[at] ^= (byte) (1 << bit);
    int hit = 0;
    while (encoded.ends()[hit] <= at) {
      hit++;
    }
    List<Rec> read = new ArrayList<>();
    WalRecords.Outcome outcome = WalRecords.read(ByteBuffer.wrap(damaged), TestStates.CODEC, collector(read));
    assertThat(read).isEqualTo(records.subList(0, hit));
    assertThat(outcome.goodEnd()).isEqualTo(encoded.starts()[hit]);
    assertThat(outcome.damage()).isNotNull();
  }

  private static Encoded encode(List<Rec> records) {
    RecordBuffer body = new RecordBuffer(16);
    RecordBuffer scratch = new RecordBuffer(16);
    RecordBuffer out = new RecordBuffer(16);
    CRC32C crc = new CRC32C();
    int[] starts = new int[records.size()];
    int[] ends = new int[records.size()];
    try {
      for (int i = 0; i < records.size(); i++) {
        starts[i] = out.size;
        Object state = WalRecords.UNCHANGED;
        Rec rec = records.get(i);
        if (rec instanceof SeriesRec s) {
          WalRecords.seriesBody(body, s.id(), s.metric(), s.kind(), s.labels());
        } else if (rec instanceof SampleRec s) {
          WalRecords.sampleBody(body, s.id(), s.timeMs(), Double.longBitsToDouble(s.valueBits()));
          state = s.state();
        } else if (rec instanceof HistogramRec h) {
          WalRecords.histogramBody(body, h.id(), h.timeMs(), h.sample());
          state = h.state();
        } else if (rec instanceof StateRec s) {
          WalRecords.stateBody(body, s.id());
          state = s.state();
        }
        if (state != WalRecords.UNCHANGED) {
          WalRecords.addState(body, state, TestStates.CODEC, scratch);
        }
        WalRecords.frame(body, out, crc);
        ends[i] = out.size;
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return new Encoded(Arrays.copyOf(out.bytes, out.size), starts, ends);
  }

  private static WalRecords.Visitor collector(List<Rec> read) {
    return new WalRecords.Visitor() {
      @Override
      public void series(long id, String metric, MetricKind kind, Labels labels) {
        read.add(new SeriesRec(id, metric, kind, labels));
      }

      @Override
      public void sample(long id, long timeMs, double value, Object state) {
        read.add(new SampleRec(id, timeMs, Double.doubleToRawLongBits(value), state));
      }

      @Override
      public void histogram(long id, long timeMs, HistogramSample sample, Object state) {
        read.add(new HistogramRec(id, timeMs, sample, state));
      }

      @Override
      public void state(long id, Object state) {
        read.add(new StateRec(id, state));
      }
    };
  }
}
