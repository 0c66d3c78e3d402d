package io.tocsin.query.promql;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Expr;
import io.tocsin.query.ast.MetricDeclaration;
import io.tocsin.query.ast.Part;
import io.tocsin.store.MetricKind;
import io.tocsin.store.PrometheusKinds;
import io.tocsin.util.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Translates a checked monitor query into one PromQL expression per column, for a range query
 * whose {@code step} is the grouping interval and whose evaluation times are the buckets' last
 * milliseconds (bucket end - 1 ms): a range selector {@code [step]} then covers exactly a bucket,
 * {@code [start, end)}, as the local store reads it. Each construct is mirrored on the local
 * planner's rules: a series' value per bucket (counter: its increase; gauge: its last sample),
 * combined within a group as its kind says (counters add up, gauges average), functions per
 * series or per group as they apply locally. A construct whose PromQL would give other values
 * is refused with its position; docs/datasources.md holds the table. Pure: sees only the AST.
 */
public final class PromQlTranslator {
  /** A translated column. {@code groupBy}: the attributes its groups are keyed by, sorted. */
  public record Column(String name, boolean helper, List<String> groupBy, String promql) {}

  private static final Set<String> AGGREGATIONS = Set.of("sum", "avg", "min", "max", "count", "median");
  private static final Set<String> WINDOWS = Set.of("increase", "rate", "irate", "delta",
      "min_over_time", "max_over_time", "sum_over_time", "avg_over_time");
  private static final Map<String, String> MATH = Map.of("abs", "abs", "ceil", "ceil", "floor", "floor",
      "exp", "exp", "sqrt", "sqrt", "log", "ln", "log2", "log2", "log10", "log10");

  /** Per-series PromQL before grouping (a bare metric, a window, a function of either). */
  private record Series(String text, boolean atomic, MetricKind kind, List<String> by) {}

  /** Grouped values ({@code grouping} non-null) or a number (null). */
  private record Value(String text, boolean atomic, List<String> grouping) {}

  private final Map<String, String> metricsByAlias = new HashMap<>();
  private final List<String> where = new ArrayList<>();
  private final List<String> groupBy = new ArrayList<>();
  private final Duration step;
  private final Map<String, MetricKind> kinds;
  private final Map<String, Value> columns = new HashMap<>();

  private PromQlTranslator(Duration step, Map<String, MetricKind> kinds) {
    this.step = step;
    this.kinds = kinds;
  }

