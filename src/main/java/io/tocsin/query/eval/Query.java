package io.tocsin.query.eval;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Expr;
import io.tocsin.query.ast.Filter;
import io.tocsin.query.ast.MetricDeclaration;
import io.tocsin.query.ast.Part;
import io.tocsin.query.ast.Position;
import io.tocsin.query.parser.QuerySyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A checked query, ready to evaluate: metric declarations ({@code redis_up as $up}) and query
 * items ({@code group by node}, {@code $up as up}). {@code group by} parts apply to every column,
 * {@code where} parts filter every metric, and each remaining part is a column. Immutable.
 */
public final class Query {
  /** A column of the result. */
  public record Column(String name, boolean helper, List<String> groupBy) {}

  private final List<MetricDeclaration> metrics;
  private final List<List<Part>> items;
  private final List<Column> columns;
  private final List<ValueNode> plans;
  private final Duration lookback;

  private Query(List<MetricDeclaration> metrics, List<List<Part>> items, List<Column> columns,
      List<ValueNode> plans, Duration lookback) {
    this.metrics = metrics;
    this.items = items;
    this.columns = columns;
    this.plans = plans;
    this.lookback = lookback;
  }

  /**
   * Parses and checks a query. A problem is a {@link QueryException} whose {@link
   * QueryException#source()} says which metric or item it is in: the first of {@link
   * #compile(List, List, List)}'s.
   */
  public static Query compile(List<String> metricDeclarations, List<String> items) {
    List<QueryException> errors = new ArrayList<>();
    Query query = compile(metricDeclarations, items, errors);
    if (query == null) {
      throw errors.get(0);
    }
    return query;
  }

  /**
   * Parses and checks a query, adding every problem to {@code errors} (null then): each metric
   * declaration and each item that does not parse, and when all parse, each column that cannot be
   * planned (a later column's "unknown column" for one of those is left out: it says nothing new).
   */
  public static Query compile(List<String> metricDeclarations, List<String> items, List<QueryException> errors) {
    int before = errors.size();
    List<MetricDeclaration> metrics = new ArrayList<>();
    for (int i = 0; i < metricDeclarations.size(); i++) {
      try {
        metrics.add(QuerySyntax.parseMetric(metricDeclarations.get(i)));
      } catch (QueryException e) {
        errors.add(e.in(QueryException.Source.METRICS, i));
      }
    }
    List<List<Part>> parsed = new ArrayList<>();
    Filter where = null;
    List<String> groupBy = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        List<Part> parts = QuerySyntax.parseItem(items.get(i));
        parsed.add(parts);
        for (Part part : parts) {
          if (part instanceof Part.GroupBy g) {
            groupBy.addAll(g.attributes());
          } else if (part instanceof Part.Where w) {
            LabelFilters.compile(w.filter()); // reports bad regular expressions and numbers here
            where = where == null ? w.filter() : new Filter.And(where, w.filter(), w.position());
          }
        }
      } catch (QueryException e) {
        errors.add(e.in(QueryException.Source.QUERY, i));
      }
    }
    if (errors.size() > before) {
      return null;
    }
    Planner planner;
    try {
      planner = new Planner(metrics, where, groupBy);
    } catch (QueryException e) {
      errors.add(e.in(QueryException.Source.METRICS, indexOfPosition(metrics, e)));
      return null;
    }
    List<Column> columns = new ArrayList<>();
    List<ValueNode> plans = new ArrayList<>();
    Set<String> failed = new HashSet<>();
    for (int i = 0; i < parsed.size(); i++) {
      for (Part part : parsed.get(i)) {
        if (part instanceof Part.Column c) {
          try {
            ValueNode plan = planner.column(c);
            plans.add(plan);
            Grouping grouping = plan.grouping();
            columns.add(new Column(c.name(), c.isHelper(), grouping == null ? List.of() : grouping.attributes()));
          } catch (QueryException e) {
            boolean followsFromAnother = failed.stream()
                .anyMatch(name -> e.detail().startsWith("unknown column '" + name + "'"));
            failed.add(c.name());
            if (followsFromAnother) {
              continue;
            }
            if (c.expr() instanceof Expr.ColumnRef && parsed.get(i).size() == 1 && i > 0) {
              // "query: [group by a, b, $m]" is three items in YAML: the b lost its group by.
              errors.add(new QueryException(e.position(), e.detail() + "; if it belongs to the group by before it, "
                  + "quote that item: YAML splits [a, b] lists at commas").in(QueryException.Source.QUERY, i));
            } else {
              errors.add(e.in(QueryException.Source.QUERY, i));
            }
          }
        }
      }
    }
    if (errors.size() > before) {
      return null;
    }
    if (columns.isEmpty()) {
      errors.add(new QueryException(Position.UNKNOWN, "the query has no column to compute; "
          + "add an expression such as $m or sum($m)").in(QueryException.Source.QUERY, Math.max(0, items.size() - 1)));
      return null;
    }
    return new Query(List.copyOf(metrics), List.copyOf(parsed), List.copyOf(columns), List.copyOf(plans), planner.lookback());
  }

  private static int indexOfPosition(List<MetricDeclaration> metrics, QueryException e) {
    for (int i = metrics.size() - 1; i >= 0; i--) {
      if (metrics.get(i).position().equals(e.position())) {
        return i;
      }
    }
    return 0;
  }

  public List<MetricDeclaration> metrics() {
    return metrics;
  }

  /** The parsed parts of each query item, in order: what a translation to another language reads. */
  public List<List<Part>> items() {
    return items;
  }

  /** Every column, helpers included, in order. */
  public List<Column> columns() {
    return columns;
  }

  /** How far before the first bucket data is read for windows and offsets. */
  public Duration lookback() {
    return lookback;
  }

  List<ValueNode> plans() {
    return plans;
  }
}
