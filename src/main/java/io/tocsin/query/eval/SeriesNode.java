package io.tocsin.query.eval;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Position;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SeriesStore;
import io.tocsin.store.StaleMarker;
import io.tocsin.store.SumVisitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Values per series and bucket, streamed one series at a time so that no evaluation holds a
 * value array per series: the consumer folds each series into its group as it arrives.
 */
abstract class SeriesNode {
  /** Receives one series' per-bucket values; the arrays are reused for the next series. */
  interface Sink {
    void series(Labels labels, double[] values, long[] times);
  }

  /** The kind of the data, which decides how series combine by default; null when unknown. */
  abstract MetricKind kind(EvalContext ctx);

  /** Extra grouping attributes given on the selector with {@code by (...)}. */
  abstract List<String> by();

  /** How many series a scan visits at most; decides whether to share it among threads. */
  abstract int seriesCount(EvalContext ctx);

  /** Streams part {@code part} of {@code parts} disjoint parts of the series. */
  abstract void scan(EvalContext ctx, int part, int parts, Sink sink);

  final void scan(EvalContext ctx, Sink sink) {
    scan(ctx, 0, 1, sink);
  }

  /**
   * Adds the values of part {@code part} of {@code parts} straight into the group buckets that
   * {@code sums} gives for each series, when they are a counter's increases read from the store
   * ({@link SeriesStore#scanSums}); false, having read nothing, otherwise.
   */
  boolean scanSums(EvalContext ctx, int part, int parts, SumVisitor sums) {
    return false;
  }

  /**
   * Names the series this node streams when every query of the evaluation reads the same values
   * of them, so that folds of them may be shared too; null when they are not shared.
   */
  String sharedKey(EvalContext ctx) {
    return null;
  }

  /**
   * The values of every series, read once for the evaluation when {@link #sharedKey} names them;
   * null when they are not kept.
   */
  Materialized materialized(EvalContext ctx) {
    return null;
  }

  /** Per bucket and series: a counter's increases summed, a gauge's or additive sum's last value. */
  static final class Selector extends SeriesNode {
    private final SelectorSpec spec;
    private final boolean lastValue;

    /** {@code lastValue}: the last sample of each bucket whatever the kind (for {@code last}). */
    Selector(SelectorSpec spec, boolean lastValue) {
      this.spec = spec;
      this.lastValue = lastValue;
    }

    @Override
    MetricKind kind(EvalContext ctx) {
      return spec.kind(ctx);
    }

    @Override
    List<String> by() {
      return spec.by();
    }

    @Override
    int seriesCount(EvalContext ctx) {
      return ctx.store.seriesCount(spec.metric());
    }

    @Override
    void scan(EvalContext ctx, int part, int parts, Sink sink) {
      MetricKind kind = spec.scalarKind(ctx);
      if (kind == null) {
        return;
      }
      Materialized all = materialized(ctx);
      if (all != null) {
        all.replay(part, parts, sink);
        return;
      }
      read(ctx, kind, part, parts, sink);
    }

    @Override
    boolean scanSums(EvalContext ctx, int part, int parts, SumVisitor sums) {
      if (spec.scalarKind(ctx) != MetricKind.COUNTER || lastValue || sharedKey(ctx) != null) {
        return false;
      }
      ctx.store.scanSums(spec.metric(), spec.filter(), readGrid(ctx), part, parts, sums);
      return true;
    }

    @Override
    Materialized materialized(EvalContext ctx) {
      MetricKind kind = spec.scalarKind(ctx);
      String shared = sharedKey(ctx);
      return kind == null || shared == null ? null : ctx.memoized(shared, () -> materialize(ctx, kind));
    }

    @Override
    String sharedKey(EvalContext ctx) {
      // Few buckets (a monitor's steady state): the values of every series are small, so they
      // are read once and shared by every grouping and query of the evaluation.
      return ctx.grid.count() <= MATERIALIZE_BUCKETS && ctx.shareWork() ? spec.key() + (lastValue ? " last" : "") : null;
    }

    private Materialized materialize(EvalContext ctx, MetricKind kind) {
      int parts = Runtime.getRuntime().availableProcessors();
      return IntStream.range(0, parts).parallel()
          .mapToObj(part -> {
            // Without a filter, sized for the part's share of the metric's series: not copied as it grows.
            int expected = spec.filter() == LabelFilters.ALL ? ctx.store.seriesCount(spec.metric()) / parts + 1 : 16;
            Materialized m = new Materialized(ctx.grid.count(), expected);
            read(ctx, kind, part, parts, m::add);
            return m;
          })
          .reduce(Materialized::concat).orElseThrow();
    }