  /**
   * Every column of the query ({@code items}: the parsed parts of each query item) as PromQL.
   * {@code kinds} overrides the suffix rule of {@link PrometheusKinds} per metric name. A construct
   * without a faithful translation is a {@link QueryException} at its position, in its item.
   */
  public static List<Column> translate(List<MetricDeclaration> metrics, List<List<Part>> items, Duration step,
      Map<String, MetricKind> kinds) {
    PromQlTranslator t = new PromQlTranslator(step, kinds);
    metrics.forEach(m -> t.metricsByAlias.put(m.alias(), m.metric()));
    for (int i = 0; i < items.size(); i++) {
      for (Part part : items.get(i)) {
        try {
          if (part instanceof Part.GroupBy g) {
            t.groupBy.addAll(g.attributes());
          } else if (part instanceof Part.Where w) {
            Matchers.append(w.filter(), t.where);
          }
        } catch (QueryException e) {
          throw e.in(QueryException.Source.QUERY, i);
        }
      }
    }
    List<Column> result = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      for (Part part : items.get(i)) {
        if (part instanceof Part.Column c) {
          try {
            result.add(t.column(c));
          } catch (QueryException e) {
            throw e.in(QueryException.Source.QUERY, i);
          }
        }
      }
    }
    return List.copyOf(result);
  }

  private Column column(Part.Column column) {
    List<String> context = union(groupBy, column.groupBy());
    Value value = toValue(plan(column.expr(), context), context);
    columns.put(column.name(), value);
    return new Column(column.name(), column.isHelper(), value.grouping() == null ? List.of() : value.grouping(),
        value.text());
  }

  private Object plan(Expr expr, List<String> context) {
    if (expr instanceof Expr.Number n) {
      return new Value(number(n.value()), true, null);
    }
    if (expr instanceof Expr.Selector s) {
      MetricKind kind = kindOf(s);
      return new Series(reading(s, kind), true, kind, s.by());
    }
    if (expr instanceof Expr.ColumnRef c) {
      Value v = columns.get(c.name());
      if (v == null) {
        throw new QueryException(c.position(), "unknown column '" + c.name() + "'");
      }
      return v;
    }
    if (expr instanceof Expr.Negate n) {
      Value v = toValue(plan(n.operand(), context), context);
      return new Value("-" + paren(v.text(), v.atomic()), false, v.grouping());
    }
    if (expr instanceof Expr.Binary b) {
      return binary(b, toValue(plan(b.left(), context), context), toValue(plan(b.right(), context), context));
    }
    return call((Expr.Call) expr, context);
  }

  /** A metric per series and bucket: a counter's increase in the bucket, a gauge's last sample. */
  private String reading(Expr.Selector s, MetricKind kind) {
    return switch (kind) {
      case COUNTER -> "increase(" + range(s, step) + ")";
      case GAUGE -> "last_over_time(" + range(s, step) + ")";
      default -> throw histogram(s);
    };
  }

  private QueryException histogram(Expr.Selector s) {
    return new QueryException(s.position(), s.alias() + " (" + metricsByAlias.get(s.alias())
        + ") is a histogram's buckets; histograms are not translated to PromQL yet, query the local store");
  }

  private MetricKind kindOf(Expr.Selector s) {
    String metric = metricsByAlias.get(s.alias());
    if (metric == null) {
      throw new QueryException(s.position(), "unknown metric alias " + s.alias());
    }
    // A datasource's kinds: override the rule remote write applies too; a _bucket series is
    // taken to have its le label, which a query cannot tell.
    MetricKind kind = kinds.get(metric);
    return kind != null ? kind : PrometheusKinds.kindOf(metric, null, metric.endsWith("_bucket"));
  }

  private Value toValue(Object planned, List<String> context) {
    if (planned instanceof Series s) {
      List<String> grouping = union(context, s.by());
      return aggregate(s.kind() == MetricKind.COUNTER ? "sum" : "avg", grouping, s.text());
    }
    return (Value) planned;
  }

  private static Value aggregate(String fn, List<String> grouping, String argument) {
    String by = grouping.isEmpty() ? "" : " by (" + String.join(", ", grouping) + ")";
    String text = fn.equals("median")
        ? "quantile" + by + " (0.5, " + argument + ")"
        : fn + by + " (" + argument + ")";
    return new Value(text, true, grouping);
  }

  private Object call(Expr.Call call, List<String> context) {
    String fn = call.function();
    List<String> grouping = union(context, call.by());
    if (fn.equals("last")) {
      throw new QueryException(call.position(), "last has no PromQL equivalent: PromQL cannot pick the series "
          + "with the latest sample; use max, min or avg");
    }
    if (fn.equals("uniq") || fn.startsWith("p") && fn.length() == 3 && Character.isDigit(fn.charAt(1))) {
      throw new QueryException(call.position(), fn + " is not translated to PromQL yet; query the local store");
    }
    Expr arg = call.args().get(0);
    if (WINDOWS.contains(fn)) {
      return window(call, (Expr.Selector) arg);
    }
    if (fn.equals("per_sec") || fn.equals("per_min")) {
      double seconds = fn.equals("per_sec") ? 1 : 60;
      String factor = number(seconds / (step.toMillis() / 1000.0));
      return elementwise(call, plan(arg, grouping), x -> paren(x.text, x.atomic) + " * " + factor);
    }
    if (MATH.containsKey(fn)) {
      String promFn = MATH.get(fn);
      return elementwise(call, plan(arg, grouping), x -> promFn + "(" + x.text + ")");
    }
    if (fn.equals("trunc")) {
      // PromQL has no trunc; toward zero is the sign times the floor of the magnitude.
      return elementwise(call, plan(arg, grouping), x -> "sgn(" + x.text + ") * floor(abs(" + x.text + "))");
    }
    if (!AGGREGATIONS.contains(fn)) {
      throw new QueryException(call.position(), fn + " has no PromQL translation");
    }
    // As locally: avg(sum($m by (a, b)) by (a)) sums by (a, b), then averages by (a).
    if (arg instanceof Expr.Call inner && !inner.by().isEmpty() && isAggregation(inner.function())) {
      grouping = union(grouping, inner.by());
      arg = new Expr.Call(inner.function(), inner.args(), List.of(), inner.position());
    }
    if (arg instanceof Expr.Selector s && s.range() == null) {
      return aggregate(fn, union(grouping, s.by()), reading(s, kindOf(s)));
    }
    Object planned = plan(arg, context);
    if (planned instanceof Series s) {
      return aggregate(fn, union(grouping, s.by()), s.text());
    }
    return aggregate(fn, grouping, ((Value) planned).text());
  }

  private static boolean isAggregation(String fn) {
    return AGGREGATIONS.contains(fn) || fn.equals("last") || fn.equals("uniq")
        || fn.startsWith("p") && fn.length() == 3 && Character.isDigit(fn.charAt(1));
  }

  private record Text(String text, boolean atomic) {}

  private static Object elementwise(Expr.Call call, Object planned, Function<Text, String> f) {
    if (planned instanceof Series s) {
      return new Series(f.apply(new Text(s.text(), s.atomic())), false, s.kind(), s.by());
    }
    Value v = (Value) planned;
    if (v.grouping() == null) {
      throw new QueryException(call.position(), call.function() + " of a number alone has no PromQL translation; "
          + "write the resulting number");
    }
    return new Value(f.apply(new Text(v.text(), v.atomic())), false, v.grouping());
  }

  /** rate, increase, *_over_time...: per series over a window ending at the bucket's end. */
  private Series window(Expr.Call call, Expr.Selector s) {
    String fn = call.function();
    MetricKind kind = kindOf(s);
    if (kind == MetricKind.HISTOGRAM) {
      throw histogram(s);
    }
    Duration window = s.range() == null ? step : s.range();
    String selector = range(s, window);
    List<String> by = union(s.by(), call.by());
    boolean counter = kind == MetricKind.COUNTER;
    String text;
    if (fn.equals("increase") || fn.equals("rate") || fn.equals("irate")) {
      if (!counter) {
        throw new QueryException(s.position(), fn + " needs a counter; " + s.alias() + " ("
            + metricsByAlias.get(s.alias()) + ") is a gauge: counters end in _total, _count or _sum, "
            + "or are declared under the datasource's kinds");
      }
      text = fn.equals("irate") ? "irate(" + selector + ")"
          : fn.equals("rate") ? "increase(" + selector + ") / " + number(window.toMillis() / 1000.0)
          : "increase(" + selector + ")";
      return new Series(text, !fn.equals("rate"), kind, by);
    }
    if (counter) {
      // Locally a counter's samples are its increases: their sum is the increase; nothing else maps.
      if (fn.equals("delta") || fn.equals("sum_over_time")) {
        return new Series("increase(" + selector + ")", true, kind, by);
      }
      throw new QueryException(call.position(), fn + " of a counter reads its per-sample increases locally, "
          + "which PromQL does not keep; use increase or rate");
    }
    if (fn.equals("delta")) {
      throw new QueryException(call.position(), "delta of a gauge has no faithful PromQL translation "
          + "(PromQL's delta extrapolates); use max_over_time and min_over_time");
    }
    return new Series(fn + "(" + selector + ")", true, kind, by);
  }

  private Value binary(Expr.Binary b, Value l, Value r) {
    Expr.BinaryOp op = b.op();
    String symbol = op.symbol() + (op.isComparison() ? " bool" : "");
    String left = paren(l.text(), l.atomic());
    String right = paren(r.text(), r.atomic());
    if (l.grouping() == null || r.grouping() == null) {
      if ((op == Expr.BinaryOp.ADD || op == Expr.BinaryOp.SUB) && (l.grouping() != null || r.grouping() != null)) {
        throw new QueryException(b.position(), "'" + op.symbol() + "' between groups and a number reads a missing "
            + "value as 0 in Tocsin, which a PromQL range query cannot; move the number into the threshold");
      }
      return new Value(left + " " + symbol + " " + right, false, l.grouping() == null ? r.grouping() : l.grouping());
    }
    if (l.grouping().equals(r.grouping())) {
      if (op == Expr.BinaryOp.ADD || op == Expr.BinaryOp.SUB) {
        // A group missing on one side reads as 0 there, unless both are missing.
        String rightAlone = op == Expr.BinaryOp.ADD ? right : "-" + right;
        return new Value(left + " " + symbol + " " + right + " or " + left + " or " + rightAlone, false,
            l.grouping());
      }
      return new Value(left + " " + symbol + " " + right, false, l.grouping());
    }
    if (op == Expr.BinaryOp.ADD || op == Expr.BinaryOp.SUB) {
      throw new QueryException(b.position(), "'" + op.symbol() + "' between groups by " + group(l.grouping())
          + " and by " + group(r.grouping()) + " reads a missing finer group as 0, which PromQL cannot; "
          + "group both sides by the same attributes");
    }
    boolean leftFiner = l.grouping().containsAll(r.grouping());
    List<String> coarse = leftFiner ? r.grouping() : l.grouping();
    String matching = " on(" + String.join(", ", coarse) + ") " + (leftFiner ? "group_left" : "group_right");
    return new Value(left + " " + symbol + matching + " " + right, false, leftFiner ? l.grouping() : r.grouping());
  }

  private static String group(List<String> grouping) {
    return "(" + String.join(", ", grouping) + ")";
  }

  /** {@code metric{matchers}[window] offset o}. */
  private String range(Expr.Selector s, Duration window) {
    String metric = metricsByAlias.get(s.alias());
    List<String> matchers = new ArrayList<>(where);
    if (s.filter() != null) {
      Matchers.append(s.filter(), matchers);
    }
    StringBuilder sb = new StringBuilder();
    if (metric.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
      sb.append(metric);
    } else {
      matchers.add(0, "__name__=" + Matchers.string(metric));
    }
    if (!matchers.isEmpty() || sb.length() == 0) {
      sb.append('{').append(String.join(", ", matchers)).append('}');
    }
    sb.append('[').append(duration(window)).append(']');
    if (s.offset() != null) {
      sb.append(" offset ").append(duration(s.offset()));
    }
    return sb.toString();
  }

  static String duration(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** A number as Go reads it back to the same double. */
  static String number(double x) {
    if (x == Math.rint(x) && Math.abs(x) < 1e15) {
      return Long.toString((long) x);
    }
    return Double.toString(x);
  }

  private static String paren(String text, boolean atomic) {
    return atomic ? text : "(" + text + ")";
  }

  private static List<String> union(List<String> a, List<String> b) {
    TreeSet<String> all = new TreeSet<>();
    a.forEach(x -> all.add(Names.normalize(x)));
    b.forEach(x -> all.add(Names.normalize(x)));
    return List.copyOf(all);
  }
}
