package io.tocsin.query.eval;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Expr.BinaryOp;
import io.tocsin.query.ast.Position;
import io.tocsin.store.HistogramSample;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.store.SumVisitor;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Values per group and bucket (or a scalar): what columns and operators work with. */
abstract class ValueNode {
  /**
   * Identifies what this node computes (canonical expression text and grouping), so that an
   * expression written twice, like {@code $hits} in {@code $hits / ($hits + $misses)}, is
   * evaluated once per evaluation; null when not worth remembering.
   */
  private String memoKey;

  /** The attributes the result is grouped by; null for a scalar. Known before evaluation. */
  abstract Grouping grouping();

  /** Computes the result; callers use {@link #evaluate}. */
  abstract Groups eval(EvalContext ctx);

  final Groups evaluate(EvalContext ctx) {
    return memoKey == null ? eval(ctx) : ctx.memoized(memoKey, () -> eval(ctx));
  }

  ValueNode memoizedAs(String key) {
    this.memoKey = key;
    return this;
  }

  /** A number. */
  static final class Constant extends ValueNode {
    private final double value;

    Constant(double value) {
      this.value = value;
    }

    @Override
    Grouping grouping() {
      return null;
    }

    @Override
    Groups eval(EvalContext ctx) {
      ctx.budget.building(ctx.buckets());
      return Groups.scalar(value, ctx.buckets());
    }
  }

  /**
   * Series folded into groups. With no combiner given, series combine as their kind says:
   * counters and additive sums add up, gauges average.
   */
  static final class Aggregate extends ValueNode {
    /** A fold by a finer grouping is used only when it leaves at most this share of the series as groups. */
    private static final int SHARED_FOLD_SERIES_PER_GROUP = 4;
    /** Stands for a shared fold that was not worth keeping. */
    private static final Map<Object, Combiner.Accumulator> TOO_FINE = Collections.unmodifiableMap(new HashMap<>());

    /** The series folded into groups by {@code by}, on as many threads as pay. */
    private Map<Object, Combiner.Accumulator> fold(EvalContext ctx, Combiner c, Grouping by) {
      int parts = ctx.shareWork() && source.seriesCount(ctx) >= PARALLEL_SCAN_SERIES
          ? Runtime.getRuntime().availableProcessors() : 1;
      return IntStream.range(0, parts).parallel()
          .mapToObj(part -> fold(ctx, c, by, part, parts))
          .reduce(Aggregate::mergeInto).orElseThrow();
    }

    private Map<Object, Combiner.Accumulator> fold(EvalContext ctx, Combiner c, Grouping by, int part, int parts) {
      GroupFinder groups = new GroupFinder(ctx, c, by);
      if (c != Combiner.SUM || !source.scanSums(ctx, part, parts, groups)) {
        source.scan(ctx, part, parts, (labels, values, times) -> groups.of(labels).add(values, times));
      }
      return groups.found;
    }

    /**
     * The accumulator of each series' group, found by a probe of the map; the group of the
     * series before is checked first, since a scan meets the series of a group one after
     * another. As the target of a {@link SeriesNode#scanSums}, which asks before it knows
     * whether a series has values, a new group joins the map only once one of its series added
     * a value; until then its accumulator waits, empty, for the next new group.
     */
    private static final class GroupFinder implements SumVisitor {
      final Map<Object, Combiner.Accumulator> found = new HashMap<>();
      private final EvalContext ctx;
      private final Combiner combiner;
      private final GroupProbe probe;
      /** The group of the series the probe last described. */
      private Combiner.Accumulator last;
      /** A new group's accumulator, not in the map yet; empty while it is. */
      private Combiner.Accumulator waiting;

      GroupFinder(EvalContext ctx, Combiner combiner, Grouping by) {
        this.ctx = ctx;
        this.combiner = combiner;
        this.probe = new GroupProbe(by);
      }

      /** The accumulator of the group of a series with these labels, a new one if the group is new. */
      Combiner.Accumulator of(Labels labels) {
        Combiner.Accumulator accumulator = find(labels);
        joinWaiting();
        return accumulator;
      }

