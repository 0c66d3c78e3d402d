package io.tocsin.query.ast;

import java.util.List;

/** One part of a query item: {@code group by}, {@code where}, or a column expression. */
public sealed interface Part permits Part.GroupBy, Part.Where, Part.Column {
  Position position();

  /** {@code group by a, b}: every column is grouped by these attributes too. */
  record GroupBy(List<String> attributes, Position position) implements Part {
    public GroupBy {
      attributes = List.copyOf(attributes);
    }
  }

  /** {@code where <filter>}: only series matching the filter take part in any column. */
  record Where(Filter filter, Position position) implements Part {}

  /**
   * {@code <expr> [as alias] [group by a, b]}: a column of the result.
   *
   * @param alias the name given with {@code as}, or null
   * @param groupBy attributes this column alone is grouped by
   */
  record Column(Expr expr, String alias, List<String> groupBy, Position position) implements Part {
    public Column {
      groupBy = List.copyOf(groupBy);
    }

    /** The alias, or the expression's canonical text: {@code $redis_up}, {@code per_min($hits)}. */
    public String name() {
      return alias != null ? alias : AstPrinter.print(expr);
    }

    /** Columns whose name starts with {@code _} help compute others and are never checked. */
    public boolean isHelper() {
      return name().startsWith("_");
    }
  }
}
