package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link Chunk#decode} ({@link ChunkDecoder}, which reads a 64-bit window per field) against the
 * samples the writer was given, bit for bit: every timestamp coding (delta-of-delta 0, 14, 17,
 * 20 and 64 bits, at their limits, and none in a regular run at a chunk's start), every value
 * coding (decimal changes of 0, 7, 14, 24 and 64 bits, escaped specials, xor values with new and
 * reused zero counts, 64 meaningful bits), chunks back to back in one array as a series keeps
 * them, head chunks with unused words, and ranges that cut chunks anywhere.
 */
class ChunkDecodePropertiesTest {
  private static final long T0 = 1_700_000_000_000L;
  /** Changes of the interval, at the limits of each timestamp coding. */
  private static final long[] JITTERS = {0, 0, 0, 0, 1, -1, 8_191, -8_192, 8_192, 65_535, -65_536, 65_536, 524_287,
      -524_288, 524_288, 1L << 40};
  /** Changes of a decimal value, at the limits of each coding (in units of its last decimal). */
  private static final long[] STEPS = {0, 0, 1, -1, 63, -64, 64, 8_191, -8_192, 8_192, 8_388_607, -8_388_608,
      8_388_608, 1L << 50, -(1L << 50)};
  private static final double[] SPECIALS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
      StaleMarker.VALUE, -0.0};

  /**
   * A sample: {@code jitter} indexes {@link #JITTERS} (added to a 15 s interval), {@code kind}
   * says how the value follows from the last: 0-5 a decimal step, 6 a special, 7 an arbitrary
   * double from {@code seed}, 8 the same double's neighbour (a small xor).
   */
  record Step(int jitter, int kind, int step, int decimals, long seed) {}

  @Property(tries = 400)
  void decode_returnsTheSamplesWrittenInTheRange(@ForAll("steps") List<Step> steps, @ForAll("cuts") List<Integer> cuts) {
    List<long[]> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    long time = T0;
    long interval = 15_000;
    double value = 0;
    for (Step s : steps) {
      interval = Math.max(1, interval + JITTERS[s.jitter()]);
      time += interval;
      value = next(value, s);
      times.add(new long[] {time});
      values.add(value);
    }
    // Chunks as a series makes them: a new one when the coding refuses a value or at 120 samples.
    List<long[]> sealed = new ArrayList<>();
    List<Integer> firsts = new ArrayList<>();
    Chunk.Writer writer = null;
    for (int i = 0; i < times.size(); i++) {
      if (writer == null || writer.count() >= Series.MAX_CHUNK_SAMPLES || !writer.append(times.get(i)[0], values.get(i))) {
        if (writer != null) {
          sealed.add(writer.seal());
        }
        firsts.add(i);
        writer = new Chunk.Writer(values.get(i));
        assertThat(writer.append(times.get(i)[0], values.get(i))).isTrue();
      }
    }
    long[] joined = SealedChunks.join(sealed.toArray(new long[0][]), sealed.size());
    long[] head = writer.words(); // the head's array, with room to grow
    for (int c = 0; c < cuts.size(); c += 2) {
      long from = cut(times, cuts.get(c));
      long to = cut(times, cuts.get(c + 1 < cuts.size() ? c + 1 : 0)) + 1;
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < times.size(); i++) {
        if (times.get(i)[0] >= from && times.get(i)[0] < to) {
          expected.add(describe(times.get(i)[0], values.get(i)));
        }
      }
      List<String> decoded = new ArrayList<>();
      for (int at = 0; at < joined.length; at += SealedChunks.length(joined, at)) {
        decodeInto(decoded, joined, at, from, to);
      }
      decodeInto(decoded, head, 0, from, to);
      assertThat(decoded).as("[%d, %d) in %d chunks", from, to, firsts.size()).isEqualTo(expected);
    }
  }

  private static void decodeInto(List<String> decoded, long[] chunks, int at, long from, long to) {
    int count = Chunk.count(chunks, at);
    long[] t = new long[count + 1];
    double[] v = new double[count + 1];
    t[0] = -1; // decoding starts at the size given
    int size = Chunk.decode(chunks, at, from, to, t, v, 1);
    for (int i = 1; i < size; i++) {
      decoded.add(describe(t[i], v[i]));
    }
  }

  private static double next(double last, Step s) {
    double scale = Math.pow(10, s.decimals());
    return switch (s.kind()) {
      case 0, 1, 2, 3, 4, 5 -> {
        double base = Double.isFinite(last) && Math.abs(last) < 1e12 ? Math.rint(last * scale) : 0;
        yield (base + STEPS[s.step()]) / scale;
      }
      case 6 -> SPECIALS[(int) Math.floorMod(s.seed(), SPECIALS.length)];
      case 7 -> Double.longBitsToDouble(s.seed());
      default -> Double.isFinite(last) ? Math.nextUp(last) : 1.0 / 3;
    };
  }

  /** A time at or next to a sample: {@code cut / 3} picks the sample, its remainder -1, 0 or +1 ms. */
  private static long cut(List<long[]> times, int cut) {
    return times.get(Math.min(times.size() - 1, cut / 3))[0] + cut % 3 - 1;
  }

  private static String describe(long time, double value) {
    return time + "=" + Long.toHexString(Double.doubleToRawLongBits(value));
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    // Mostly no jitter, so that chunks start with long regular runs which a jitter ends.
    Arbitrary<Integer> jitter = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(0)),
        Tuple.of(1, Arbitraries.integers().between(0, JITTERS.length - 1)));
    return Combinators.combine(jitter,
        Arbitraries.integers().between(0, 8), Arbitraries.integers().between(0, STEPS.length - 1),
        Arbitraries.integers().between(0, 4), Arbitraries.longs())
        .as(Step::new).list().ofMinSize(1).ofMaxSize(400);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 3 * 400).list().ofMinSize(2).ofMaxSize(10);
  }
}