      @Override
      public Combiner.Accumulator sumsFor(Labels labels) {
        return find(labels);
      }

      @Override
      public void scanned(int samples) {
        ctx.budget.scanned(samples);
        joinWaiting();
      }

      private Combiner.Accumulator find(Labels labels) {
        if (last != null && probe.sameGroup(labels)) {
          return last;
        }
        Combiner.Accumulator accumulator = found.get(probe.of(labels));
        if (accumulator == null) {
          if (waiting == null) {
            ctx.budget.building(ctx.buckets());
            waiting = combiner.accumulator(ctx.buckets());
          }
          accumulator = waiting;
        }
        last = accumulator;
        return accumulator;
      }

      /** Puts the waiting accumulator, if the last series' group's, into the map. */
      private void joinWaiting() {
        if (waiting != null && waiting == last) {
          found.put(probe.key(), waiting);
          waiting = null;
        }
      }
    }

    /**
     * The groups folded from a fold of the series by a finer grouping that other aggregations of
     * the evaluation share ({@link SharedFolds}); null when there is none worth using.
     */
    private Map<Object, Combiner.Accumulator> sharedFold(EvalContext ctx, Combiner c) {
      String series = source.sharedKey(ctx);
      if (series == null) {
        return null;
      }
      String sourceKey = series + " " + c;
      Grouping finer = ctx.folds.foldBy(sourceKey, grouping, ctx.grid.endMs());
      if (finer.equals(grouping)) {
        return foldKnownGroups(ctx, c, grouping, series); // this aggregation's result is shared already
      }
      // A fold that leaves about a group per series is not kept for the cycle (it would hold an
      // accumulator per series): TOO_FINE stands for it, and each aggregation folds the series.
      Map<Object, Combiner.Accumulator> fine = ctx.memoized(sourceKey + " by " + finer, () -> {
        Map<Object, Combiner.Accumulator> folded = foldKnownGroups(ctx, c, finer, series);
        if (folded == null) {
          folded = fold(ctx, c, finer);
        }
        return (long) folded.size() * SHARED_FOLD_SERIES_PER_GROUP > source.seriesCount(ctx) ? TOO_FINE : folded;
      });
      if (fine == TOO_FINE) {
        ctx.folds.tooFine(sourceKey, finer);
        return null;
      }
      // The shared groups are read, never changed or finished (finish hands over an accumulator's
      // array): each coarser group starts from an empty accumulator and merges theirs in.
      Map<Object, Combiner.Accumulator> groups = new HashMap<>();
      GroupProbe probe = new GroupProbe(grouping);
      fine.forEach((key, accumulator) -> {
        Combiner.Accumulator group = groups.get(probe.of((Labels) key));
        if (group == null) {
          ctx.budget.building(ctx.buckets());
          group = c.accumulator(ctx.buckets());
          groups.put(probe.key(), group);
        }
        group.merge(accumulator);
      });
      return groups;
    }

    /**
     * The series that {@code series} names, read once this evaluation, folded by {@code by} with
     * the group of each series as the last cycle found it ({@link SeriesGroups}); null when their
     * values are not kept.
     */
    private Map<Object, Combiner.Accumulator> foldKnownGroups(EvalContext ctx, Combiner c, Grouping by, String series) {
      SeriesNode.Materialized all = source.materialized(ctx);
      if (all == null) {
        return null;
      }
      SeriesGroups known = ctx.folds.seriesGroups(series, by, ctx.grid.endMs());
      synchronized (known) {
        Map<Object, Combiner.Accumulator> folded = known.fold(all, c, ctx.budget);
        if ((long) known.groupCount() * SHARED_FOLD_SERIES_PER_GROUP > all.size()) {
          known.forget(); // about a group per series: not worth an entry per series across cycles
        }
        return folded;
      }
    }

