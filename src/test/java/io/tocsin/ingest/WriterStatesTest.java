package io.tocsin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tocsin.ingest.PointWriter.ExponentialState;
import io.tocsin.ingest.PointWriter.HistogramState;
import io.tocsin.store.CounterState;
import io.tocsin.store.HistogramSample;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class WriterStatesTest {
  @Provide
  Arbitrary<Object> states() {
    Arbitrary<Object> cumulative = Combinators.combine(Arbitraries.longs(), Arbitraries.doubles())
        .as(CounterState::of);
    Arbitrary<HistogramSample> histograms = Arbitraries.integers().between(0, 5).flatMap(n ->
        Combinators.combine(Arbitraries.doubles(), Arbitraries.doubles(),
            Arbitraries.doubles().array(double[].class).ofSize(n),
            Arbitraries.doubles().array(double[].class).ofSize(n == 0 ? 0 : n + 1)).as(HistogramSample::new));
    Arbitrary<Object> histogram = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), histograms)
        .as(HistogramState::new);
    Arbitrary<long[]> counts = Arbitraries.longs().array(long[].class).ofMaxSize(6);
    Arbitrary<ExponentialBuckets> buckets = Combinators.combine(Arbitraries.integers().between(-10, 20),
        Arbitraries.doubles(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.doubles(), Arbitraries.integers(),
        counts, Arbitraries.integers()).as((scale, zt, zc, c, sum, po, pos, no) ->
        new ExponentialBuckets(scale, zt, zc, c, sum, po, pos, no, new long[] {c}));
    Arbitrary<ExponentialBuckets.Layout> layouts = Combinators.combine(Arbitraries.integers(), Arbitraries.integers(),
        Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers()).as(ExponentialBuckets.Layout::new);
    Arbitrary<Object> exponential = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), buckets, layouts,
        Arbitraries.doubles().array(double[].class).ofMaxSize(6)).as(ExponentialState::new);
    return Arbitraries.oneOf(cumulative, histogram, exponential);
  }

  @Property(tries = 300)
  void states_roundTripToTheSameFieldsAndBytes(@ForAll("states") Object state) throws IOException {
    byte[] bytes = encode(state);
    Object read = WriterStates.CODEC.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    assertThat(read.getClass()).isEqualTo(state.getClass());
    assertThat(encode(read)).isEqualTo(bytes);
    if (state instanceof ExponentialState e) {
      ExponentialState r = (ExponentialState) read;
      assertThat(r.last().positive()).isEqualTo(e.last().positive());
      assertThat(r.layout()).isEqualTo(e.layout());
      assertThat(r.bounds()).isEqualTo(e.bounds());
    } else {
      assertThat(read).isEqualTo(state); // records of numbers, or with a HistogramSample that compares its arrays
    }
  }

  @Test
  void cumulativeState_takesSeventeenBytes() throws IOException {
    assertThat(encode(CounterState.of(1, 3))).hasSize(17);
  }

  @Property(tries = 100)
  void counterState_unboxed_isWrittenAsTheStateItIs(@ForAll long startNanos, @ForAll double lastValue)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    WriterStates.CODEC.writeCounter(startNanos, lastValue, new DataOutputStream(bytes));

    assertThat(bytes.toByteArray()).isEqualTo(encode(CounterState.of(startNanos, lastValue)));
  }

  @Test
  void cumulativeStateOfTwentyFiveBytes_asWrittenBefore_readsItsStartAndValue() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(1);
    out.writeLong(11);
    out.writeLong(1_700_000_000_000L);
    out.writeDouble(42.5);

    Object read = WriterStates.CODEC.read(in(bytes.toByteArray()));

    assertThat(read).isEqualTo(CounterState.of(11, 42.5));
  }

  @Test
  void cumulativeStates_ofOneStart_shareIt() {
    assertThat(CounterState.of(7_000, 1).start()).isSameAs(CounterState.of(7_000, 2).start());
  }

  @Test
  void damagedBytes_areAnIOException() throws IOException {
    byte[] bytes = encode(new HistogramState(1, 2, new HistogramSample(1, 1, new double[] {1}, new double[] {1, 0})));
    assertThatThrownBy(() -> WriterStates.CODEC.read(in(Arrays.copyOf(bytes, bytes.length - 1))))
        .isInstanceOf(IOException.class);
    bytes[0] = 9;
    assertThatThrownBy(() -> WriterStates.CODEC.read(in(bytes))).isInstanceOf(IOException.class)
        .hasMessage("unknown writer state tag 9");
    byte[] histogram = encode(new HistogramState(1, 2, new HistogramSample(1, 1, new double[] {1}, new double[] {1, 0})));
    histogram[17 + 16 + 3] = 2; // two bounds, two counts: not a histogram
    assertThatThrownBy(() -> WriterStates.CODEC.read(in(histogram))).isInstanceOf(IOException.class);
  }

  private static DataInputStream in(byte[] bytes) {
    return new DataInputStream(new ByteArrayInputStream(bytes));
  }

  private static byte[] encode(Object state) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    WriterStates.CODEC.write(state, new DataOutputStream(bytes));
    return bytes.toByteArray();
  }
}