    private void read(EvalContext ctx, MetricKind kind, int part, int parts, Sink sink) {
      boolean sum = kind == MetricKind.COUNTER && !lastValue;
      ctx.store.scanBuckets(spec.metric(), spec.filter(), readGrid(ctx), sum, part, parts,
          (labels, values, times, samples) -> {
            ctx.budget.scanned(samples);
            sink.series(labels, values, times);
          });
    }

    /** The evaluation's grid, moved back by the selector's offset. */
    private BucketGrid readGrid(EvalContext ctx) {
      BucketGrid grid = ctx.grid;
      return new BucketGrid(grid.startMs() - spec.offsetMs(), grid.stepMs(), grid.count());
    }
  }

  /** A function of the samples in a window ending at each bucket's end: rate, delta, avg_over_time… */
  static final class Window extends SeriesNode {
    enum Function { INCREASE, RATE, IRATE, DELTA, MIN_OVER_TIME, MAX_OVER_TIME, SUM_OVER_TIME, AVG_OVER_TIME }

    private final Function function;
    private final SelectorSpec spec;

    Window(Function function, SelectorSpec spec) {
      this.function = function;
      this.spec = spec;
    }

    @Override
    MetricKind kind(EvalContext ctx) {
      return spec.kind(ctx);
    }

    @Override
    List<String> by() {
      return spec.by();
    }

    @Override
    int seriesCount(EvalContext ctx) {
      return ctx.store.seriesCount(spec.metric());
    }

    @Override
    void scan(EvalContext ctx, int part, int parts, Sink sink) {
      MetricKind kind = spec.scalarKind(ctx);
      if (kind == null) {
        return;
      }
      if ((function == Function.RATE || function == Function.IRATE || function == Function.INCREASE)
          && kind != MetricKind.COUNTER) {
        throw new QueryException(spec.position(), function.name().toLowerCase(Locale.ROOT)
            + " needs a counter; " + spec.alias() + " is " + article(kind) + ", use delta or avg_over_time");
      }
      BucketGrid grid = ctx.grid;
      int n = grid.count();
      long window = spec.range() == null ? grid.stepMs() : spec.range().toMillis();
      long shift = spec.offsetMs();
      double[] values = new double[n];
      long[] times = new long[n];
      boolean increases = kind == MetricKind.COUNTER;
      ctx.store.scan(spec.metric(), spec.filter(), grid.startMs() - shift - window, grid.endMs() - shift, part, parts,
          (labels, k, t, v, count) -> {
            ctx.budget.scanned(count);
            boolean any = false;
            int from = 0;
            int to = 0;
            for (int b = 0; b < n; b++) {
              long end = grid.bucketStart(b) + grid.stepMs() - shift;
              while (from < count && t[from] < end - window) {
                from++;
              }
              if (to < from) {
                to = from;
              }
              while (to < count && t[to] < end) {
                to++;
              }
              values[b] = apply(v, t, from, to, window, increases);
              times[b] = to > from ? t[to - 1] : 0;
              any |= !Double.isNaN(values[b]);
            }
            if (any) {
              sink.series(labels, values, times);
            }
          });
    }

    /** The function over samples {@code [from, to)}; NaN when there are too few. */
    private double apply(double[] v, long[] t, int from, int to, long windowMs, boolean increases) {
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      int count = 0;
      int last = -1;
      int previous = -1;
      int first = -1;
      for (int i = from; i < to; i++) {
        double x = v[i];
        if (StaleMarker.is(x) || Double.isNaN(x)) {
          continue;
        }
        if (first < 0) {
          first = i;
        }
        previous = last;
        last = i;
        sum += x;
        min = Math.min(min, x);
        max = Math.max(max, x);
        count++;
      }
      if (count == 0) {
        return Double.NaN;
      }
      return switch (function) {
        case INCREASE -> sum;
        case RATE -> sum / (windowMs / 1000.0);
        case IRATE -> previous < 0 ? Double.NaN : v[last] / ((t[last] - t[previous]) / 1000.0);
        case DELTA -> increases ? sum : (count < 2 ? Double.NaN : v[last] - v[first]);
        case MIN_OVER_TIME -> min;
        case MAX_OVER_TIME -> max;
        case SUM_OVER_TIME -> sum;
        case AVG_OVER_TIME -> sum / count;
      };
    }
  }

  /** An element-wise function of another series node: per_sec, per_min, abs, log… */
  static final class Elementwise extends SeriesNode {
    private final SeriesNode source;
    private final Function<EvalContext, DoubleUnaryOperator> function;