    private static Map<Object, Combiner.Accumulator> mergeInto(
        Map<Object, Combiner.Accumulator> into, Map<Object, Combiner.Accumulator> from) {
      from.forEach((key, accumulator) -> into.merge(key, accumulator, Combiner.Accumulator::merge));
      return into;
    }

    private final SeriesNode source;
    private final Combiner combiner;
    private final Grouping grouping;

    Aggregate(SeriesNode source, Combiner combiner, Grouping grouping) {
      this.source = source;
      this.combiner = combiner;
      this.grouping = grouping;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      MetricKind kind = source.kind(ctx);
      if (kind == null) {
        return Groups.empty(grouping);
      }
      Combiner c = combiner != null ? combiner : kind == MetricKind.GAUGE ? Combiner.AVG : Combiner.SUM;
      Map<Object, Combiner.Accumulator> groups = sharedFold(ctx, c);
      if (groups == null) {
        groups = fold(ctx, c, grouping);
      }
      Map<Labels, double[]> result = new HashMap<>(groups.size() * 4 / 3 + 1);
      groups.forEach((key, accumulator) -> result.put((Labels) key, accumulator.finish()));
      return new Groups(grouping, result);
    }
  }

  /** Scans of fewer series run on one thread; splitting them costs more than it saves. */
  static final int PARALLEL_SCAN_SERIES = 20_000;

  /** Groups folded into coarser groups: {@code avg(sum($m by (a, b)) by (a))}. */
  static final class Regroup extends ValueNode {
    private final ValueNode source;
    private final Combiner combiner;
    private final Grouping grouping;

    Regroup(ValueNode source, Combiner combiner, Grouping grouping) {
      this.source = source;
      this.combiner = combiner;
      this.grouping = grouping;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      Groups input = source.evaluate(ctx);
      Map<Labels, Combiner.Accumulator> groups = new HashMap<>();
      input.values.forEach((labels, values) -> groups.computeIfAbsent(grouping.key(labels), k -> {
        ctx.budget.building(values.length);
        return combiner.accumulator(values.length);
      }).add(values, null));
      Map<Labels, double[]> result = new HashMap<>();
      groups.forEach((key, accumulator) -> result.put(key, accumulator.finish()));
      return new Groups(grouping, result);
    }
  }

  /** Histograms merged per group and bucket, then read: a percentile, or count, sum or avg. */
  static final class HistogramStat extends ValueNode {
    private final SeriesNode.SelectorSpec spec;
    private final String function;
    private final double quantile;
    private final Grouping grouping;
    private final Position position;

    /** {@code function}: {@code count}, {@code sum}, {@code avg}, or a percentile with {@code quantile}. */
    HistogramStat(SeriesNode.SelectorSpec spec, String function, double quantile, Grouping grouping, Position position) {
      this.position = position;
      this.spec = spec;
      this.function = function;
      this.quantile = quantile;
      this.grouping = grouping;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      MetricKind kind = spec.kind(ctx);
      if (kind != null && kind != MetricKind.HISTOGRAM) {
        throw new QueryException(position, function + " needs a histogram; " + spec.alias() + " is "
            + SeriesNode.article(kind));
      }
      int n = ctx.buckets();
      long shift = spec.offsetMs();
      Map<Labels, HistogramSample[]> merged = new HashMap<>();
      ctx.store.scanHistograms(spec.metric(), spec.filter(), ctx.grid.startMs() - shift, ctx.grid.endMs() - shift,
          (labels, times, samples, count) -> {
            ctx.budget.scanned(count);
            HistogramSample[] group = merged.computeIfAbsent(grouping.key(labels), k -> {
              ctx.budget.building(n);
              return new HistogramSample[n];
            });
            for (int i = 0; i < count; i++) {
              int b = ctx.grid.indexOf(times[i] + shift);
              if (b >= 0 && samples[i] != null) {
                group[b] = group[b] == null ? samples[i] : HistogramSample.merge(group[b], samples[i]);
              }
            }
          });
      Map<Labels, double[]> result = new HashMap<>();
      merged.forEach((key, histograms) -> {
        double[] values = new double[n];
        for (int b = 0; b < n; b++) {
          values[b] = read(histograms[b]);
        }
        result.put(key, values);
      });
      return new Groups(grouping, result);
    }

