package io.tocsin.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tocsin.store.SnapshotFixtures.StateCodec;
import io.tocsin.testing.ScratchDir;
import io.tocsin.util.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The store against a straightforward reference (a {@link TreeMap} of samples per label set) on
 * random sequences of writes (gauges, counters, additive sums; values of every chunk coding;
 * out-of-order and duplicate samples; kind conflicts; series limits), reads (raw, scans, buckets,
 * lookups by probe, with label filters and ranges across the retention cutoff) and eviction.
 * Enough series per metric are written, evicted and written again to grow, tombstone and compact
 * the series table. Now and then the store is replaced by one loaded from its snapshot, which
 * must go on like the original (a series' sealed chunks, joined in one array, are cut at the
 * retention cutoff on both sides of the file).
 */
class SeriesStorePropertiesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration RETENTION = Duration.ofMinutes(5);
  private static final String[] METRICS = {"m0", "m1", "m2"};
  private static final MetricKind[] KINDS = {MetricKind.GAUGE, MetricKind.COUNTER, MetricKind.ADDITIVE};
  private static final double[] VALUES = {0, 1, 1.5, 2.25, 0.1 + 0.2, -7, 1e300, 123456789.123, Double.NaN,
      Double.POSITIVE_INFINITY, -0.0, StaleMarker.VALUE, 42, 3.75};
  private static final long[] ADVANCES_MS = {0, 1, 15_000, 15_000, 15_000, 37_000, 90_000};
  private static final long[] LAGS_MS = {0, 0, 0, 0, 5_000, 60_000, 400_000};

  /**
   * One step: {@code type} 0-6 writes {@code VALUES[value]} to series {@code labels} of metric
   * {@code metric} (kind by {@code kind}: mostly the metric's own) at the clock minus a lag, after
   * advancing the clock; 7 evicts; 8 compares every read; 9 advances the clock by minutes; 10
   * writes a snapshot and goes on with the store loaded from it (one time in ten; else compares).
   */
  record Op(int type, int metric, int kind, int labels, int advance, int lag, int value, int seed) {}

  @Property(tries = 150)
  void storeBehavesLikeTheReference(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 3, max = 80) int maxSeries,
      @ForAll @IntRange(min = 2, max = 50) int maxSeriesPerMetric) throws IOException {
    MutableClock clock = new MutableClock(T0);
    StoreSettings settings = new StoreSettings(RETENTION, maxSeries, maxSeriesPerMetric);
    SeriesStore store = new SeriesStore(clock, settings);
    Reference reference = new Reference(clock, maxSeries, maxSeriesPerMetric);
    try (ScratchDir dataDir = ScratchDir.create("tocsin-store-property")) {
      for (Op op : ops) {
        if (op.type() == 10 && op.seed() % 10 == 0) {
          store = reloaded(store, dataDir.path(), clock, settings);
        } else {
          apply(op, store, reference, clock);
        }
      }
    }
    compare(store, reference, clock.millis(), 0);
    store.evictExpired();
    reference.evict();
    compare(store, reference, clock.millis(), 1);
  }

  /** The store loaded from a snapshot of {@code store} written now. */
  private static SeriesStore reloaded(SeriesStore store, Path dataDir, MutableClock clock, StoreSettings settings)
      throws IOException {
    Snapshots snapshots = new Snapshots(dataDir, new StateCodec(), clock);
    snapshots.write(store, 1);
    SeriesStore loaded = new SeriesStore(clock, settings);
    assertThat(snapshots.loadNewest(loaded)).isPresent();
    return loaded;
  }

  private static void apply(Op op, SeriesStore store, Reference reference, MutableClock clock) {
    switch (op.type()) {
      case 7 -> assertThat(store.evictExpired()).as("series evicted").isEqualTo(reference.evict());
      case 8, 10 -> compare(store, reference, clock.millis(), op.seed());
      case 9 -> clock.advance(Duration.ofMinutes(1 + op.seed() % 4));
      default -> {
        clock.advance(Duration.ofMillis(ADVANCES_MS[op.advance()]));
        String metric = METRICS[op.metric()];
        MetricKind kind = op.kind() < 4 ? KINDS[op.metric()] : KINDS[(op.metric() + op.kind()) % 3];
        Labels labels = labels(op.labels());
        long time = clock.millis() - LAGS_MS[op.lag()];
        double value = VALUES[op.value()];
        String[] appended = {null};
        SeriesStore.Admission admission = store.write(metric, kind, labels,
            series -> appended[0] = series.append(time, value).name());
        String outcome = admission == SeriesStore.Admission.OK ? appended[0] : admission.name();
        assertThat(outcome).as("write %s%s at %d", metric, labels, time)
            .isEqualTo(reference.write(metric, kind, labels, time, value));
      }
    }
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 39),
        Arbitraries.integers().between(0, ADVANCES_MS.length - 1), Arbitraries.integers().between(0, LAGS_MS.length - 1),
        Arbitraries.integers().between(0, VALUES.length - 1), Arbitraries.integers().between(0, 1_000_000))
        .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(400);
  }

  /**
   * Forty label sets: ten hosts, each with no zone, one of two, or among six pairs (more than
   * {@link Labels} keeps in fields) with values that are not ASCII.
   */
  private static Labels labels(int index) {
    String host = "h" + index % 10;
    return switch (index / 10) {
      case 0 -> Labels.of("host", host);
      case 1 -> Labels.of("host", host, "zone", "z0");
      case 2 -> Labels.of("zone", "z1", "host", host);
      default -> Labels.of("a", "ä", "b", "€" + host, "c", "", "host", host, "rack", "r\u00e9", "zone", "z\uD83D\uDE00");
    };
  }

  private static Predicate<Labels> filter(int seed) {
    return switch (seed % 4) {
      case 0 -> labels -> true;
      case 1 -> labels -> ("h" + seed % 10).equals(labels.get("host"));
      case 2 -> labels -> labels.has("zone");
      default -> labels -> !"z0".equals(labels.get("zone"));
    };
  }

  private static void compare(SeriesStore store, Reference reference, long now, int seed) {
    assertThat(store.seriesCount()).as("series").isEqualTo(reference.seriesCount());
    assertThat(store.metricNames()).as("metrics").isEqualTo(reference.metricNames());
    long from = now - (seed % 7) * 60_000L;
    long to = now + 60_000 - (seed / 7 % 5) * 60_000L;
    long step = new long[] {7_000, 15_000, 60_000}[seed / 35 % 3];
    BucketGrid grid = BucketGrid.endingAt(now + step, step, 1 + seed / 105 % 40);
    Predicate<Labels> filter = filter(seed / 4_200);
    for (String metric : METRICS) {
      assertThat(store.seriesCount(metric)).as("series of %s", metric).isEqualTo(reference.seriesCount(metric));
      assertThat(store.kindOf(metric)).as("kind of %s", metric).isEqualTo(reference.kindOf(metric));
      assertThat(describeSamples(store.read(metric, filter, from, to))).as("read %s [%d, %d)", metric, from, to)
          .isEqualTo(reference.read(metric, filter, from, to, false));
      List<String> scanned = new ArrayList<>();
      store.scan(metric, filter, from, to, (labels, kind, times, values, count) ->
          scanned.add(describe(metric, labels, times, values, count)));
      assertThat(new TreeSet<>(scanned)).as("scan %s", metric)
          .isEqualTo(new TreeSet<>(reference.read(metric, filter, from, to, true)));
      assertThat(describeBuckets(store.readBuckets(metric, filter, grid))).as("buckets %s %s", metric, grid)
          .isEqualTo(reference.buckets(metric, filter, grid));
      for (Labels labels : reference.labelsOf(metric)) {
        Series found = store.find(metric, reference.kindOf(metric), probe(labels));
        assertThat(found).as("find %s%s", metric, labels).isNotNull();
        assertThat(found.labels()).isEqualTo(labels);
        assertThat(found.lastTimeMs()).isEqualTo(reference.lastTime(metric, labels));
      }
    }
  }

  private static LabelsProbe probe(Labels labels) {
    return new LabelsProbe() {
      @Override
      protected int labelsHash() {
        return labels.hashCode();
      }

      @Override
      protected boolean matches(Labels other) {
        return labels.equals(other);
      }
    };
  }

  private static List<String> describeSamples(List<SeriesSamples> read) {
    List<String> out = new ArrayList<>();
    for (SeriesSamples s : read) {
      out.add(describe(s.metric(), s.labels(), s.timesMs(), s.values(), s.size()));
    }
    return out;
  }

  private static List<String> describeBuckets(List<SeriesBuckets> read) {
    List<String> out = new ArrayList<>();
    for (SeriesBuckets s : read) {
      out.add(s.metric() + s.labels() + bits(s.values()));
    }
    return out;
  }

  private static String describe(String metric, Labels labels, long[] times, double[] values, int count) {
    StringBuilder sb = new StringBuilder(metric).append(labels);
    for (int i = 0; i < count; i++) {
      sb.append(' ').append(times[i]).append('=').append(Long.toHexString(Double.doubleToRawLongBits(values[i])));
    }
    return sb.toString();
  }

  private static String bits(double[] values) {
    StringBuilder sb = new StringBuilder();
    for (double v : values) {
      sb.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v)));
    }
    return sb.toString();
  }

  /** What the store should hold, kept the plain way: every sample of every series in a TreeMap. */
  private static final class Reference {
    private final MutableClock clock;
    private final int maxSeries;
    private final int maxSeriesPerMetric;
    private final Map<String, MetricKind> kinds = new HashMap<>();
    private final Map<String, Map<Labels, TreeMap<Long, Double>>> series = new HashMap<>();

    Reference(MutableClock clock, int maxSeries, int maxSeriesPerMetric) {
      this.clock = clock;
      this.maxSeries = maxSeries;
      this.maxSeriesPerMetric = maxSeriesPerMetric;
    }

    String write(String metric, MetricKind kind, Labels labels, long time, double value) {
      Map<Labels, TreeMap<Long, Double>> ofMetric = series.get(metric);
      if (ofMetric != null && kinds.get(metric) != kind) {
        return "KIND_CONFLICT";
      }
      TreeMap<Long, Double> samples = ofMetric == null ? null : ofMetric.get(labels);
      if (samples == null) {
        if (seriesCount() >= maxSeries) {
          return "SERIES_LIMIT";
        }
        if (ofMetric != null && ofMetric.size() >= maxSeriesPerMetric) {
          return "METRIC_SERIES_LIMIT";
        }
        kinds.put(metric, kind);
        samples = new TreeMap<>();
        series.computeIfAbsent(metric, m -> new HashMap<>()).put(labels, samples);
      }
      if (!samples.isEmpty() && time <= samples.lastKey()) {
        boolean same = time == samples.lastKey()
            && Double.doubleToRawLongBits(samples.lastEntry().getValue()) == Double.doubleToRawLongBits(value);
        return same ? "DUPLICATE" : "OUT_OF_ORDER";
      }
      samples.put(time, value);
      return "APPENDED";
    }

    /** Removes the series whose newest sample is older than the retention window. */
    int evict() {
      long cutoff = cutoff();
      int removed = 0;
      for (var metric = series.entrySet().iterator(); metric.hasNext(); ) {
        Map<Labels, TreeMap<Long, Double>> ofMetric = metric.next().getValue();
        int before = ofMetric.size();
        ofMetric.values().removeIf(samples -> samples.lastKey() < cutoff);
        removed += before - ofMetric.size();
        if (ofMetric.isEmpty()) {
          metric.remove();
        }
      }
      kinds.keySet().retainAll(series.keySet());
      return removed;
    }

    long cutoff() {
      return clock.millis() - RETENTION.toMillis();
    }

    int seriesCount() {
      return series.values().stream().mapToInt(Map::size).sum();
    }

    int seriesCount(String metric) {
      return series.getOrDefault(metric, Map.of()).size();
    }

    MetricKind kindOf(String metric) {
      return kinds.get(metric);
    }

    Set<String> metricNames() {
      return new TreeSet<>(series.keySet());
    }

    Set<Labels> labelsOf(String metric) {
      return series.getOrDefault(metric, Map.of()).keySet();
    }

    long lastTime(String metric, Labels labels) {
      return series.get(metric).get(labels).lastKey();
    }

    /** The series' samples in [from, to) within the window, sorted by labels; stale markers only if asked. */
    List<String> read(String metric, Predicate<Labels> filter, long from, long to, boolean withStale) {
      long start = Math.max(from, cutoff());
      List<String> out = new ArrayList<>();
      for (Map.Entry<Labels, TreeMap<Long, Double>> e : sorted(metric, filter).entrySet()) {
        List<Long> times = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        if (start < to) {
          e.getValue().subMap(start, to).forEach((t, v) -> {
            if (withStale || !StaleMarker.is(v)) {
              times.add(t);
              values.add(v);
            }
          });
        }
        if (!times.isEmpty()) {
          out.add(describe(metric, e.getKey(), times.stream().mapToLong(Long::longValue).toArray(),
              values.stream().mapToDouble(Double::doubleValue).toArray(), times.size()));
        }
      }
      return out;
    }

    /** Per bucket: counters the sum of their increases, others the last value; a stale marker ends a gauge's. */
    List<String> buckets(String metric, Predicate<Labels> filter, BucketGrid grid) {
      long start = Math.max(grid.startMs(), cutoff());
      boolean sum = kinds.get(metric) == MetricKind.COUNTER;
      List<String> out = new ArrayList<>();
      for (Map.Entry<Labels, TreeMap<Long, Double>> e : sorted(metric, filter).entrySet()) {
        double[] values = new double[grid.count()];
        Arrays.fill(values, Double.NaN);
        boolean any = false;
        if (start < grid.endMs()) {
          for (Map.Entry<Long, Double> s : e.getValue().subMap(start, grid.endMs()).entrySet()) {
            int i = grid.indexOf(s.getKey());
            double v = s.getValue();
            if (StaleMarker.is(v)) {
              if (!sum) {
                values[i] = Double.NaN;
              }
            } else {
              values[i] = sum && !Double.isNaN(values[i]) ? values[i] + v : v;
              any = true;
            }
          }
        }
        if (any) {
          out.add(metric + e.getKey() + bits(values));
        }
      }
      return out;
    }

    private TreeMap<Labels, TreeMap<Long, Double>> sorted(String metric, Predicate<Labels> filter) {
      TreeMap<Labels, TreeMap<Long, Double>> out = new TreeMap<>();
      series.getOrDefault(metric, Map.of()).forEach((labels, samples) -> {
        if (filter.test(labels)) {
          out.put(labels, samples);
        }
      });
      return out;
    }
  }
}
