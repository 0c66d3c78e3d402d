package io.tocsin.query.eval;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.AstPrinter;
import io.tocsin.query.ast.Expr;
import io.tocsin.query.ast.Filter;
import io.tocsin.query.ast.MetricDeclaration;
import io.tocsin.query.ast.Part;
import io.tocsin.query.ast.Position;
import io.tocsin.store.Labels;
import io.tocsin.util.Durations;
import io.tocsin.util.Names;
import io.tocsin.util.Suggestions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Checks a parsed query and turns each column into evaluation nodes: aliases, columns and
 * functions must exist, arguments must fit, and joined groups must be compatible. What depends
 * on the data (a percentile of a gauge) is checked when evaluating.
 */
final class Planner {
  static final Set<String> AGGREGATIONS = Set.of("sum", "avg", "min", "max", "count", "median", "last");
  static final Map<String, Double> PERCENTILES = Map.of("p50", 0.5, "p75", 0.75, "p90", 0.9, "p95", 0.95, "p99", 0.99);
  static final Map<String, SeriesNode.Window.Function> WINDOWS = Map.of(
      "increase", SeriesNode.Window.Function.INCREASE,
      "rate", SeriesNode.Window.Function.RATE,
      "irate", SeriesNode.Window.Function.IRATE,
      "delta", SeriesNode.Window.Function.DELTA,
      "min_over_time", SeriesNode.Window.Function.MIN_OVER_TIME,
      "max_over_time", SeriesNode.Window.Function.MAX_OVER_TIME,
      "sum_over_time", SeriesNode.Window.Function.SUM_OVER_TIME,
      "avg_over_time", SeriesNode.Window.Function.AVG_OVER_TIME);
  static final Map<String, DoubleUnaryOperator> MATH = Map.of(
      "abs", Math::abs, "ceil", Math::ceil, "floor", Math::floor,
      "trunc", x -> x < 0 ? Math.ceil(x) : Math.floor(x),
      "log", Math::log, "log2", x -> Math.log(x) / Math.log(2), "log10", Math::log10,
      "exp", Math::exp, "sqrt", Math::sqrt);
  static final Set<String> FUNCTIONS = allFunctions();

  private final Map<String, String> metricsByAlias = new LinkedHashMap<>();
  private final Filter where;
  private final List<String> groupBy;
  private final Map<String, Integer> columnIndex = new LinkedHashMap<>();
  private final List<Grouping> columnGroupings = new ArrayList<>();
  private Duration lookback = Duration.ZERO;
  private final String memoPrefix;

  Planner(List<MetricDeclaration> metrics, Filter where, List<String> groupBy) {
    for (MetricDeclaration m : metrics) {
      if (metricsByAlias.putIfAbsent(m.alias(), m.metric()) != null) {
        throw new QueryException(m.position(), "alias " + m.alias() + " is declared twice");
      }
    }
    this.where = where;
    this.groupBy = groupBy;
    // Memo keys name the metrics behind the aliases and the filter, so that results are shared
    // only between queries that would compute the same thing.
    this.memoPrefix = metricsByAlias + (where == null ? "" : " where " + AstPrinter.print(where)) + " | ";
  }

  private static Set<String> allFunctions() {
    Set<String> all = new TreeSet<>(AGGREGATIONS);
    all.addAll(PERCENTILES.keySet());
    all.addAll(WINDOWS.keySet());
    all.addAll(MATH.keySet());
    all.add("uniq");
    all.add("per_sec");
    all.add("per_min");
    return all;
  }

  /** The longest window plus offset of any selector: how far before the buckets data is read. */
  Duration lookback() {
    return lookback;
  }

  /** Plans the next column; it may refer to the columns planned before it. */
  ValueNode column(Part.Column column) {
    String name = column.name();
    if (columnIndex.containsKey(name)) {
      throw new QueryException(column.position(), "column '" + name + "' is defined twice");
    }
    Grouping context = new Grouping(groupBy).with(column.groupBy());
    ValueNode node = toValue(plan(column.expr(), context), context, column.expr());
    columnIndex.put(name, columnGroupings.size());
    columnGroupings.add(node.grouping());
    return node;
  }

  /**
   * A {@link SeriesNode} or a {@link ValueNode}. Every computed value is memoized by its
   * canonical text and grouping: an expression written twice, or shared by monitors evaluated
   * together, is computed once.
   */
  private Object plan(Expr expr, Grouping context) {
    Object planned = planUncached(expr, context);
    if (planned instanceof ValueNode node && !(node instanceof ValueNode.Constant) && !(node instanceof ValueNode.ColumnValue)) {
      node.memoizedAs(memoPrefix + AstPrinter.print(expr) + " " + node.grouping());
    }
    return planned;
  }

