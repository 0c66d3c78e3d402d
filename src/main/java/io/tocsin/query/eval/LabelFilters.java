package io.tocsin.query.eval;

import com.google.re2j.Pattern;
import io.tocsin.query.QueryException;
import io.tocsin.query.ast.Filter;
import io.tocsin.store.Labels;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import io.tocsin.util.UserRegex;

/**
 * Compiles filters into predicates over a series' labels. A missing attribute reads as the empty
 * string, as in Prometheus: {@code env != "prod"} matches series without {@code env}. Regular
 * expressions ({@code ~}, {@code !~}) match anywhere in the value unless anchored; {@code like}
 * matches the whole value. Both run on RE2/J ({@link UserRegex}), in time linear in the value,
 * because label values come from whoever can send OTLP. Ordering comparisons are numeric and
 * never match a non-number.
 */
final class LabelFilters {
  /** Every series: what a selector without filters reads. */
  static final Predicate<Labels> ALL = labels -> true;

  private LabelFilters() {}

  static Predicate<Labels> compile(Filter filter) {
    if (filter == null) {
      return ALL;
    }
    if (filter instanceof Filter.And and) {
      return compile(and.left()).and(compile(and.right()));
    }
    if (filter instanceof Filter.Or or) {
      return compile(or.left()).or(compile(or.right()));
    }
    if (filter instanceof Filter.Exists exists) {
      String attribute = exists.attribute();
      return exists.negated() ? labels -> !labels.has(attribute) : labels -> labels.has(attribute);
    }
    if (filter instanceof Filter.In in) {
      Set<String> values = new HashSet<>();
      in.values().forEach(v -> values.add(v.value()));
      String attribute = in.attribute();
      String[] members = values.toArray(String[]::new);
      Predicate<Labels> member = labels -> equalsAny(labels, attribute, members);
      return in.negated() ? member.negate() : member;
    }
    if (filter instanceof Filter.Like like) {
      Pattern pattern;
      try {
        pattern = UserRegex.compile(likeToRegex(like.pattern()), Pattern.DOTALL);
      } catch (UserRegex.InvalidRegexException e) {
        throw new QueryException(like.position(), "like pattern of " + like.pattern().length() + " characters: "
            + e.problem());
      }
      String attribute = like.attribute();
      Predicate<Labels> matches = labels -> pattern.matcher(valueOf(labels, attribute)).matches();
      return like.negated() ? matches.negate() : matches;
    }
    return compare((Filter.Compare) filter);
  }

  private static Predicate<Labels> compare(Filter.Compare c) {
    String attribute = c.attribute();
    String value = c.value().value();
    switch (c.op()) {
      case EQ -> {
        return labels -> valueEquals(labels, attribute, value);
      }
      case NE -> {
        return labels -> !valueEquals(labels, attribute, value);
      }
      case MATCH, NOT_MATCH -> {
        Pattern pattern;
        try {
          pattern = UserRegex.compile(value);
        } catch (UserRegex.InvalidRegexException e) {
          // The parser refuses these with the exact position; this is for filters built otherwise.
          throw new QueryException(c.position(), "invalid regular expression \"" + value + "\": " + e.getMessage());
        }
        Predicate<Labels> found = labels -> pattern.matcher(valueOf(labels, attribute)).find();
        return c.op() == Filter.CompareOp.MATCH ? found : found.negate();
      }
      default -> {
        double bound = number(c);
        Filter.CompareOp op = c.op();
        return labels -> {
          double v = parse(labels.get(attribute));
          return switch (op) {
            case LT -> v < bound;
            case LE -> v <= bound;
            case GT -> v > bound;
            default -> v >= bound;
          };
        };
      }
    }
  }

  private static double number(Filter.Compare c) {
    double n = parse(c.value().value());
    if (Double.isNaN(n)) {
      throw new QueryException(c.position(), c.op().symbol() + " compares numbers; \"" + c.value().value()
          + "\" is not a number");
    }
    return n;
  }

  /** The number in {@code text}, or NaN (which compares false) when there is none. */
  private static double parse(String text) {
    if (text == null || text.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Whether the value of {@code attribute} (empty when absent) is {@code value}, compared without building it. */
  private static boolean valueEquals(Labels labels, String attribute, String value) {
    int index = labels.indexOf(attribute);
    return index < 0 ? value.isEmpty() : labels.valueEquals(index, value);
  }

  private static boolean equalsAny(Labels labels, String attribute, String[] values) {
    int index = labels.indexOf(attribute);
    for (String value : values) {
      if (index < 0 ? value.isEmpty() : labels.valueEquals(index, value)) {
        return true;
      }
    }
    return false;
  }

  private static String valueOf(Labels labels, String attribute) {
    String v = labels.get(attribute);
    return v == null ? "" : v;
  }

  /** SQL LIKE: {@code %} is any run of characters, {@code _} one character; the rest is literal. */
  static String likeToRegex(String like) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < like.length(); i++) {
      char c = like.charAt(i);
      if (c == '%' || c == '_') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        if (c == '_') {
          regex.append('.');
        } else if (i == 0 || like.charAt(i - 1) != '%') {
          regex.append(".*"); // %% is %: a run of .* would only make the program longer
        }
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return regex.toString();
  }
}