    private double read(HistogramSample h) {
      if (h == null) {
        return Double.NaN;
      }
      return switch (function) {
        case "count" -> h.count();
        case "sum" -> h.sum();
        case "avg" -> h.count() == 0 ? Double.NaN : h.sum() / h.count();
        default -> Histograms.quantile(quantile, h);
      };
    }
  }

  /**
   * An aggregation of a metric whose kind decides the reading: {@code count}, {@code sum} and
   * {@code avg} of a histogram read its observations; of anything else, its series.
   */
  static final class SelectorAggregate extends ValueNode {
    private final SeriesNode.SelectorSpec spec;
    private final String function;
    private final Grouping grouping;
    private final Position position;

    SelectorAggregate(SeriesNode.SelectorSpec spec, String function, Grouping grouping, Position position) {
      this.spec = spec;
      this.function = function;
      this.grouping = grouping;
      this.position = position;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      if (spec.kind(ctx) == MetricKind.HISTOGRAM) {
        if (!function.equals("count") && !function.equals("sum") && !function.equals("avg")) {
          throw new QueryException(position, function + " does not apply to histogram " + spec.alias()
              + "; use p50, p75, p90, p95, p99, count, sum or avg");
        }
        return new HistogramStat(spec, function, 0, grouping, position).eval(ctx);
      }
      boolean last = function.equals("last");
      return new Aggregate(new SeriesNode.Selector(spec, last), Combiner.forFunction(function), grouping).eval(ctx);
    }
  }

  /** {@code uniq($m, a, b)}: how many distinct values of (a, b) have data, per group and bucket. */
  static final class Uniq extends ValueNode {
    private final SeriesNode source;
    private final List<String> attributes;
    private final Grouping grouping;

    Uniq(SeriesNode source, List<String> attributes, Grouping grouping) {
      this.source = source;
      this.attributes = attributes;
      this.grouping = grouping;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      int n = ctx.buckets();
      Map<Labels, Map<Labels, BitSet>> seen = new HashMap<>();
      source.scan(ctx, (labels, values, times) -> {
        Labels tuple = attributes.isEmpty() ? labels : labels.keep(attributes);
        Map<Labels, BitSet> tuples = seen.computeIfAbsent(grouping.key(labels), k -> {
          ctx.budget.building(n);
          return new HashMap<>();
        });
        BitSet present = tuples.computeIfAbsent(tuple, k -> {
          ctx.budget.building(n / Long.SIZE + 1); // a word of the bit set holds 64 buckets
          return new BitSet(n);
        });
        for (int b = 0; b < n; b++) {
          if (!Double.isNaN(values[b])) {
            present.set(b);
          }
        }
      });
      Map<Labels, double[]> result = new HashMap<>();
      seen.forEach((key, tuples) -> {
        double[] counts = new double[n];
        Arrays.fill(counts, Double.NaN);
        for (BitSet present : tuples.values()) {
          for (int b = present.nextSetBit(0); b >= 0; b = present.nextSetBit(b + 1)) {
            counts[b] = Double.isNaN(counts[b]) ? 1 : counts[b] + 1;
          }
        }
        result.put(key, counts);
      });
      return new Groups(grouping, result);
    }
  }

  /** An element-wise function of groups: negation, per_min, abs, log… */
  static final class Elementwise extends ValueNode {
    private final ValueNode source;
    private final Function<EvalContext, DoubleUnaryOperator> function;

    /** {@code function} may depend on the evaluation, as per_min depends on the bucket width. */
    Elementwise(ValueNode source, Function<EvalContext, DoubleUnaryOperator> function) {
      this.source = source;
      this.function = function;
    }

    @Override
    Grouping grouping() {
      return source.grouping();
    }

