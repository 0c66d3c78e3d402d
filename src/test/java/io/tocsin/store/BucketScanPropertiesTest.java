package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@link SeriesStore#scanBuckets}, which folds samples into buckets while chunks decode, against
 * a plain fold of the samples appended (bucket by {@link BucketGrid#indexOf}) and against {@link
 * SeriesStore#readBuckets}, on random series: gauges and counters with resets, NaN, infinities,
 * stale markers, decimal and xor chunks cut by count, span and coding, with regular runs broken
 * by other intervals and gaps, grids placed anywhere
 * (before, across and after the samples, past the retention window), in one or several parts;
 * and {@link SeriesStore#scanSums} against a plain sum of the increases appended.
 */
class BucketScanPropertiesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration RETENTION = Duration.ofHours(8); // chunks span at most 2 h
  private static final double[] VALUES = {0, 1, 2, 17, 1.5, -7, 0.1 + 0.2, 1.0 / 3, 1e300, Double.NaN,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, StaleMarker.VALUE, StaleMarker.VALUE, 42.42};
  private static final long[] ADVANCES_MS = {15_000, 15_000, 15_000, 60_000, 60_000, 1, 14_999, 37_000, 600_000,
      3 * 3_600_000};
  private static final long[] STEPS_MS = {1, 7_500, 15_000, 60_000, 60_000, 300_000, 3_600_000};

  /** One append: {@code value} indexes {@link #VALUES} or, from its length on, counts up (a counter). */
  record Append(int advance, int value) {}

  /** A grid placed relative to the samples: start at a sample's time shifted, a step and a count. */
  record Placement(int sample, long shiftMs, int step, int count) {
    /** The grid, placed relative to the samples of the first series. */
    BucketGrid grid(List<long[]> times) {
      long[] first = times.get(0);
      long start = first[Math.min(sample, first.length - 1)] + shiftMs;
      return new BucketGrid(start, STEPS_MS[step], count);
    }
  }

  /** The samples appended to each series, times and values. */
  record Written(List<long[]> times, List<double[]> values) {}

  /** Appends each series' samples as {@code m} of {@code kind}, and moves the clock to the newest. */
  private static Written write(SeriesStore store, MutableClock clock, List<List<Append>> series, MetricKind kind) {
    List<long[]> times = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    long newest = T0.toEpochMilli();
    for (int s = 0; s < series.size(); s++) {
      List<Append> appends = series.get(s);
      long[] t = new long[appends.size()];
      double[] v = new double[appends.size()];
      long time = T0.toEpochMilli();
      double total = 0;
      for (int i = 0; i < appends.size(); i++) {
        Append a = appends.get(i);
        time += ADVANCES_MS[a.advance()];
        total = a.value() < VALUES.length ? total : total + a.value() - VALUES.length;
        t[i] = time;
        v[i] = a.value() < VALUES.length ? VALUES[a.value()] : total;
        long at = time;
        double value = v[i];
        store.write("m", kind, labels(s), w -> assertThat(w.append(at, value)).isEqualTo(Series.AppendResult.APPENDED));
      }
      times.add(t);
      values.add(v);
      newest = Math.max(newest, time);
    }
    clock.setMillis(newest);
    return new Written(times, values);
  }

  @Property(tries = 200)
  void scanBuckets_foldsLikeAPlainFoldOfTheSamples(@ForAll("series") List<List<Append>> series,
      @ForAll boolean counter, @ForAll("placements") List<Placement> placements,
      @ForAll @IntRange(min = 1, max = 3) int parts) {
    MutableClock clock = new MutableClock(T0);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(RETENTION, 100, 100));
    Written written = write(store, clock, series, counter ? MetricKind.COUNTER : MetricKind.GAUGE);
    List<long[]> times = written.times();
    List<double[]> values = written.values();
    long cutoff = store.retentionCutoffMs();
    for (Placement p : placements) {
      BucketGrid grid = p.grid(times);
      for (boolean sum : new boolean[] {true, false}) {
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < series.size(); s++) {
          String folded = plainFold(labels(s), times.get(s), values.get(s), grid, sum, cutoff);
          if (folded != null) {
            expected.add(folded);
          }
        }
        List<String> scanned = new ArrayList<>();
        for (int part = 0; part < parts; part++) {
          store.scanBuckets("m", l -> true, grid, sum, part, parts,
              (labels, v, t, samples) -> scanned.add(describe(labels, v, t, samples)));
        }
        assertThat(scanned).as("%s, sum %s, %d parts", grid, sum, parts).isEqualTo(expected);
      }
      List<String> read = new ArrayList<>();
      for (SeriesBuckets b : store.readBuckets("m", l -> true, grid)) {
        read.add(b.labels() + Arrays.toString(b.values()));
      }
      List<String> scanned = new ArrayList<>();
      store.scanBuckets("m", l -> true, grid, counter, 0, 1, (labels, v, t, samples) -> scanned.add(labels
          + Arrays.toString(v)));
      assertThat(scanned).as("%s against readBuckets", grid).containsExactlyInAnyOrderElementsOf(read);
    }
  }

  @Property(tries = 200)
  void scanSums_addsLikeAPlainSumOfTheSamples(@ForAll("series") List<List<Append>> series,
      @ForAll("placements") List<Placement> placements, @ForAll @IntRange(min = 1, max = 3) int parts) {
    MutableClock clock = new MutableClock(T0);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(RETENTION, 100, 100));
    Written written = write(store, clock, series, MetricKind.COUNTER);
    List<long[]> times = written.times();
    List<double[]> values = written.values();
    long cutoff = store.retentionCutoffMs();
    for (Placement p : placements) {
      BucketGrid grid = p.grid(times);
      // Each series into buckets of its own, in parts.
      List<String> expected = new ArrayList<>();
      for (int s = 0; s < series.size(); s++) {
        GroupSums sums = new GroupSums(grid.count());
        int samples = plainSum(times.get(s), values.get(s), grid, cutoff, sums);
        expected.add(labels(s) + " " + sums + (samples < 0 ? " not scanned" : " scanned " + samples));
      }
      List<String> scanned = new ArrayList<>();
      for (int part = 0; part < parts; part++) {
        List<Labels> asked = new ArrayList<>();
        List<GroupSums> given = new ArrayList<>();
        List<Integer> samples = new ArrayList<>();
        store.scanSums("m", l -> true, grid, part, parts, new SumVisitor() {
          @Override
          public BucketSums sumsFor(Labels labels) {
            asked.add(labels);
            given.add(new GroupSums(grid.count()));
            samples.add(-1);
            return given.get(given.size() - 1);
          }

          @Override
          public void scanned(int n) {
            samples.set(samples.size() - 1, n);
          }
        });
        for (int i = 0; i < asked.size(); i++) {
          scanned.add(asked.get(i) + " " + given.get(i)
              + (samples.get(i) < 0 ? " not scanned" : " scanned " + samples.get(i)));
        }
      }
      assertThat(scanned).as("%s, %d parts", grid, parts).isEqualTo(expected);
      // Every series into the same buckets, one after another.
      GroupSums all = new GroupSums(grid.count());
      for (int s = 0; s < series.size(); s++) {
        plainSum(times.get(s), values.get(s), grid, cutoff, all);
      }
      GroupSums shared = new GroupSums(grid.count());
      store.scanSums("m", l -> true, grid, 0, 1, new SumVisitor() {
        @Override
        public BucketSums sumsFor(Labels labels) {
          return shared;
        }

        @Override
        public void scanned(int n) {}
      });
      assertThat(shared.toString()).as("%s into one group", grid).isEqualTo(all.toString());
    }
  }

  /**
   * The reference of a sum scan: each increase in the grid and retention window that is a number
   * added, one by one, into its bucket (by division), which is marked; returns how many samples were
   * in the range, or -1 when none was such an increase.
   */
  private static int plainSum(long[] t, double[] v, BucketGrid grid, long cutoff, GroupSums into) {
    boolean any = false;
    int samples = 0;
    for (int i = 0; i < t.length; i++) {
      if (!read(t[i], grid, cutoff)) {
        continue;
      }
      samples++;
      if (StaleMarker.is(v[i]) || Double.isNaN(v[i])) {
        continue;
      }
      int b = grid.indexOf(t[i]);
      into.sums[b] += v[i];
      into.counts[b] = 1;
      any = true;
    }
    return any ? samples : -1;
  }

  /** Whether a scan reads a sample at {@code time}: in the grid and in the retention window. */
  private static boolean read(long time, BucketGrid grid, long cutoff) {
    return time >= cutoff && time >= grid.startMs() && time < grid.endMs();
  }

  private static Labels labels(int s) {
    return Labels.of("host", "h" + s);
  }

  /** The reference: every sample in the grid and retention window, bucketed by division; null when no value. */
  private static String plainFold(Labels labels, long[] t, double[] v, BucketGrid grid, boolean sum, long cutoff) {
    double[] values = new double[grid.count()];
    long[] times = new long[grid.count()];
    Arrays.fill(values, Double.NaN);
    boolean any = false;
    int samples = 0;
    for (int i = 0; i < t.length; i++) {
      if (!read(t[i], grid, cutoff)) {
        continue;
      }
      samples++;
      int b = grid.indexOf(t[i]);
      if (StaleMarker.is(v[i])) {
        if (!sum) {
          values[b] = Double.NaN;
        }
        continue;
      }
      values[b] = sum && !Double.isNaN(values[b]) ? values[b] + v[i] : v[i];
      if (!sum) { // a sum keeps no times: they stay zero
        times[b] = t[i];
      }
      any = true;
    }
    return any ? describe(labels, values, times, samples) : null;
  }

  /** Bit for bit; a time only where there is a value (elsewhere the array holds whatever it held). */
  private static String describe(Labels labels, double[] values, long[] times, int samples) {
    StringBuilder out = new StringBuilder(labels.toString()).append(' ').append(samples).append(':');
    for (int b = 0; b < values.length; b++) {
      out.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(values[b])));
      if (!Double.isNaN(values[b])) {
        out.append('@').append(times[b]);
      }
    }
    return out.toString();
  }

  @Provide
  Arbitrary<List<List<Append>>> series() {
    // Mostly the 15 s interval, so that chunks hold long regular runs that some other advance breaks.
    Arbitrary<Integer> advance = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(0)),
        Tuple.of(4, Arbitraries.integers().between(0, ADVANCES_MS.length - 1)));
    Arbitrary<Integer> value = Arbitraries.integers().between(0, VALUES.length + 30);
    return Combinators.combine(advance, value).as(Append::new).list().ofMinSize(1).ofMaxSize(250)
        .list().ofMinSize(1).ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<Placement>> placements() {
    return Combinators.combine(Arbitraries.integers().between(0, 250),
        Arbitraries.of(-3_600_000L, -60_000L, -1L, 0L, 1L, 7_500L, 30_000L),
        Arbitraries.integers().between(0, STEPS_MS.length - 1), Arbitraries.integers().between(0, 70))
        .as(Placement::new).list().ofMinSize(1).ofMaxSize(6);
  }
}
