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
import net.jqwik.api.constraints.IntRange;

/**
 * The packed decimal coding ({@link Chunk#pack}, a head written packed from its start) against
 * the variable coding it replaces, on random series: constant runs, changes at the limits of
 * each width, escaped NaN, infinities and stale markers, timestamps off the interval, values
 * with more decimals than the chunk's exponent, counter resets. Decoding into arrays and folding
 * into buckets (a series' own, or a sum scan's) must give exactly what the variable coding
 * gives, over ranges that cut chunks anywhere.
 */
class PackedChunkPropertiesTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long[] JITTERS = {0, 0, 0, 1, -1, 8_192, -65_536, 1L << 30};
  /** Changes of a decimal value in units of its last decimal, at the limits of packed widths. */
  private static final long[] STEPS = {0, 0, 0, 1, -1, 63, -64, 64, 127, -128, 8_191, -8_192, 1L << 31,
      -(1L << 40), (1L << 52) - 1};
  private static final double[] SPECIALS = {Double.NaN, Double.POSITIVE_INFINITY, StaleMarker.VALUE};

  /**
   * A sample: {@code jitter} indexes {@link #JITTERS} (added to a 15 s interval), {@code kind}:
   * 0-6 a step of {@link #STEPS}, 7 a special, 8 a reset to 0; {@code decimals} the value's.
   */
  record Step(int jitter, int kind, int step, int decimals) {}

  @Property(tries = 300)
  void pack_decodesAndFoldsAsTheVariableCoding(@ForAll("steps") List<Step> steps, @ForAll("cuts") List<Integer> cuts,
      @ForAll @IntRange(min = 0, max = 3) int grid) {
    List<long[]> samples = samples(steps);
    int packedChunks = 0;
    for (long[] chunk : variableChunks(samples)) {
      long[] packed = Chunk.pack(chunk, 0, chunk.length);
      if (packed == null) {
        continue;
      }
      packedChunks++;
      assertThat(packed.length).isLessThanOrEqualTo(chunk.length);
      assertThat(Chunk.wellFormed(packed)).isTrue();
      assertThat(Chunk.count(packed)).isEqualTo(Chunk.count(chunk));
      assertThat(Chunk.lastTime(packed)).isEqualTo(Chunk.lastTime(chunk));
      assertSameReads(chunk, packed, samples, cuts, grid);
      // Packed again, it stays as it is: no narrower width would be found.
      assertThat(Chunk.pack(packed, 0, packed.length)).isNull();
    }
    if (samples.size() > 40 && steps.stream().allMatch(s -> s.jitter() == 0 && s.kind() < 7 && s.decimals() == 0)) {
      assertThat(packedChunks).as("regular, finite chunks pack").isPositive();
    }
  }

  @Property(tries = 300)
  void packedHead_decodesAndFoldsAsTheVariableCoding(@ForAll("steps") List<Step> steps,
      @ForAll("cuts") List<Integer> cuts, @ForAll @IntRange(min = 0, max = 3) int grid,
      @ForAll @IntRange(min = 0, max = 60) int width) {
    List<long[]> samples = samples(steps);
    Chunk.Writer variable = new Chunk.Writer(value(samples.get(0)));
    Chunk.Writer packed = new Chunk.Writer(value(samples.get(0)), width);
    int n = 0;
    while (n < samples.size() && n < Series.MAX_CHUNK_SAMPLES) {
      long[] s = samples.get(n);
      boolean taken = variable.append(s[0], value(s));
      assertThat(packed.append(s[0], value(s))).as("sample %d", n).isEqualTo(taken);
      if (!taken) {
        break;
      }
      n++;
    }
    List<long[]> written = samples.subList(0, n);
    assertSameReads(variable.words(), packed.words(), written, cuts, grid);
    // A snapshot's image of the head continues as the head would.
    Chunk.Writer resumed = new Chunk.Writer(packed.image());
    assertSameReads(packed.words(), resumed.words(), written, cuts, grid);
    long[] sealed = packed.seal();
    assertSameReads(variable.words(), sealed, written, cuts, grid);
    // A cut recodes it as Head#cutOnto does: never larger than the variable coding of its samples.
    long[] recoded = Chunk.pack(sealed, 0, sealed.length);
    long[] cut = recoded != null ? recoded : sealed;
    long[] variableSealed = variable.seal();
    assertThat(cut.length).as("words of the sealed chunk").isLessThanOrEqualTo(variableSealed.length);
    // As few words as the smallest of: as written, the variable coding, the narrowest packed one.
    long[] narrowest = Chunk.pack(variableSealed, 0, variableSealed.length);
    assertThat(cut.length).as("words of the sealed chunk").isEqualTo(Math.min(sealed.length,
        Math.min(variableSealed.length, narrowest != null ? narrowest.length : Integer.MAX_VALUE)));
    if (Chunk.packed(cut, 0) && narrowest != null && Chunk.packed(narrowest, 0)) {
      assertThat(Chunk.packedWidth(cut, 0)).as("width of the sealed chunk").isEqualTo(Chunk.packedWidth(narrowest, 0));
    }
    if (recoded != null) {
      assertThat(Chunk.wellFormed(recoded)).isTrue();
      assertThat(Chunk.pack(recoded, 0, recoded.length)).as("recoded again").isNull();
    }
    assertSameReads(sealed, cut, written, cuts, grid);
  }

  /** Decoded into arrays and folded into buckets (sums and last values), both chunks read the same. */
  private static void assertSameReads(long[] expected, long[] actual, List<long[]> samples, List<Integer> cuts,
      int grid) {
    for (int c = 0; c + 1 < cuts.size(); c += 2) {
      long from = cut(samples, cuts.get(c));
      long to = cut(samples, cuts.get(c + 1)) + 1;
      assertThat(decoded(actual, from, to)).as("[%d, %d)", from, to).isEqualTo(decoded(expected, from, to));
    }
    long step = new long[] {1_000, 15_000, 60_000, 3_600_000}[grid];
    long start = Chunk.firstTime(expected) / step * step;
    BucketGrid buckets = new BucketGrid(start, step, (int) ((Chunk.lastTime(expected) - start) / step) + 1);
    for (boolean sum : new boolean[] {true, false}) {
      assertThat(folded(actual, buckets, sum)).as("sum %s", sum).isEqualTo(folded(expected, buckets, sum));
    }
    assertThat(summed(actual, buckets)).as("sums").isEqualTo(summed(expected, buckets));
  }

  /** Folded into a sum scan's buckets ({@link SeriesStore#scanSums}): sums from -0.0 and marks. */
  private static String summed(long[] chunk, BucketGrid grid) {
    GroupSums sums = new GroupSums(grid.count());
    BucketFold fold = new BucketFold(grid, new SumVisitor() {
      @Override
      public BucketSums sumsFor(Labels labels) {
        return sums;
      }

      @Override
      public void scanned(int samples) {}
    });
    fold.reset(Labels.EMPTY);
    int samples = Chunk.fold(chunk, 0, grid.startMs(), grid.endMs(), fold);
    return "samples " + samples + " any " + fold.any() + ":" + sums;
  }

  private static List<String> decoded(long[] chunk, long from, long to) {
    int count = Chunk.count(chunk);
    long[] t = new long[count + 1];
    double[] v = new double[count + 1];
    int size = Chunk.decode(chunk, from, to, t, v, 1);
    List<String> out = new ArrayList<>();
    for (int i = 1; i < size; i++) {
      out.add(t[i] + "=" + Long.toHexString(Double.doubleToRawLongBits(v[i])));
    }
    return out;
  }

  private static List<String> folded(long[] chunk, BucketGrid grid, boolean sum) {
    BucketFold fold = new BucketFold(grid, sum);
    fold.reset();
    int samples = Chunk.fold(chunk, 0, grid.startMs(), grid.endMs(), fold);
    List<String> out = new ArrayList<>();
    out.add("samples " + samples + " any " + fold.any());
    for (int b = 0; b < grid.count(); b++) {
      out.add(Long.toHexString(Double.doubleToRawLongBits(fold.values[b])) + "@" + fold.times[b]);
    }
    return out;
  }

  /** Chunks in the variable coding, cut as a series cuts them. */
  private static List<long[]> variableChunks(List<long[]> samples) {
    List<long[]> chunks = new ArrayList<>();
    Chunk.Writer writer = null;
    for (long[] s : samples) {
      if (writer == null || writer.count() >= Series.MAX_CHUNK_SAMPLES || !writer.append(s[0], value(s))) {
        if (writer != null) {
          chunks.add(writer.seal());
        }
        writer = new Chunk.Writer(value(s));
        assertThat(writer.append(s[0], value(s))).isTrue();
      }
    }
    chunks.add(writer.seal());
    return chunks;
  }

  /** Samples as {time, value bits}. */
  private static List<long[]> samples(List<Step> steps) {
    List<long[]> samples = new ArrayList<>();
    long time = T0;
    double value = 0;
    for (Step s : steps) {
      time += Math.max(1, 15_000 + JITTERS[s.jitter()]);
      double scale = Math.pow(10, s.decimals());
      double base = Double.isFinite(value) && Math.abs(value) < 1e12 ? Math.rint(value * scale) : 0;
      value = switch (s.kind()) {
        case 7 -> SPECIALS[s.step() % SPECIALS.length];
        case 8 -> 0;
        default -> (base + STEPS[s.step()]) / scale;
      };
      samples.add(new long[] {time, Double.doubleToRawLongBits(value)});
    }
    return samples;
  }

  private static double value(long[] sample) {
    return Double.longBitsToDouble(sample[1]);
  }

  /** A time at or next to a sample: {@code cut / 3} picks the sample, its remainder -1, 0 or +1 ms. */
  private static long cut(List<long[]> samples, int cut) {
    return samples.get(Math.min(samples.size() - 1, cut / 3))[0] + cut % 3 - 1;
  }

  @Provide
  Arbitrary<List<Step>> steps() {
    // Mostly regular, finite and small changes, so that chunks pack; the rest to make them not.
    Arbitrary<Integer> jitter = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(0)),
        Tuple.of(1, Arbitraries.integers().between(0, JITTERS.length - 1)));
    Arbitrary<Integer> kind = Arbitraries.frequencyOf(Tuple.of(20, Arbitraries.integers().between(0, 6)),
        Tuple.of(1, Arbitraries.integers().between(7, 8)));
    Arbitrary<Integer> step = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(0, 6)),
        Tuple.of(1, Arbitraries.integers().between(0, STEPS.length - 1)));
    Arbitrary<Integer> decimals = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(0)),
        Tuple.of(1, Arbitraries.integers().between(0, 3)));
    return Combinators.combine(jitter, kind, step, decimals).as(Step::new).list().ofMinSize(1).ofMaxSize(300);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 3 * 300).list().ofMinSize(2).ofMaxSize(10);
  }
}
