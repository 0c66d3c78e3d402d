package io.tocsin.query.ast;

import io.tocsin.util.Durations;
import java.util.List;

/**
 * Renders an AST as canonical query text: keywords in lower case, single spaces, double-quoted
 * strings, and parentheses only where precedence needs them. Parsing the output gives the same
 * AST, which is what makes it fit for column names, error messages and the REST API.
 */
public final class AstPrinter {
  private AstPrinter() {}

  public static String print(Part part) {
    if (part instanceof Part.GroupBy g) {
      return "group by " + String.join(", ", g.attributes());
    }
    if (part instanceof Part.Where w) {
      return "where " + print(w.filter());
    }
    Part.Column c = (Part.Column) part;
    StringBuilder sb = new StringBuilder(print(c.expr()));
    if (c.alias() != null) {
      sb.append(" as ").append(c.alias());
    }
    if (!c.groupBy().isEmpty()) {
      sb.append(" group by ").append(String.join(", ", c.groupBy()));
    }
    return sb.toString();
  }

  /** The parts of one query item, joined by {@code |}. */
  public static String print(List<Part> parts) {
    StringBuilder sb = new StringBuilder();
    for (Part part : parts) {
      if (sb.length() > 0) {
        sb.append(" | ");
      }
      sb.append(print(part));
    }
    return sb.toString();
  }

  public static String print(Expr expr) {
    StringBuilder sb = new StringBuilder();
    expr(sb, expr, 0);
    return sb.toString();
  }

  public static String print(Filter filter) {
    StringBuilder sb = new StringBuilder();
    filter(sb, filter, false);
    return sb.toString();
  }

  private static final int UNARY = 4;
  private static final int PRIMARY = 5;

  private static int precedence(Expr expr) {
    if (expr instanceof Expr.Binary b) {
      return b.op().precedence();
    }
    return expr instanceof Expr.Negate ? UNARY : PRIMARY;
  }

  /** Writes {@code expr}, in parentheses when it binds more loosely than {@code minimum}. */
  private static void expr(StringBuilder sb, Expr expr, int minimum) {
    boolean parens = precedence(expr) < minimum;
    if (parens) {
      sb.append('(');
    }
    if (expr instanceof Expr.Number n) {
      sb.append(n.text());
    } else if (expr instanceof Expr.ColumnRef c) {
      sb.append(c.name());
    } else if (expr instanceof Expr.Negate n) {
      sb.append('-');
      expr(sb, n.operand(), UNARY);
    } else if (expr instanceof Expr.Binary b) {
      int p = b.op().precedence();
      expr(sb, b.left(), p);
      sb.append(' ').append(b.op().symbol()).append(' ');
      // Operators associate to the left: an equal-precedence right operand needs parentheses.
      expr(sb, b.right(), p + 1);
    } else if (expr instanceof Expr.Call c) {
      sb.append(c.function()).append('(');
      for (int i = 0; i < c.args().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        expr(sb, c.args().get(i), 0);
      }
      sb.append(')');
      by(sb, c.by());
    } else if (expr instanceof Expr.Selector s) {
      sb.append(s.alias());
      if (s.filter() != null) {
        sb.append('{');
        selectorFilter(sb, s.filter());
        sb.append('}');
      }
      if (s.range() != null) {
        sb.append('[').append(Durations.format(s.range())).append(']');
      }
      if (s.offset() != null) {
        sb.append(" offset ").append(Durations.format(s.offset()));
      }
      by(sb, s.by());
    }
    if (parens) {
      sb.append(')');
    }
  }

  private static void by(StringBuilder sb, List<String> attributes) {
    if (!attributes.isEmpty()) {
      sb.append(" by (").append(String.join(", ", attributes)).append(')');
    }
  }

  /** Inside braces, a top-level conjunction is written with commas. */
  private static void selectorFilter(StringBuilder sb, Filter filter) {
    if (filter instanceof Filter.And and) {
      selectorFilter(sb, and.left());
      sb.append(", ");
      selectorFilter(sb, and.right());
    } else {
      filter(sb, filter, false);
    }
  }

  private static void filter(StringBuilder sb, Filter filter, boolean insideAnd) {
    if (filter instanceof Filter.And a) {
      filter(sb, a.left(), true);
      sb.append(" and ");
      filter(sb, a.right(), true);
    } else if (filter instanceof Filter.Or o) {
      // "and" binds tighter than "or": an "or" under an "and" needs parentheses.
      if (insideAnd) {
        sb.append('(');
      }
      filter(sb, o.left(), false);
      sb.append(" or ");
      filter(sb, o.right(), false);
      if (insideAnd) {
        sb.append(')');
      }
    } else if (filter instanceof Filter.Compare c) {
      sb.append(c.attribute()).append(' ').append(c.op().symbol()).append(' ').append(literal(c.value()));
    } else if (filter instanceof Filter.In in) {
      sb.append(in.attribute()).append(in.negated() ? " not in (" : " in (");
      for (int i = 0; i < in.values().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(literal(in.values().get(i)));
      }
      sb.append(')');
    } else if (filter instanceof Filter.Like l) {
      sb.append(l.attribute()).append(l.negated() ? " not like " : " like ").append(quote(l.pattern()));
    } else if (filter instanceof Filter.Exists e) {
      sb.append(e.attribute()).append(e.negated() ? " not exists" : " exists");
    }
  }

  private static String literal(Filter.Literal literal) {
    return literal.quoted() ? quote(literal.value()) : literal.value();
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('"').toString();
  }
}
