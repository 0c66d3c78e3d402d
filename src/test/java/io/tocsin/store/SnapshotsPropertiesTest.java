package io.tocsin.store;

import static io.tocsin.store.SnapshotFixtures.START;
import static io.tocsin.store.SnapshotFixtures.T0;
import static io.tocsin.store.SnapshotFixtures.internals;
import static io.tocsin.store.SnapshotFixtures.reads;
import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.SnapshotFixtures.CounterState;
import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.testing.ScratchDir;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Snapshots of random stores: every kind of series, values of every coding (integers, decimals,
 * long fractions, NaN, infinities, stale markers, -0.0), irregular gaps that cut chunks by span
 * and by coding, histograms with changing layouts, writer states, samples past the retention.
 * Loading gives the same chunk words, reads and writer states, and the same operations applied
 * afterwards to the original and to the loaded store leave them equal.
 */
class SnapshotsPropertiesTest {
  private static final double[][] LAYOUTS = {{}, {1}, {0.5, 2.5, 10}};
  private static final List<String> METRICS = List.of("a", "b", "c", "d", "e", "f");
  private static final MetricKind[] KINDS = {MetricKind.GAUGE, MetricKind.COUNTER, MetricKind.ADDITIVE,
      MetricKind.HISTOGRAM, MetricKind.GAUGE, MetricKind.HISTOGRAM};
  private static final int SERIES = 24;

  /**
   * One write to series {@code series} (its metric and kind follow from the number), {@code
   * gapMs} after its last: {@code value}, or for a histogram a sample of layout {@code layout}
   * (one past the last layout: a stale marker); with {@code state}, a new writer state too.
   */
  record Op(int series, long gapMs, double value, int layout, boolean state) {}

  @Property(tries = 60)
  void loadedStoreReadsAndAppendsLikeTheOriginal(@ForAll("ops") List<Op> before, @ForAll("ops") List<Op> after)
      throws IOException {
    MutableClock clock = new MutableClock(T0);
    StoreSettings settings = new StoreSettings(Duration.ofHours(1), 1_000, 1_000);
    SeriesStore original = new SeriesStore(clock, settings);
    long[] times = new long[SERIES];
    Arrays.fill(times, START);
    before.forEach(op -> apply(original, op, times));
    clock.setMillis(Arrays.stream(times).max().orElseThrow() + 60_000);
    try (ScratchDir dir = ScratchDir.create("tocsin-snapshot-property")) {
      Snapshots snapshots = new Snapshots(dir.path(), new StateCodec(), clock);
      snapshots.write(original, 9);
      SeriesStore restored = new SeriesStore(clock, settings);

      assertThat(snapshots.loadNewest(restored)).get().extracting(Snapshots.Loaded::walSegment).isEqualTo(9L);
      assertThat(internals(restored, Long.MIN_VALUE)).isEqualTo(internals(original, original.retentionCutoffMs()));
      assertThat(windowReads(restored, clock)).isEqualTo(windowReads(original, clock));

      long[] restoredTimes = times.clone();
      after.forEach(op -> apply(original, op, times));
      after.forEach(op -> apply(restored, op, restoredTimes));
      clock.setMillis(Arrays.stream(times).max().orElseThrow() + 60_000);
      assertThat(internals(restored, original.retentionCutoffMs()))
          .isEqualTo(internals(original, original.retentionCutoffMs()));
      assertThat(windowReads(restored, clock)).isEqualTo(windowReads(original, clock));
    }
  }

  private static List<String> windowReads(SeriesStore store, MutableClock clock) {
    return reads(store, store.retentionCutoffMs() - 300_000, clock.millis() + 300_000, 60_000);
  }

  private static void apply(SeriesStore store, Op op, long[] times) {
    int s = op.series();
    times[s] += op.gapMs();
    long t = times[s];
    MetricKind kind = KINDS[s % KINDS.length];
    Labels labels = Labels.of("series", Integer.toString(s), "zone", "z\u00fc\u20ac" + s % 3);
    store.write(METRICS.get(s % METRICS.size()), kind, labels, series -> {
      if (kind == MetricKind.HISTOGRAM) {
        series.appendHistogram(t, op.layout() == LAYOUTS.length ? null : histogram(op));
      } else {
        series.append(t, op.value());
      }
      if (op.state()) {
        series.writerState(new CounterState(op.value(), t));
      }
    });
  }

  private static HistogramSample histogram(Op op) {
    double[] bounds = LAYOUTS[op.layout()];
    double[] counts = new double[bounds.length == 0 ? 0 : bounds.length + 1];
    double total = 0;
    for (int i = 0; i < counts.length; i++) {
      counts[i] = (op.gapMs() + i) % 5;
      total += counts[i];
    }
    return new HistogramSample(total, op.value(), bounds, counts);
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Double> values = Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.integers().between(-1_000, 1_000).map(Integer::doubleValue)),
        Tuple.of(3, Arbitraries.integers().between(-100_000, 100_000).map(i -> i / 100.0)),
        Tuple.of(3, Arbitraries.doubles().between(-1e6, 1e6)),
        Tuple.of(1, Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, StaleMarker.VALUE,
            -0.0, 1e300, 0x1p53, 123456.789012345678)));
    Arbitrary<Long> gaps = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.longs().between(1, 30_000)),
        Tuple.of(1, Arbitraries.longs().between(0, 3_600_000)));
    return Combinators.combine(Arbitraries.integers().between(0, SERIES - 1), gaps, values,
        Arbitraries.integers().between(0, LAYOUTS.length), Arbitraries.of(true, false)).as(Op::new)
        .list().ofMaxSize(1_500);
  }
}