  private Object planUncached(Expr expr, Grouping context) {
    if (expr instanceof Expr.Number n) {
      return new ValueNode.Constant(n.value());
    }
    if (expr instanceof Expr.Selector s) {
      if (s.range() != null) {
        throw new QueryException(s.position(), "a range such as [" + Durations.format(s.range())
            + "] needs a function that reads windows, such as rate or avg_over_time");
      }
      return new SeriesNode.Selector(spec(s), false);
    }
    if (expr instanceof Expr.ColumnRef c) {
      Integer index = columnIndex.get(c.name());
      if (index == null) {
        throw new QueryException(c.position(), "unknown column '" + c.name() + "'"
            + Suggestions.hint(c.name(), columnIndex.keySet()) + hintForAlias(c.name()));
      }
      return new ValueNode.ColumnValue(index, columnGroupings.get(index));
    }
    if (expr instanceof Expr.Negate n) {
      return new ValueNode.Elementwise(toValue(plan(n.operand(), context), context, n.operand()), ctx -> x -> -x);
    }
    if (expr instanceof Expr.Binary b) {
      return new ValueNode.Join(b.op(), toValue(plan(b.left(), context), context, b.left()),
          toValue(plan(b.right(), context), context, b.right()), b.position());
    }
    return call((Expr.Call) expr, context);
  }

  private String hintForAlias(String name) {
    return metricsByAlias.containsKey("$" + name) ? "; metrics are written with their alias, $" + name : "";
  }

  private Object call(Expr.Call call, Grouping context) {
    String fn = call.function();
    if (!FUNCTIONS.contains(fn)) {
      throw new QueryException(call.position(), "unknown function '" + fn + "'" + Suggestions.hint(fn, FUNCTIONS));
    }
    List<Expr> args = call.args();
    Grouping grouping = context.with(call.by());
    if (fn.equals("uniq")) {
      return uniq(call, grouping);
    }
    if (args.size() != 1) {
      throw new QueryException(call.position(), fn + " takes 1 argument, got " + args.size());
    }
    Expr arg = args.get(0);
    if (PERCENTILES.containsKey(fn)) {
      SeriesNode.SelectorSpec spec = selectorArgument(call, arg, false);
      return new ValueNode.HistogramStat(spec, fn, PERCENTILES.get(fn), grouping.with(spec.by()), call.position());
    }
    if (WINDOWS.containsKey(fn)) {
      boolean needsRange = fn.endsWith("_over_time");
      SeriesNode.SelectorSpec spec = selectorArgument(call, arg, true);
      if (needsRange && spec.range() == null) {
        throw new QueryException(call.position(), fn + " needs a range, e.g. " + fn + "(" + spec.alias() + "[5m])");
      }
      // f($m[5m]) by (a) groups like f($m[5m] by (a)).
      return new SeriesNode.Window(WINDOWS.get(fn), spec.withBy(call.by()));
    }
    if (fn.equals("per_sec") || fn.equals("per_min")) {
      double seconds = fn.equals("per_sec") ? 1 : 60;
      return elementwise(plan(arg, grouping), context, ctx -> {
        double factor = seconds / ctx.stepSeconds();
        return x -> x * factor;
      });
    }
    if (MATH.containsKey(fn)) {
      DoubleUnaryOperator f = MATH.get(fn);
      return elementwise(plan(arg, grouping), context, ctx -> f);
    }
    return aggregation(call, arg, context, grouping);
  }

  /**
   * An aggregation. A {@code by} written on its argument says how this aggregation groups:
   * in {@code avg(sum($m by (a, b)) by (a))} the sum groups by (a, b) and the average by (a).
   */
  private Object aggregation(Expr.Call call, Expr arg, Grouping context, Grouping grouping) {
    String fn = call.function();
    if (arg instanceof Expr.Call inner && !inner.by().isEmpty() && isAggregation(inner.function())) {
      grouping = grouping.with(inner.by());
      arg = new Expr.Call(inner.function(), inner.args(), List.of(), inner.position());
    }
    if (arg instanceof Expr.Selector s && s.range() == null) {
      SeriesNode.SelectorSpec spec = spec(s);
      return new ValueNode.SelectorAggregate(spec, fn, grouping.with(spec.by()), call.position());
    }
    // The argument groups by the column's attributes and its own, not by this aggregation's.
    Object planned = plan(arg, context);
    if (planned instanceof SeriesNode series) {
      if (fn.equals("last")) {
        throw new QueryException(call.position(), "last takes a metric, such as last($m)");
      }
      return new ValueNode.Aggregate(series, Combiner.forFunction(fn), grouping.with(series.by()));
    }
    ValueNode value = (ValueNode) planned;
    if (value.grouping() == null) {
      throw new QueryException(call.position(), fn + " needs a metric or grouped values, not a number");
    }
    if (!value.grouping().includes(grouping)) {
      throw new QueryException(call.position(), "cannot group by " + grouping + " values grouped by "
          + value.grouping() + "; group the inner expression by those attributes too");
    }
    if (fn.equals("last")) {
      throw new QueryException(call.position(), "last takes a metric, such as last($m)");
    }
    return new ValueNode.Regroup(value, Combiner.forFunction(fn), grouping);
  }