    /** {@code function} may depend on the evaluation, as per_min depends on the bucket width. */
    Elementwise(SeriesNode source, Function<EvalContext, DoubleUnaryOperator> function) {
      this.source = source;
      this.function = function;
    }

    @Override
    MetricKind kind(EvalContext ctx) {
      return source.kind(ctx);
    }

    @Override
    List<String> by() {
      return source.by();
    }

    @Override
    int seriesCount(EvalContext ctx) {
      return source.seriesCount(ctx);
    }

    @Override
    void scan(EvalContext ctx, int part, int parts, Sink sink) {
      DoubleUnaryOperator f = function.apply(ctx);
      source.scan(ctx, part, parts, (labels, values, times) -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = f.applyAsDouble(values[i]);
        }
        sink.series(labels, values, times);
      });
    }
  }

  static String article(MetricKind kind) {
    return switch (kind) {
      case ADDITIVE -> "an additive sum";
      case COUNTER -> "a counter";
      case GAUGE -> "a gauge";
      case HISTOGRAM -> "a histogram";
    };
  }

  /** Grids of at most this many buckets have their per-series values read once and shared. */
  static final int MATERIALIZE_BUCKETS = 16;

  /** Per-series values of one selector over a small grid, kept for the rest of an evaluation. */
  static final class Materialized {
    private final int buckets;
    private final List<Labels> labels;
    private double[] values;
    private long[] times;

    Materialized(int buckets, int expectedSeries) {
      this.buckets = buckets;
      this.labels = new ArrayList<>(expectedSeries);
      this.values = new double[expectedSeries * buckets];
      this.times = new long[expectedSeries * buckets];
    }

    void add(Labels series, double[] v, long[] t) {
      int at = labels.size() * buckets;
      if (at + buckets > values.length) {
        int capacity = Math.max(at + buckets, values.length * 2);
        values = Arrays.copyOf(values, capacity);
        times = Arrays.copyOf(times, capacity);
      }
      System.arraycopy(v, 0, values, at, buckets);
      System.arraycopy(t, 0, times, at, buckets);
      labels.add(series);
    }

    Materialized concat(Materialized other) {
      int at = labels.size() * buckets;
      int more = other.labels.size() * buckets;
      if (at + more > values.length) {
        values = Arrays.copyOf(values, at + more);
        times = Arrays.copyOf(times, at + more);
      }
      System.arraycopy(other.values, 0, values, at, more);
      System.arraycopy(other.times, 0, times, at, more);
      labels.addAll(other.labels);
      return this;
    }

    int size() {
      return labels.size();
    }

    int buckets() {
      return buckets;
    }

    /** The series in the order they were read; the same order each cycle while the store's series do not change. */
    List<Labels> labels() {
      return labels;
    }

    /** Adds the values of the series at {@code i} to {@code accumulator}. */
    void addTo(int i, Combiner.Accumulator accumulator) {
      accumulator.add(values, times, i * buckets);
    }

    void replay(int part, int parts, Sink sink) {
      int n = labels.size();
      double[] v = new double[buckets];
      long[] t = new long[buckets];
      for (int i = (int) ((long) n * part / parts); i < (int) ((long) n * (part + 1) / parts); i++) {
        System.arraycopy(values, i * buckets, v, 0, buckets);
        System.arraycopy(times, i * buckets, t, 0, buckets);
        sink.series(labels.get(i), v, t);
      }
    }
  }

  /**
   * A selector as the plan needs it: metric name, filter (where and inline), window, offset.
   *
   * @param key what it reads, for sharing: metric, filters, window and offset, not the grouping
   */
  record SelectorSpec(String alias, String metric, Predicate<Labels> filter, Duration range, Duration offset,
      List<String> by, Position position, String key) {

    long offsetMs() {
      return offset == null ? 0 : offset.toMillis();
    }

    SelectorSpec withBy(List<String> more) {
      if (more.isEmpty()) {
        return this;
      }
      List<String> all = new ArrayList<>(by);
      all.addAll(more);
      return new SelectorSpec(alias, metric, filter, range, offset, all, position, key);
    }

    MetricKind kind(EvalContext ctx) {
      return ctx.store.kindOf(metric);
    }

    /** The kind, checked to be scalar; null when the store has no such metric (no data). */
    MetricKind scalarKind(EvalContext ctx) {
      MetricKind kind = kind(ctx);
      if (kind == MetricKind.HISTOGRAM) {
        throw new QueryException(position, alias + " is a histogram; read it with p50, p75, p90, p95, p99, "
            + "count, sum or avg");
      }
      return kind;
    }
  }
}
