package io.tocsin.store;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The in-memory time-series store: an index from metric name and labels to {@link Series}, with a
 * retention window and limits on the number of series.
 *
 * <p>Thread-safe. Writers call {@link #write}; readers call {@link #read} or {@link #readBuckets}
 * and get copies. Every read is clamped to the retention window, so a sample older than the
 * window is gone for readers at once, even while its chunk awaits {@link #evictExpired()}.
 */
public final class SeriesStore {
  /** Why {@link #write} did not run its action. */
  public enum Admission {
    OK,
    /** The store already holds {@code maxSeries} series. */
    SERIES_LIMIT,
    /** The metric already has {@code maxSeriesPerMetric} series. */
    METRIC_SERIES_LIMIT,
    /** The metric exists with another kind. */
    KIND_CONFLICT
  }

  private final Clock clock;
  private final StoreSettings settings;
  private final ConcurrentHashMap<String, MetricIndex> metrics = new ConcurrentHashMap<>();
  private final AtomicInteger seriesCount = new AtomicInteger();
  private final AtomicLong lastSeriesId = new AtomicLong();
  private volatile long retentionMs;
  private volatile AppendLog log = AppendLog.NONE;

  public SeriesStore(Clock clock, StoreSettings settings) {
    this.clock = clock;
    this.settings = settings;
    this.retentionMs = settings.retention().toMillis();
  }

  public StoreSettings settings() {
    return settings;
  }

  public int seriesCount() {
    return seriesCount.get();
  }

  /** The earliest sample time readers see now. */
  public long retentionCutoffMs() {
    return clock.millis() - retentionMs;
  }

  /** How long samples are kept now: the configured retention, or longer if monitors need it. */
  public Duration retention() {
    return Duration.ofMillis(retentionMs);
  }

  /**
   * Keeps samples for at least {@code needed} (a monitor reading further back than the
   * configured retention would otherwise see its oldest buckets empty); never shortens it.
   */
  public synchronized void ensureRetention(Duration needed) {
    if (needed.toMillis() > retentionMs) {
      retentionMs = needed.toMillis();
    }
  }

  /** Where every change is reported; {@link AppendLog#NONE} until {@link #attachLog}. */
  public AppendLog log() {
    return log;
  }

  /**
   * From now on, reports every change of every series to {@code newLog}. Called once recovery has
   * filled the store (what recovery restores must not be logged again), before any writer runs.
   */
  public void attachLog(AppendLog newLog) {
    this.log = newLog;
    for (MetricIndex index : metrics.values()) {
      index.family.log = newLog;
    }
  }

  /**
   * The series for {@code metric} and {@code labels}, created with {@code id} if it does not exist
   * (it keeps the id it has if it does); null when the limits or the metric's kind refuse it, or
   * the id is not one this store gives (1 to {@link Series#MAX_ID}). Recovery uses it to bring
   * back series with the ids the log knows them by; later series get higher ids.
   */
  public Series restore(long id, String metric, MetricKind kind, Labels labels) {
    if (id <= 0 || id > Series.MAX_ID) {
      return null;
    }
    lastSeriesId.accumulateAndGet(id, Math::max);
    Series[] found = {null};
    write(metric, kind, labels, series -> found[0] = series, id);
    return found[0];
  }

  /**
   * Runs {@code action} on the series for {@code metric} and {@code labels}, creating it if it is
   * new and the limits allow, while holding the series' lock.
   */
  public Admission write(String metric, MetricKind kind, Labels labels, Consumer<Series> action) {
    return write(metric, kind, labels, action, 0);
  }

  /** Like {@link #write(String, MetricKind, Labels, Consumer)}; a new series gets {@code id} unless it is 0. */
  private Admission write(String metric, MetricKind kind, Labels labels, Consumer<Series> action, long id) {
    while (true) {
      MetricIndex index = metrics.get(metric);
      Series series = null;
      if (index != null) {
        if (index.kind != kind) {
          return Admission.KIND_CONFLICT;
        }
        series = index.get(labels);
      }
      if (series == null) {
        // A new series: take its slot before creating anything, so refused writes leave nothing behind.
        if (!tryIncrement(seriesCount, settings.maxSeries())) {
          return Admission.SERIES_LIMIT;
        }
        if (index == null) {
          index = metrics.computeIfAbsent(metric, name -> newIndex(name, kind));
          if (index.kind != kind) {
            seriesCount.decrementAndGet();
            return Admission.KIND_CONFLICT;
          }
        }
        if (!tryIncrement(index.count, settings.maxSeriesPerMetric())) {
          seriesCount.decrementAndGet();
          return Admission.METRIC_SERIES_LIMIT;
        }
        series = index.add(labels, seriesCount, id != 0 ? id : lastSeriesId.incrementAndGet());
        if (series == null) {
          continue; // the metric was unlinked by eviction meanwhile; start over
        }
      }
      synchronized (series) {
        if (!series.isRemoved()) {
          action.accept(series);
          return Admission.OK;
        }
      }
    }
  }

  /**
   * The series of {@code metric} with the labels {@code probe} describes, or null when there is
   * none yet (or the metric has another kind); then {@link #write} creates it.
   */
  public Series find(String metric, MetricKind kind, LabelsProbe probe) {
    MetricIndex index = metrics.get(metric);
    if (index == null || index.kind != kind) {
      return null;
    }
    return index.get(probe);
  }

  /**
   * Runs {@code action} on a series {@link #find} returned, holding its lock; false when
   * eviction removed the series meanwhile, in which case the caller writes through {@link
   * #write}.
   */
  public boolean writeTo(Series series, Consumer<Series> action) {
    synchronized (series) {
      if (series.isRemoved()) {
        return false;
      }
      action.accept(series);
      return true;
    }
  }

  private static boolean tryIncrement(AtomicInteger counter, int limit) {
    while (true) {
      int current = counter.get();
      if (current >= limit) {
        return false;
      }
      if (counter.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /** How many series {@code metric} has. */
  public int seriesCount(String metric) {
    MetricIndex index = metrics.get(metric);
    return index == null ? 0 : index.count.get();
  }

  /** The kind of {@code metric}, or null when the store has no series of it. */
  public MetricKind kindOf(String metric) {
    MetricIndex index = metrics.get(metric);
    return index == null ? null : index.kind;
  }

  public Set<String> metricNames() {
    return new TreeSet<>(metrics.keySet());
  }

  /**
   * Streams the scalar series of {@code metric} that match {@code filter}, in no particular
   * order, with their samples in {@code [fromMs, toMs)} (clamped to the retention window).
   * Series without samples there are skipped. Only one series' samples are in memory at a time,
   * which is what lets a query run over a million series.
   */
  public void scan(String metric, Predicate<Labels> filter, long fromMs, long toMs, SeriesVisitor visitor) {
    scan(metric, filter, fromMs, toMs, 0, 1, visitor);
  }

  /**
   * Like {@link #scan(String, Predicate, long, long, SeriesVisitor)}, over part {@code part} of
   * {@code parts} disjoint parts of the metric's series, so that several threads can share a scan.
   */
  public void scan(String metric, Predicate<Labels> filter, long fromMs, long toMs, int part, int parts,
      SeriesVisitor visitor) {
    MetricIndex index = metrics.get(metric);
    if (index == null || index.kind == MetricKind.HISTOGRAM) {
      return;
    }
    long from = Math.max(fromMs, retentionCutoffMs());
    Series.SampleBuffer buffer = new Series.SampleBuffer();
    MetricIndex.Ordered all = index.ordered();
    int start = (int) ((long) all.size() * part / parts);
    int end = (int) ((long) all.size() * (part + 1) / parts);
    Series[] ordered = all.series();
    ScanAhead ahead = new ScanAhead(ordered, start, end, filter, index.family.pages);
    for (int i = start; i < end; i++) {
      if (!ahead.matches(i)) {
        continue;
      }
      Series series = ordered[i];
      buffer.size = 0;
      series.collect(from, toMs, buffer);
      if (buffer.size > 0) {
        visitor.series(series.labels(), series.kind(), buffer.times, buffer.values, buffer.size);
      }
    }
    ahead.done();
  }

  /**
   * Each scalar series of {@code metric} that matches {@code filter}, over part {@code part} of
   * {@code parts} disjoint parts of them, with its value per bucket of {@code grid} as {@link
   * #readBuckets} computes them ({@code sum}: increases summed, otherwise the last value) and,
   * for a last value, the time of the sample it came from (zero for a sum). The samples are
   * folded into the buckets as they are decoded. Series without a value in the grid are skipped.
   */
  public void scanBuckets(String metric, Predicate<Labels> filter, BucketGrid grid, boolean sum, int part, int parts,
      BucketVisitor visitor) {
    foldEach(metric, filter, grid, part, parts, new BucketFold(grid, sum), visitor);
  }

  /**
   * Like {@link #scanBuckets} of a counter's increases, summed straight into the buckets {@code
   * visitor} gives for each series ({@link SumVisitor#sumsFor}) as they are decoded, rather than
   * into a bucket array per series that the caller adds up again: a sum over a million series
   * reads the bucket array once less per series. The increases of one series in one bucket are
   * added one by one, so a sum may differ in its last bits from the sum of {@link #scanBuckets}'s
   * per-series sums; and a NaN increase adds nothing, where {@link #scanBuckets} may give its
   * series a NaN bucket. Increases that make a NaN between them (infinities of both signs, which
   * no counter ingest accepts) make the group's bucket NaN, not only the series'.
   */
  public void scanSums(String metric, Predicate<Labels> filter, BucketGrid grid, int part, int parts,
      SumVisitor visitor) {
    foldEach(metric, filter, grid, part, parts, new BucketFold(grid, visitor),
        (labels, values, times, samples) -> visitor.scanned(samples));
  }

  private void foldEach(String metric, Predicate<Labels> filter, BucketGrid grid, int part, int parts, BucketFold fold,
      BucketVisitor visitor) {
    MetricIndex index = metrics.get(metric);
    if (index == null || index.kind == MetricKind.HISTOGRAM) {
      return;
    }
    long from = Math.max(grid.startMs(), retentionCutoffMs());
    MetricIndex.Ordered all = index.ordered();
    int start = (int) ((long) all.size() * part / parts);
    int end = (int) ((long) all.size() * (part + 1) / parts);
    Series[] ordered = all.series();
    ScanAhead ahead = new ScanAhead(ordered, start, end, filter, index.family.pages);
    for (int i = start; i < end; i++) {
      if (!ahead.matches(i)) {
        continue;
      }
      Series series = ordered[i];
      fold.reset(series.labels());
      int samples = series.fold(from, grid.endMs(), fold);
      if (fold.any()) {
        visitor.series(series.labels(), fold.values, fold.times, samples);
      }
    }
    ahead.done();
  }

  /** Like {@link #scan}, for the histogram series of {@code metric}. */
  public void scanHistograms(String metric, Predicate<Labels> filter, long fromMs, long toMs,
      HistogramSeriesVisitor visitor) {
    MetricIndex index = metrics.get(metric);
    if (index == null || index.kind != MetricKind.HISTOGRAM) {
      return;
    }
    long from = Math.max(fromMs, retentionCutoffMs());
    long[][] times = {new long[16]};
    HistogramSample[][] samples = {new HistogramSample[16]};
    int[] size = {0};
    MetricIndex.Ordered all = index.ordered();
    for (int i = 0; i < all.size(); i++) {
      Series series = all.series()[i];
      if (!filter.test(series.labels())) {
        continue;
      }
      size[0] = 0;
      series.forEachHistogram(from, toMs, (time, sample) -> {
        if (size[0] == times[0].length) {
          times[0] = Arrays.copyOf(times[0], size[0] * 2);
          samples[0] = Arrays.copyOf(samples[0], size[0] * 2);
        }
        times[0][size[0]] = time;
        samples[0][size[0]++] = sample;
      });
      if (size[0] > 0) {
        visitor.series(series.labels(), times[0], samples[0], size[0]);
      }
    }
  }

  /** Raw samples of the matching series with {@code fromMs <= time < toMs}, sorted by labels. */
  public List<SeriesSamples> read(String metric, Predicate<Labels> filter, long fromMs, long toMs) {
    long from = Math.max(fromMs, retentionCutoffMs());
    List<SeriesSamples> result = new ArrayList<>();
    for (Series series : select(metric, filter)) {
      if (series.kind() == MetricKind.HISTOGRAM) {
        continue;
      }
      SampleCollector collector = new SampleCollector();
      series.forEachSample(from, toMs, collector);
      if (collector.size > 0) {
        result.add(new SeriesSamples(series.metric(), series.labels(), series.kind(),
            Arrays.copyOf(collector.times, collector.size), Arrays.copyOf(collector.values, collector.size)));
      }
    }
    return result;
  }

  /**
   * Each matching scalar series' value per bucket of {@code grid}: counters sum their increases,
   * gauges and additive sums take the last value. A stale marker ends a gauge's value, so a
   * bucket whose last sample is stale has none. Series without a value in the grid are left out.
   */
  public List<SeriesBuckets> readBuckets(String metric, Predicate<Labels> filter, BucketGrid grid) {
    long from = Math.max(grid.startMs(), retentionCutoffMs());
    List<SeriesBuckets> result = new ArrayList<>();
    for (Series series : select(metric, filter)) {
      if (series.kind() == MetricKind.HISTOGRAM) {
        continue;
      }
      BucketFiller filler = new BucketFiller(grid, series.kind() == MetricKind.COUNTER);
      series.forEachSample(from, grid.endMs(), filler);
      if (filler.any) {
        result.add(new SeriesBuckets(series.metric(), series.labels(), series.kind(), grid, filler.values));
      }
    }
    return result;
  }

  /** Each matching histogram series' samples merged per bucket of {@code grid}; null where none. */
  public List<HistogramBuckets> readHistogramBuckets(String metric, Predicate<Labels> filter, BucketGrid grid) {
    long from = Math.max(grid.startMs(), retentionCutoffMs());
    List<HistogramBuckets> result = new ArrayList<>();
    for (Series series : select(metric, filter)) {
      if (series.kind() != MetricKind.HISTOGRAM) {
        continue;
      }
      HistogramSample[] buckets = new HistogramSample[grid.count()];
      boolean[] any = {false};
      series.forEachHistogram(from, grid.endMs(), (time, sample) -> {
        int i = grid.indexOf(time);
        if (i >= 0 && sample != null) {
          buckets[i] = buckets[i] == null ? sample : HistogramSample.merge(buckets[i], sample);
          any[0] = true;
        }
      });
      if (any[0]) {
        result.add(new HistogramBuckets(series.metric(), series.labels(), grid, buckets));
      }
    }
    return result;
  }

  private List<Series> select(String metric, Predicate<Labels> filter) {
    MetricIndex index = metrics.get(metric);
    if (index == null) {
      return List.of();
    }
    List<Series> selected = new ArrayList<>();
    MetricIndex.Ordered all = index.ordered();
    for (int i = 0; i < all.size(); i++) {
      Series series = all.series()[i];
      if (filter.test(series.labels()) && !series.isRemoved()) {
        selected.add(series);
      }
    }
    selected.sort((a, b) -> a.labels().compareTo(b.labels()));
    return selected;
  }

  /**
   * Drops chunks wholly older than the retention window, then series left empty (idle past the
   * window) and metrics left without series. Returns the number of series removed.
   */
  public int evictExpired() {
    long cutoff = retentionCutoffMs();
    int removed = 0;
    for (MetricIndex index : metrics.values()) {
      MetricIndex.Ordered all = index.ordered();
      for (int i = 0; i < all.size(); i++) {
        Series series = all.series()[i];
        if (series.evictBefore(cutoff)) {
          index.removed(series);
          index.count.decrementAndGet();
          seriesCount.decrementAndGet();
          removed++;
        }
      }
      index.unlinkIfEmpty(metrics);
    }
    return removed;
  }

  /**
   * Calls {@code action} for every series, metric by metric in creation order (for a snapshot,
   * and for recovery to find restored series by id). Series created meanwhile may or may not be
   * seen; removed ones may be among them.
   */
  public void forEachSeries(Consumer<Series> action) {
    for (MetricIndex index : metrics.values()) {
      MetricIndex.Ordered all = index.ordered();
      for (int i = 0; i < all.size(); i++) {
        action.accept(all.series()[i]);
      }
    }
  }

  /**
   * Adds series a snapshot brought back, with their ids, regardless of the series limits (they
   * were admitted before the restart); ids given to new series continue above the largest. Only
   * for a store nobody else uses yet; lookups find them once {@link #restored()} is called.
   *
   * @throws IllegalArgumentException for a series of a metric already added with another kind:
   *     the snapshot is inconsistent
   */
  void restore(Series series) {
    MetricIndex index = indexOf(series.metric(), series.kind());
    if (index.kind != series.kind() || index.family != series.family()) {
      throw new IllegalArgumentException(series.metric() + " is both a " + index.kind.label() + " and a "
          + series.kind().label());
    }
    index.restore(series);
    index.count.incrementAndGet();
    seriesCount.incrementAndGet();
    lastSeriesId.accumulateAndGet(series.id(), Math::max);
  }

  /**
   * Makes the series {@link #restore(Series)} added so far found by their labels: each metric's
   * table is sized once for all of them.
   *
   * @throws IllegalArgumentException for two series of a metric with the same labels: the
   *     snapshot is inconsistent
   */
  void restored() {
    for (MetricIndex index : metrics.values()) {
      index.restored();
    }
  }

  /**
   * The family a series restored from a snapshot joins: the store's own for {@code metric}, or,
   * when the metric is known with another kind, a family of its own, which {@link
   * #restore(Series)} then rejects.
   */
  Family family(String metric, MetricKind kind) {
    MetricIndex index = indexOf(metric, kind);
    return index.kind == kind ? index.family : new Family(metric, kind, settings.maxChunkSpanMs(), log);
  }

  /**
   * The index of {@code metric}, made for {@code kind} when there is none. Looked up first: the
   * lambda {@code computeIfAbsent} takes captures the kind, and was made for every series a
   * snapshot restores when asked each time.
   */
  private MetricIndex indexOf(String metric, MetricKind kind) {
    MetricIndex index = metrics.get(metric);
    return index != null ? index : metrics.computeIfAbsent(metric, name -> newIndex(name, kind));
  }

  private MetricIndex newIndex(String metric, MetricKind kind) {
    return new MetricIndex(new Family(metric, kind, settings.maxChunkSpanMs(), log));
  }

  /** Empties a store whose restore failed halfway, so that another snapshot can be loaded. */
  void discardRestored() {
    // Their labels may live on (LabelStrings, values shared with other series): not their samples.
    forEachSeries(Series::discard);
    metrics.clear();
    seriesCount.set(0);
    lastSeriesId.set(0);
  }

  /** True when the store has never held a series (or {@link #discardRestored} emptied it). */
  boolean isPristine() {
    return metrics.isEmpty() && lastSeriesId.get() == 0;
  }

  /** The series of one metric name. */
  private static final class MetricIndex {
    final String name;
    final MetricKind kind;
    final Family family;
    /** By labels; also looked up with {@link LabelsProbe}s. Written under this index's lock. */
    private final SeriesTable table = new SeriesTable();
    /**
     * The series in the order they were created, for scans. Walking an array is several times
     * faster than walking a hash table, and creation order is close to memory order, which the
     * processor's prefetching rewards when a scan touches a million series. Appended to under
     * this index's lock; removed series are dropped when they make up a quarter of it.
     */
    private volatile Ordered ordered = new Ordered(new Series[16], 0);
    private int removedSinceCompaction;
    /** The last series of {@link #ordered}, restored from a snapshot, not yet in {@link #table}. */
    private int unindexed;
    final AtomicInteger count = new AtomicInteger();
    private boolean unlinked;

    MetricIndex(Family family) {
      this.name = family.metric;
      this.kind = family.kind;
      this.family = family;
    }

    /** The series with labels equal to {@code key} (a {@link Labels} or a {@link LabelsProbe}), or null. */
    Series get(Object key) {
      return table.get(key);
    }

    /**
     * Adds a series for which a slot was reserved in {@code count} and {@code total}, or returns
     * the one another writer added first (releasing the slot); null if this index was unlinked.
     */
    synchronized Series add(Labels labels, AtomicInteger total, long id) {
      Series existing = unlinked ? null : table.get(labels);
      if (unlinked || existing != null) {
        count.decrementAndGet();
        total.decrementAndGet();
        return existing;
      }
      Series created = family.create(id, labels);
      table.add(created);
      append(created);
      return created;
    }

    private void append(Series created) {
      Ordered current = ordered;
      Series[] array = current.series;
      if (current.size == array.length) {
        array = Arrays.copyOf(array, array.length + (array.length >> 1));
      }
      array[current.size] = created;
      ordered = new Ordered(array, current.size + 1);
    }

    /** Adds a series a snapshot restores to the scans at once, and to the table with {@link #restored()}. */
    synchronized void restore(Series restored) {
      append(restored);
      unindexed++;
    }

    /**
     * Puts the series {@link #restore} added since the last call into the table, sized for them
     * first: added one by one, the table grew by a third some forty times for a million series,
     * hashing their labels again each time.
     *
     * @throws IllegalArgumentException when two have the same labels
     */
    synchronized void restored() {
      Ordered current = ordered;
      table.reserve(table.size() + unindexed);
      for (int i = current.size - unindexed; i < current.size; i++) {
        Series series = current.series[i];
        if (series.isRemoved()) {
          continue; // evicted already (no samples in the window), and counted then: not to be found
        }
        if (table.get(series.labels()) != null) {
          throw new IllegalArgumentException(name + series.labels() + " appears twice");
        }
        table.add(series);
      }
      unindexed = 0;
    }

    synchronized void removed(Series s) {
      if (table.remove(s) && ++removedSinceCompaction > ordered.size / 4) {
        Ordered current = ordered;
        Series[] kept = new Series[Math.max(16, current.size - removedSinceCompaction + 16)];
        int n = 0;
        for (int i = 0; i < current.size; i++) {
          if (!current.series[i].isRemoved()) {
            kept[n++] = current.series[i];
          }
        }
        ordered = new Ordered(kept, n);
        removedSinceCompaction = 0;
        table.compact();
      }
    }

    /**
     * The series to scan, in creation order; removed ones may still be among them, empty. A
     * concurrent add may or may not be seen, as with a map iteration.
     */
    Ordered ordered() {
      return ordered;
    }

    /** The first {@code size} entries of {@code series}; later entries are not yet published. */
    record Ordered(Series[] series, int size) {}

    synchronized void unlinkIfEmpty(ConcurrentHashMap<String, MetricIndex> metrics) {
      if (table.isEmpty() && unindexed == 0) {
        unlinked = true;
        metrics.remove(name, this);
      }
    }
  }

  private static final class SampleCollector implements SampleVisitor {
    long[] times = new long[64];
    double[] values = new double[64];
    int size;

    @Override
    public void sample(long timeMs, double value) {
      if (StaleMarker.is(value)) {
        return;
      }
      if (size == times.length) {
        times = Arrays.copyOf(times, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      times[size] = timeMs;
      values[size] = value;
      size++;
    }
  }

  private static final class BucketFiller implements SampleVisitor {
    final BucketGrid grid;
    final boolean sum;
    final double[] values;
    boolean any;

    BucketFiller(BucketGrid grid, boolean sum) {
      this.grid = grid;
      this.sum = sum;
      this.values = new double[grid.count()];
      Arrays.fill(values, Double.NaN);
    }

    @Override
    public void sample(long timeMs, double value) {
      int i = grid.indexOf(timeMs);
      if (i < 0) {
        return;
      }
      if (StaleMarker.is(value)) {
        if (!sum) {
          values[i] = Double.NaN;
        }
        return;
      }
      values[i] = sum && !Double.isNaN(values[i]) ? values[i] + value : value;
      any = true;
    }
  }
}
