package io.tocsin.query.promql;

import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Filter;
import java.util.List;

/**
 * Filters as PromQL label matchers. Each condition of a conjunction becomes one matcher, written
 * so that it matches exactly the series the local filter does: PromQL's regular expressions are
 * anchored at both ends and let {@code .} match a newline, Tocsin's {@code ~} finds its pattern
 * anywhere and its {@code .} does not, so {@code a ~ "re"} becomes
 * {@code a=~"(?s:.*)(?-s:re)(?s:.*)"}. A missing label reads as {@code ""} on both sides.
 */
final class Matchers {
  private Matchers() {}

  /** Appends the matchers of {@code filter} to {@code out}, each as {@code name op "value"}. */
  static void append(Filter filter, List<String> out) {
    if (filter instanceof Filter.And and) {
      append(and.left(), out);
      append(and.right(), out);
    } else if (filter instanceof Filter.Or or) {
      throw new QueryException(or.position(), "'or' between conditions has no PromQL label matcher; "
          + "for one attribute write it as 'in (...)' or a regular expression, such as host ~ \"^(a|b)$\"");
    } else if (filter instanceof Filter.Exists e) {
      // Prometheus-shaped data has no empty labels: an empty value is an absent label.
      out.add(e.attribute() + (e.negated() ? "=\"\"" : "!=\"\""));
    } else if (filter instanceof Filter.In in) {
      StringBuilder alternatives = new StringBuilder();
      for (Filter.Literal v : in.values()) {
        alternatives.append(alternatives.length() == 0 ? "" : "|").append(quoteMeta(v.value()));
      }
      out.add(in.attribute() + (in.negated() ? "!~" : "=~") + string(alternatives.toString()));
    } else if (filter instanceof Filter.Like like) {
      out.add(like.attribute() + (like.negated() ? "!~" : "=~") + string(likeToRegex(like.pattern())));
    } else {
      compare((Filter.Compare) filter, out);
    }
  }

  private static void compare(Filter.Compare c, List<String> out) {
    String value = c.value().value();
    switch (c.op()) {
      case EQ -> out.add(c.attribute() + "=" + string(value));
      case NE -> out.add(c.attribute() + "!=" + string(value));
      case MATCH -> out.add(c.attribute() + "=~" + string(found(value)));
      case NOT_MATCH -> out.add(c.attribute() + "!~" + string(found(value)));
      default -> throw new QueryException(c.position(), "'" + c.op().symbol()
          + "' compares label values as numbers, which PromQL label matchers cannot; "
          + "use =, !=, ~, !~, in or like, or query the local store");
    }
  }

  /** A fully anchored regex that matches where {@code regex} is found anywhere, as RE2/J's find. */
  static String found(String regex) {
    return "(?s:.*)(?-s:" + regex + ")(?s:.*)";
  }

  /** SQL LIKE as a whole-value regex: {@code %} any run, {@code _} one character, both across newlines. */
  static String likeToRegex(String like) {
    StringBuilder regex = new StringBuilder("(?s:");
    for (int i = 0; i < like.length(); i++) {
      char c = like.charAt(i);
      if (c == '%') {
        if (i == 0 || like.charAt(i - 1) != '%') {
          regex.append(".*");
        }
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(quoteMeta(String.valueOf(c)));
      }
    }
    return regex.append(')').toString();
  }

  /** Escapes RE2's special characters, as Go's {@code regexp.QuoteMeta}. */
  static String quoteMeta(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** A PromQL double-quoted string: backslash, quote and line breaks escaped as in Go. */
  static String string(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
