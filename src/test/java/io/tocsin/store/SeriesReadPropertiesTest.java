package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The store's reads (scans, raw reads) of one series against the samples appended to it, bit for
 * bit, on random series: gauges and counters with resets, decimal and xor chunks, NaN,
 * infinities, stale markers, chunks cut by count, span and coding, and ranges that cut chunks
 * anywhere, in particular ranges that hold only the newest sample, which a scan answers from the
 * head chunk without decoding it.
 */
class SeriesReadPropertiesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration RETENTION = Duration.ofDays(1); // chunks span at most 6 h
  /** Values of every coding: integers, decimals, long fractions, specials, counter resets (a drop). */
  private static final double[] VALUES = {0, 1, 2, 3, 17, 1.5, 2.25, -7, 0.1 + 0.2, 1.0 / 3, 1e300, 123456789.123,
      Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, StaleMarker.VALUE, 1e15, -1e15, 42.42,
      9_007_199_254_740_991.0, 4.9e-324};
  /** Time steps: regular scrapes (delta-of-delta 0), jitter, gaps, and a gap past a chunk's span. */
  private static final long[] ADVANCES_MS = {15_000, 15_000, 15_000, 15_000, 60_000, 60_000, 1, 14_999, 15_001,
      37_000, 600_000, 7 * 3_600_000};

  /** One append: {@code value} indexes {@link #VALUES} or, from its length on, counts up (a counter). */
  record Append(int advance, int value) {}

  @Property(tries = 300)
  void reads_returnTheSamplesAppendedInTheRange(@ForAll("appends") List<Append> appends,
      @ForAll("ranges") List<long[]> ranges) {
    MutableClock clock = new MutableClock(T0);
    SeriesStore store = new SeriesStore(clock, new StoreSettings(RETENTION, 10, 10));
    Labels labels = Labels.of("host", "h1");
    List<long[]> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    long time = T0.toEpochMilli();
    double counter = 0;
    for (int i = 0; i < appends.size(); i++) {
      Append a = appends.get(i);
      time += ADVANCES_MS[a.advance()];
      counter = a.value() < VALUES.length ? counter : counter + a.value() - VALUES.length;
      double value = a.value() < VALUES.length ? VALUES[a.value()] : counter;
      long t = time;
      store.write("m", MetricKind.GAUGE, labels, series -> assertThat(series.append(t, value))
          .isEqualTo(Series.AppendResult.APPENDED));
      times.add(new long[] {t});
      values.add(value);
      clock.setMillis(t);
      // Read after every few appends, so that the head chunk is read with 1, 2, ... samples.
      if (i % 7 == 6 || i == appends.size() - 1) {
        for (long[] range : ranges) {
          compare(store, times, values, t, range);
        }
      }
    }
  }

  /**
   * Reads a range placed by {@code range} relative to the samples: {@code range[0]} and
   * {@code range[1]} pick a sample from the newest backwards, {@code range[2]} and {@code
   * range[3]} shift from it by -1, 0 or +1 ms or half a step.
   */
  private static void compare(SeriesStore store, List<long[]> times, List<Double> values, long now, long[] range) {
    int n = times.size();
    long from = place(times, n, range[0], range[2]);
    long to = place(times, n, range[1], range[3]);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t = times.get(i)[0];
      if (t >= Math.max(from, now - RETENTION.toMillis()) && t < to) {
        expected.add(t + "=" + Long.toHexString(Double.doubleToRawLongBits(values.get(i))));
      }
    }
    List<String> scanned = new ArrayList<>();
    store.scan("m", l -> true, from, to, (labels, kind, t, v, count) -> {
      for (int i = 0; i < count; i++) {
        scanned.add(t[i] + "=" + Long.toHexString(Double.doubleToRawLongBits(v[i])));
      }
    });
    assertThat(scanned).as("scan [%d, %d) of %d samples", from, to, n).isEqualTo(expected);
    List<String> read = new ArrayList<>();
    for (SeriesSamples s : store.read("m", l -> true, from, to)) {
      for (int i = 0; i < s.size(); i++) {
        read.add(s.timesMs()[i] + "=" + Long.toHexString(Double.doubleToRawLongBits(s.values()[i])));
      }
    }
    String stale = "=" + Long.toHexString(Double.doubleToRawLongBits(StaleMarker.VALUE));
    assertThat(read).as("read [%d, %d) of %d samples", from, to, n) // raw reads leave stale markers out
        .isEqualTo(expected.stream().filter(sample -> !sample.endsWith(stale)).toList());
  }

  private static long place(List<long[]> times, int n, long back, long shift) {
    long t = times.get((int) Math.max(0, n - 1 - back))[0];
    return t + new long[] {-1, 0, 1, -7_500, 7_500, 60_000}[(int) shift];
  }

  @Provide
  Arbitrary<List<Append>> appends() {
    Arbitrary<Integer> advance = Arbitraries.integers().between(0, ADVANCES_MS.length - 1);
    Arbitrary<Integer> value = Arbitraries.integers().between(0, VALUES.length + 40);
    return Combinators.combine(advance, value).as(Append::new).list().ofMinSize(1).ofMaxSize(300);
  }

  @Provide
  Arbitrary<List<long[]>> ranges() {
    // From: mostly one of the newest few samples (a monitor's new bucket), else anywhere.
    Arbitrary<long[]> range = Combinators.combine(Arbitraries.longs().between(0, 130),
        Arbitraries.longs().between(0, 2), Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 5))
        .as((from, toBack, fromShift, toShift) -> new long[] {from % 3 == 0 ? from % 4 : from, toBack, fromShift,
            toShift});
    return range.list().ofMinSize(1).ofMaxSize(8);
  }
}