  /** Where an expression's text begins: a binary operation's position is its operator's. */
  private static Position start(Expr expr) {
    return expr instanceof Expr.Binary b ? start(b.left()) : expr.position();
  }

  private static boolean isAggregation(String function) {
    return AGGREGATIONS.contains(function) || PERCENTILES.containsKey(function) || function.equals("uniq");
  }

  private Object uniq(Expr.Call call, Grouping grouping) {
    if (call.args().isEmpty()) {
      throw new QueryException(call.position(), "uniq takes a metric and attribute names, e.g. uniq($m, host_name)");
    }
    SeriesNode.SelectorSpec spec = selectorArgument(call, call.args().get(0), false);
    List<String> attributes = new ArrayList<>();
    for (Expr a : call.args().subList(1, call.args().size())) {
      if (!(a instanceof Expr.ColumnRef ref)) {
        throw new QueryException(start(a), "uniq counts attribute values; '" + AstPrinter.print(a)
            + "' is not an attribute name");
      }
      attributes.add(Names.normalize(ref.name()));
    }
    return new ValueNode.Uniq(new SeriesNode.Selector(spec, false), attributes, grouping.with(spec.by()));
  }

  private static Object elementwise(Object planned, Grouping context,
      Function<EvalContext, DoubleUnaryOperator> f) {
    if (planned instanceof SeriesNode series) {
      return new SeriesNode.Elementwise(series, f);
    }
    return new ValueNode.Elementwise((ValueNode) planned, f);
  }

  private SeriesNode.SelectorSpec selectorArgument(Expr.Call call, Expr arg, boolean rangeAllowed) {
    if (!(arg instanceof Expr.Selector s)) {
      throw new QueryException(start(arg), call.function() + " takes a metric such as $m, got '"
          + AstPrinter.print(arg) + "'");
    }
    if (!rangeAllowed && s.range() != null) {
      throw new QueryException(s.position(), call.function() + " does not take a range");
    }
    return spec(s);
  }

  private SeriesNode.SelectorSpec spec(Expr.Selector s) {
    String metric = metricsByAlias.get(s.alias());
    if (metric == null) {
      throw new QueryException(s.position(), "unknown metric alias " + s.alias()
          + Suggestions.hint(s.alias(), metricsByAlias.keySet()) + declaredHint());
    }
    Predicate<Labels> filter = LabelFilters.compile(where);
    if (s.filter() != null) {
      filter = filter.and(LabelFilters.compile(s.filter()));
    }
    Duration reach = (s.range() == null ? Duration.ZERO : s.range()).plus(s.offset() == null ? Duration.ZERO : s.offset());
    if (reach.compareTo(lookback) > 0) {
      lookback = reach;
    }
    Expr.Selector unGrouped = new Expr.Selector(s.alias(), s.filter(), s.range(), s.offset(), List.of(), s.position());
    String key = "series " + metric + " " + (where == null ? "" : AstPrinter.print(where)) + " | " + AstPrinter.print(unGrouped);
    return new SeriesNode.SelectorSpec(s.alias(), metric, filter, s.range(), s.offset(), s.by(), s.position(), key);
  }

  private String declaredHint() {
    return metricsByAlias.isEmpty() ? "; declare it under metrics, e.g. 'my.metric as $m'"
        : "; declared: " + String.join(", ", metricsByAlias.keySet());
  }

  /** Series become groups by the context's attributes and their own, combined as their kind says. */
  private ValueNode toValue(Object planned, Grouping context, Expr expr) {
    if (planned instanceof SeriesNode series) {
      Grouping grouping = context.with(series.by());
      return new ValueNode.Aggregate(series, null, grouping)
          .memoizedAs(memoPrefix + AstPrinter.print(expr) + " " + grouping);
    }
    return (ValueNode) planned;
  }
}
