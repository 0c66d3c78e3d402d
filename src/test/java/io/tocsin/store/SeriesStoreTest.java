package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.tocsin.store.Series.AppendResult;
import io.tocsin.store.SeriesStore.Admission;
import io.tocsin.util.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class SeriesStoreTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final SeriesStore store = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 3, 2));

  private static long t(int seconds) {
    return T0.toEpochMilli() + seconds * 1000L;
  }

  private List<AppendResult> append(String metric, MetricKind kind, Labels labels, long time, double value) {
    List<AppendResult> results = new ArrayList<>();
    assertThat(store.write(metric, kind, labels, s -> results.add(s.append(time, value)))).isEqualTo(Admission.OK);
    return results;
  }

  @Test
  void read_returnsSamplesOfMatchingSeriesSortedByLabels() {
    append("up", MetricKind.GAUGE, Labels.of("node", "n2"), t(0), 1);
    append("up", MetricKind.GAUGE, Labels.of("node", "n1"), t(0), 0);
    append("up", MetricKind.GAUGE, Labels.of("node", "n1"), t(15), 1);

    List<SeriesSamples> all = store.read("up", l -> true, t(0), t(60));
    assertThat(all).extracting(SeriesSamples::labels)
        .containsExactly(Labels.of("node", "n1"), Labels.of("node", "n2"));
    assertThat(all.get(0).timesMs()).containsExactly(t(0), t(15));
    assertThat(all.get(0).values()).containsExactly(0, 1);

    List<SeriesSamples> n2 = store.read("up", l -> "n2".equals(l.get("node")), t(0), t(60));
    assertThat(n2).singleElement().extracting(SeriesSamples::labels).isEqualTo(Labels.of("node", "n2"));
    assertThat(store.read("down", l -> true, t(0), t(60))).isEmpty();
  }

  @Test
  void write_givesASeriesThatIsItsOwnLabels_comparedAndPrintedAsThem() {
    Labels labels = Labels.of("node", "n1", "shard", "s-own-labels");
    List<Series> written = new ArrayList<>();
    store.write("hits", MetricKind.COUNTER, labels, written::add);
    Series series = written.get(0);

    assertThat(series.labels()).isSameAs(series);
    assertThat(series).isEqualTo(labels).hasSameHashCodeAs(labels).hasToString(labels.toString());
    assertThat(labels).isEqualTo(series);
    assertThat(series.describe()).isEqualTo("hits" + labels);
    assertThat(store.read("hits", l -> l == series, t(0), t(60))).isEmpty(); // no samples yet, but found by identity
    append("hits", MetricKind.COUNTER, Labels.of("shard", "s-own-labels", "node", "n1"), t(0), 1);
    assertThat(store.read("hits", l -> l == series, t(0), t(60))).singleElement()
        .satisfies(samples -> assertThat(samples.labels()).isSameAs(series));
  }

  @Test
  void readBuckets_sumsCounterIncreasesAndTakesTheLastGaugeValue() {
    Labels labels = Labels.of("node", "n1");
    for (int s : new int[] {0, 20, 40, 65}) {
      append("hits", MetricKind.COUNTER, labels, t(s), 10);
      append("mem", MetricKind.GAUGE, labels, t(s), s);
    }
    BucketGrid grid = new BucketGrid(t(0), 60_000, 3);

    assertThat(store.readBuckets("hits", l -> true, grid)).singleElement()
        .satisfies(b -> assertThat(b.values()).containsExactly(30, 10, Double.NaN));
    assertThat(store.readBuckets("mem", l -> true, grid)).singleElement()
        .satisfies(b -> assertThat(b.values()).containsExactly(40, 65, Double.NaN));
  }

  @Test
  void readBuckets_staleMarkerEndsAGaugeButNotACounter() {
    Labels labels = Labels.EMPTY;
    append("mem", MetricKind.GAUGE, labels, t(0), 5);
    append("mem", MetricKind.GAUGE, labels, t(30), StaleMarker.VALUE);
    append("mem", MetricKind.GAUGE, labels, t(70), 7);
    append("hits", MetricKind.COUNTER, labels, t(0), 5);
    append("hits", MetricKind.COUNTER, labels, t(30), StaleMarker.VALUE);
    BucketGrid grid = new BucketGrid(t(0), 60_000, 2);

    assertThat(store.readBuckets("mem", l -> true, grid).get(0).values()).containsExactly(Double.NaN, 7);
    assertThat(store.readBuckets("hits", l -> true, grid).get(0).values()).containsExactly(5, Double.NaN);
    assertThat(store.read("mem", l -> true, t(0), t(120)).get(0).values())
        .as("raw reads leave stale markers out").containsExactly(5, 7);
  }

  @Test
  void append_hoursAfterTheLastSample_keepsEverySampleAndTheId() {
    SeriesStore longer = new SeriesStore(clock, new StoreSettings(Duration.ofDays(2), 3, 3));
    long gap = Chunk.Head.MAX_DELTA + 1; // more than a head chunk keeps between two samples
    long[] times = {t(0), t(0) + gap, t(15) + gap, t(15) + 2 * gap + 7};
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < times.length; i++) {
      long time = times[i];
      double value = i + 0.5;
      longer.write("up", MetricKind.GAUGE, Labels.of("node", "n1"), s -> {
        assertThat(s.append(time, value)).isEqualTo(AppendResult.APPENDED);
        ids.add(s.id());
      });
    }

    SeriesSamples read = longer.read("up", l -> true, times[0], times[3] + 1).get(0);
    assertThat(read.timesMs()).containsExactly(times);
    assertThat(read.values()).containsExactly(0.5, 1.5, 2.5, 3.5);
    assertThat(ids).containsOnly(ids.get(0));
  }

  /** Snapshots taken before deltas were bounded may hold a head whose last delta is longer. */
  @Test
  void restore_headWithALongerLastDelta_keepsItAsASealedChunkAndAppendsAfterIt() {
    Chunk.Writer writer = new Chunk.Writer(1);
    writer.append(t(0), 1);
    writer.append(t(0) + Chunk.Head.MAX_DELTA, 2);
    Chunk.HeadImage saved = writer.image();
    Chunk.HeadImage longer = new Chunk.HeadImage(saved.words(), saved.bitLength(), Chunk.Head.MAX_DELTA + 1,
        saved.lastMantissa(), saved.lastValueBits(), saved.lastLeading(), saved.lastTrailing());
    Family family = new Family("up", MetricKind.GAUGE, Duration.ofDays(1).toMillis(), AppendLog.NONE);

    Series series = Series.restore(family.create(7, Labels.EMPTY), null, new long[0], longer, List.of());

    long next = t(0) + Chunk.Head.MAX_DELTA + 15_000;
    assertThat(series.lastTimeMs()).isEqualTo(t(0) + Chunk.Head.MAX_DELTA);
    assertThat(series.append(next, 3)).isEqualTo(AppendResult.APPENDED);
    Series.SampleBuffer buffer = new Series.SampleBuffer();
    series.collect(Long.MIN_VALUE, Long.MAX_VALUE, buffer);
    assertThat(Arrays.copyOf(buffer.times, buffer.size)).containsExactly(t(0), t(0) + Chunk.Head.MAX_DELTA, next);
    assertThat(Arrays.copyOf(buffer.values, buffer.size)).containsExactly(1, 2, 3);
    assertThat(series.id()).isEqualTo(7);
  }

  @Test
  void restored_makesEverySeriesRestoredSoFarFoundByItsLabels() {
    SeriesStore restoring = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 2_000, 2_000));
    for (int i = 0; i < 1_000; i++) {
      Family family = restoring.family("up", MetricKind.GAUGE);
      Series series = family.create(i + 1, Labels.of("node", "n" + i));
      restoring.restore(Series.restore(series, null, new long[0], null, List.of()));
      if (i == 499) {
        restoring.restored();
      }
    }
    restoring.restored();

    for (int i = 0; i < 1_000; i++) {
      // The series that exists keeps its id; a lookup that missed would create one with the id given.
      assertThat(restoring.restore(5_000, "up", MetricKind.GAUGE, Labels.of("node", "n" + i)).id()).isEqualTo(i + 1);
    }
    assertThat(restoring.seriesCount("up")).isEqualTo(1_000);
    assertThat(restoring.restore(5_000, "up", MetricKind.GAUGE, Labels.of("node", "n1000")).id()).isEqualTo(5_000);
    assertThat(restoring.seriesCount("up")).isEqualTo(1_001);
  }

  @Test
  void restored_twoSeriesWithTheSameLabels_isRefused() {
    Family family = store.family("up", MetricKind.GAUGE);
    store.restore(Series.restore(family.create(1, Labels.of("node", "n1")), null, new long[0], null, List.of()));
    store.restore(Series.restore(family.create(2, Labels.of("node", "n1")), null, new long[0], null, List.of()));

    assertThatThrownBy(store::restored).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("up{node=\"n1\"} appears twice");
  }

  @Test
  void restored_aSeriesEvictedBeforeItWasIndexed_isNotFoundAndItsLabelsGetANewSeries() {
    Family family = store.family("up", MetricKind.GAUGE);
    store.restore(Series.restore(family.create(1, Labels.of("node", "n1")), null, new long[0], null, List.of()));
    assertThat(store.evictExpired()).isEqualTo(1); // no samples in the window: removed before the load ended
    store.restored();

    // A removed series in the table made every write to its labels find it, and try again, forever.
    Series written = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> store.restore(7, "up", MetricKind.GAUGE, Labels.of("node", "n1")));
    assertThat(written.id()).isEqualTo(7);
    assertThat(store.seriesCount("up")).isEqualTo(1);
  }

  @Test
  void append_duplicateIsIgnoredAndOlderSampleRefused() {
    Labels labels = Labels.EMPTY;
    assertThat(append("up", MetricKind.GAUGE, labels, t(10), 1)).containsExactly(AppendResult.APPENDED);
    assertThat(append("up", MetricKind.GAUGE, labels, t(10), 1)).containsExactly(AppendResult.DUPLICATE);
    assertThat(append("up", MetricKind.GAUGE, labels, t(10), 2)).containsExactly(AppendResult.OUT_OF_ORDER);
    assertThat(append("up", MetricKind.GAUGE, labels, t(5), 1)).containsExactly(AppendResult.OUT_OF_ORDER);
    assertThat(store.read("up", l -> true, t(0), t(60)).get(0).values()).containsExactly(1);
  }

  /**
   * A decimal chunk keeps only the last finite mantissa; the last value is told from it, or after
   * an escaped NaN, infinity or stale marker from the stream's last bits.
   */
  @Test
  void append_afterAnEscapedValueInADecimalChunk_comparesWithThatValue() {
    Labels labels = Labels.EMPTY;
    double[] values = {2.5, StaleMarker.VALUE, Double.NaN, Double.NEGATIVE_INFINITY, 3.5, 3.5};
    for (int i = 0; i < values.length; i++) {
      assertThat(append("g", MetricKind.GAUGE, labels, t(10 * i), values[i])).as("sample %d", i)
          .containsExactly(AppendResult.APPENDED);
      assertThat(append("g", MetricKind.GAUGE, labels, t(10 * i), values[i])).as("sample %d again", i)
          .containsExactly(AppendResult.DUPLICATE);
      double other = i == 1 ? Double.NaN : StaleMarker.VALUE;
      assertThat(append("g", MetricKind.GAUGE, labels, t(10 * i), other)).as("sample %d changed", i)
          .containsExactly(AppendResult.OUT_OF_ORDER);
    }
    BucketGrid grid = new BucketGrid(t(0), 10_000, values.length);
    assertThat(store.readBuckets("g", l -> true, grid).get(0).values())
        .containsExactly(2.5, Double.NaN, Double.NaN, Double.NEGATIVE_INFINITY, 3.5, 3.5);
  }

  @Test
  void read_manyChunks_returnsEverySampleInOrder() {
    Labels labels = Labels.EMPTY;
    int n = Series.MAX_CHUNK_SAMPLES * 3 + 7;
    for (int i = 0; i < n; i++) {
      append("g", MetricKind.GAUGE, labels, t(i), i);
    }
    SeriesSamples samples = store.read("g", l -> true, t(0), t(n)).get(0);
    assertThat(samples.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(samples.values()[i]).isEqualTo(i);
    }
  }

  @Test
  void scan_manySeries_areEachSeenOnceBeforeAndAfterAnEvictionThatCompactsThem() {
    SeriesStore large = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 100_000, 100_000));
    int n = 3 * 32_768 + 5;
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < n; i++) {
      // Every third series writes only before the window that eviction will keep.
      long time = i % 3 == 0 ? t(0) : t(3_000);
      int value = i;
      large.write("up", MetricKind.GAUGE, Labels.of("i", Integer.toString(i)), s -> s.append(time, value));
      if (i % 3 != 0) {
        expected.add(Integer.toString(i));
      }
    }
    assertThat(scanned(large)).hasSize(n);

    clock.set(T0.plusSeconds(3_600 + 60));
    assertThat(large.evictExpired()).isEqualTo((n + 2) / 3);

    List<String> after = scanned(large);
    assertThat(after).hasSize(expected.size());
    assertThat(new HashSet<>(after)).isEqualTo(expected);
    int[] parts = new int[1];
    for (int part = 0; part < 3; part++) {
      large.scan("up", l -> true, 0, Long.MAX_VALUE, part, 3, (labels, kind, times, values, count) -> parts[0]++);
    }
    assertThat(parts[0]).isEqualTo(expected.size());
  }

  private static List<String> scanned(SeriesStore store) {
    List<String> seen = new ArrayList<>();
    store.scan("up", l -> true, 0, Long.MAX_VALUE, (labels, kind, times, values, count) -> {
      assertThat(values[count - 1]).isEqualTo(Integer.parseInt(labels.get("i")));
      seen.add(labels.get("i"));
    });
    return seen;
  }

  @Test
  void retention_samplesOlderThanTheWindowDisappear() {
    Labels labels = Labels.EMPTY;
    for (int minute = 0; minute <= 90; minute++) {
      clock.set(T0.plusSeconds(minute * 60L));
      append("g", MetricKind.GAUGE, labels, t(minute * 60), minute);
    }
    // Now is minute 90: the window is (30m, 90m].
    SeriesSamples samples = store.read("g", l -> true, 0, Long.MAX_VALUE).get(0);
    assertThat(samples.values()[0]).isEqualTo(30);
    assertThat(samples.size()).isEqualTo(61);

    store.evictExpired();
    assertThat(store.read("g", l -> true, 0, Long.MAX_VALUE).get(0).values()[0]).isEqualTo(30);
    assertThat(store.seriesCount()).isEqualTo(1);
  }

  @Test
  void evictExpired_dropsSeriesIdlePastTheWindowAndFreesTheirSlots() {
    append("g", MetricKind.GAUGE, Labels.of("a", "1"), t(0), 1);
    append("g", MetricKind.GAUGE, Labels.of("a", "2"), t(0), 1);
    append("h", MetricKind.GAUGE, Labels.EMPTY, t(0), 1);
    clock.advance(Duration.ofMinutes(30));
    append("h", MetricKind.GAUGE, Labels.EMPTY, t(1800), 1);
    clock.advance(Duration.ofMinutes(31));

    assertThat(store.evictExpired()).isEqualTo(2);
    assertThat(store.seriesCount()).isEqualTo(1);
    assertThat(store.metricNames()).containsExactly("h");
    assertThat(store.kindOf("g")).isNull();
    // The freed slots take new series again, even of another kind under the old name.
    assertThat(store.write("g", MetricKind.COUNTER, Labels.EMPTY, s -> s.append(t(3700), 1))).isEqualTo(Admission.OK);
  }

  @Test
  void limits_rejectNewSeriesButKeepUpdatingExistingOnes() {
    append("a", MetricKind.GAUGE, Labels.of("i", "1"), t(0), 1);
    append("a", MetricKind.GAUGE, Labels.of("i", "2"), t(0), 1);
    assertThat(store.write("a", MetricKind.GAUGE, Labels.of("i", "3"), s -> s.append(t(0), 1)))
        .isEqualTo(Admission.METRIC_SERIES_LIMIT);
    append("b", MetricKind.GAUGE, Labels.EMPTY, t(0), 1);
    assertThat(store.write("c", MetricKind.GAUGE, Labels.EMPTY, s -> s.append(t(0), 1)))
        .isEqualTo(Admission.SERIES_LIMIT);

    append("a", MetricKind.GAUGE, Labels.of("i", "1"), t(15), 2);
    assertThat(store.read("a", l -> true, t(0), t(60)).get(0).values()).containsExactly(1, 2);
    assertThat(store.seriesCount()).isEqualTo(3);
  }

  @Test
  void write_otherKindUnderAnExistingName_isAConflict() {
    append("a", MetricKind.GAUGE, Labels.EMPTY, t(0), 1);
    assertThat(store.write("a", MetricKind.COUNTER, Labels.of("x", "y"), s -> s.append(t(0), 1)))
        .isEqualTo(Admission.KIND_CONFLICT);
  }

  @Test
  void readHistogramBuckets_mergesSamplesPerBucket() {
    double[] bounds = {1, 10};
    store.write("lat", MetricKind.HISTOGRAM, Labels.EMPTY, s -> {
      s.appendHistogram(t(0), new HistogramSample(2, 3, bounds, new double[] {1, 1, 0}));
      s.appendHistogram(t(30), new HistogramSample(1, 20, bounds, new double[] {0, 0, 1}));
      s.appendHistogram(t(60), new HistogramSample(1, 5, bounds, new double[] {0, 1, 0}));
    });
    List<HistogramBuckets> result = store.readHistogramBuckets("lat", l -> true, new BucketGrid(t(0), 60_000, 2));
    assertThat(result).singleElement().satisfies(h -> {
      assertThat(h.buckets()[0]).isEqualTo(new HistogramSample(3, 23, bounds, new double[] {1, 1, 1}));
      assertThat(h.buckets()[1]).isEqualTo(new HistogramSample(1, 5, bounds, new double[] {0, 1, 0}));
    });
  }
  @Test
  void evictExpired_histogramSeries_isRemovedAndItsLabelsTakeANewSeries() {
    double[] bounds = {1};
    Series[] first = {null};
    store.write("lat", MetricKind.HISTOGRAM, Labels.of("a", "1"), s -> {
      first[0] = s;
      s.appendHistogram(t(0), new HistogramSample(1, 1, bounds, new double[] {1, 0}));
    });
    clock.advance(Duration.ofMinutes(61));

    assertThat(store.evictExpired()).isEqualTo(1);
    assertThat(first[0].isRemoved()).isTrue();
    assertThat(first[0].lastTimeMs()).isEqualTo(Long.MIN_VALUE);
    Series[] second = {null};
    assertThat(store.write("lat", MetricKind.HISTOGRAM, Labels.of("a", "1"), s -> {
      second[0] = s;
      s.appendHistogram(t(3700), new HistogramSample(1, 1, bounds, new double[] {0, 1}));
    })).isEqualTo(Admission.OK);
    assertThat(second[0]).isNotSameAs(first[0]);
    assertThat(second[0].isRemoved()).isFalse();
    assertThat(second[0].lastTimeMs()).isEqualTo(t(3700));
  }

  /** The log's batch number lives in the head chunk's coding state: chunk cuts and coding changes keep it. */
  @Test
  void logBatch_isKeptAcrossChunkCutsAndCodingChanges() {
    clock.advance(Duration.ofMinutes(59));
    int[] batch = new int[1];
    for (int i = 0; i < 3 * Series.MAX_CHUNK_SAMPLES; i++) {
      double value = i % 3 == 0 ? i * 0.5 : Double.longBitsToDouble(0x3ff0_0000_0000_0000L + i * 0x1_0001L);
      long time = t(i);
      store.write("temp", MetricKind.GAUGE, Labels.of("host", "a"), s -> {
        if (time == t(0)) {
          s.logBatch(Series.MAX_LOG_BATCH);
        }
        s.append(time, value);
        batch[0] = s.logBatch();
      });
      assertThat(batch[0]).as("after sample %d", i).isEqualTo(Series.MAX_LOG_BATCH);
    }
    assertThat(store.read("temp", l -> true, 0, Long.MAX_VALUE).get(0).values()).hasSize(3 * Series.MAX_CHUNK_SAMPLES);
  }

  @Test
  void scanBuckets_inParts_visitsEachMatchingSeriesOnceAndTestsEachOnce() {
    SeriesStore big = new SeriesStore(clock, new StoreSettings(Duration.ofHours(1), 1_000, 1_000));
    BucketGrid grid = new BucketGrid(t(0), 60_000, 1);
    for (int series = 0; series <= 40; series++) {
      if (series > 0) {
        int node = series - 1;
        big.write("up", MetricKind.GAUGE, Labels.of("node", "n" + node), s -> s.append(t(0), node));
      }
      for (int parts = 1; parts <= 5; parts++) {
        // Every third series matches: the scan tests its filter in batches ahead (ScanAhead).
        List<Double> seen = new ArrayList<>();
        int[] tested = {0};
        Predicate<Labels> everyThird = l -> {
          tested[0]++;
          return Integer.parseInt(l.get("node").substring(1)) % 3 == 0;
        };
        for (int part = 0; part < parts; part++) {
          big.scanBuckets("up", everyThird, grid, false, part, parts,
              (labels, values, times, samples) -> seen.add(values[0]));
        }
        assertThat(tested[0]).as("filter tests, %d series in %d parts", series, parts).isEqualTo(series);
        List<Double> expected = new ArrayList<>();
        for (int node = 0; node < series; node += 3) {
          expected.add((double) node);
        }
        assertThat(seen).as("%d series in %d parts", series, parts).containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }
}