    @Override
    Groups eval(EvalContext ctx) {
      Groups input = source.evaluate(ctx);
      DoubleUnaryOperator f = function.apply(ctx);
      Map<Labels, double[]> result = new HashMap<>();
      input.values.forEach((labels, values) -> {
        ctx.budget.building(values.length);
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
          out[i] = f.applyAsDouble(values[i]);
        }
        result.put(labels, out);
      });
      return new Groups(input.grouping, result);
    }
  }

  /** An earlier column, by its position among the columns. */
  static final class ColumnValue extends ValueNode {
    private final int index;
    private final Grouping grouping;

    ColumnValue(int index, Grouping grouping) {
      this.index = index;
      this.grouping = grouping;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      return ctx.columns.get(index);
    }
  }

  /**
   * A binary operator between groups, matched by labels: one to one when both sides have the
   * same grouping, one to many when one side's attributes are a subset of the other's (each
   * finer group takes the coarser group it falls in); a scalar goes with every group.
   */
  static final class Join extends ValueNode {
    private final BinaryOp op;
    private final ValueNode left;
    private final ValueNode right;
    private final Grouping grouping;

    Join(BinaryOp op, ValueNode left, ValueNode right, Position position) {
      this.op = op;
      this.left = left;
      this.right = right;
      Grouping l = left.grouping();
      Grouping r = right.grouping();
      if (l != null && r != null && !l.includes(r) && !r.includes(l)) {
        throw new QueryException(position, "cannot combine groups by " + l + " with groups by " + r
            + ": one side must be grouped by a subset of the other's attributes");
      }
      this.grouping = l == null ? r : r == null ? l : l.includes(r) ? l : r;
    }

    @Override
    Grouping grouping() {
      return grouping;
    }

    @Override
    Groups eval(EvalContext ctx) {
      Groups l = left.evaluate(ctx);
      Groups r = right.evaluate(ctx);
      int n = ctx.buckets();
      Map<Labels, double[]> result = new HashMap<>();
      if (l.isScalar() && r.isScalar()) {
        ctx.budget.building(n);
        result.put(Labels.EMPTY, combine(l.values.get(Labels.EMPTY), r.values.get(Labels.EMPTY)));
        return new Groups(null, result);
      }
      boolean leftIsFiner = r.isScalar() || (!l.isScalar() && l.grouping.includes(r.grouping));
      Groups fine = leftIsFiner ? l : r;
      Groups coarse = leftIsFiner ? r : l;
      double[] nothing = new double[n];
      Arrays.fill(nothing, Double.NaN);
      boolean oneToOne = !coarse.isScalar() && fine.grouping.equals(coarse.grouping);
      for (Map.Entry<Labels, double[]> entry : fine.values.entrySet()) {
        double[] other = coarse.isScalar() ? coarse.values.get(Labels.EMPTY)
            : coarse.values.getOrDefault(oneToOne ? entry.getKey() : coarse.grouping.key(entry.getKey()), nothing);
        ctx.budget.building(n);
        put(result, entry.getKey(), leftIsFiner ? combine(entry.getValue(), other) : combine(other, entry.getValue()));
      }
      if (oneToOne) {
        // A group on the coarse side alone still counts for + and -.
        for (Map.Entry<Labels, double[]> entry : coarse.values.entrySet()) {
          if (!fine.values.containsKey(entry.getKey())) {
            ctx.budget.building(n);
            put(result, entry.getKey(), leftIsFiner ? combine(nothing, entry.getValue()) : combine(entry.getValue(), nothing));
          }
        }
      }
      return new Groups(grouping, result);
    }

    /** Keeps a group that has a value in some bucket. */
    private static void put(Map<Labels, double[]> result, Labels group, double[] values) {
      for (double v : values) {
        if (!Double.isNaN(v)) {
          result.put(group, values);
          return;
        }
      }
    }

    private double[] combine(double[] a, double[] b) {
      double[] out = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = Operators.apply(op, a[i], b[i]);
      }
      return out;
    }
  }
}
