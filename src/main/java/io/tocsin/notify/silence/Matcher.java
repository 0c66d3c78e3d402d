package io.tocsin.notify.silence;

import com.google.re2j.Pattern;
import io.tocsin.util.UserRegex;
import java.util.Map;
import java.util.Objects;

/**
 * One condition of a silence on one label, with Alertmanager's semantics: {@code =}, {@code !=},
 * {@code =~} and {@code !~}; regular expressions are fully anchored ({@code n1|n2} matches
 * {@code n1} but not {@code xn1}) and compiled once; a label the alert does not have has the
 * value {@code ""}. The name {@code monitor} means the monitor name, like {@code alertname}.
 *
 * <p>Immutable; equal when name, operator and value are.
 */
public final class Matcher {
  /** The label that carries the monitor name, as in Alertmanager. */
  static final String ALERTNAME = "alertname";
  /** Accepted in place of {@link #ALERTNAME}, because Tocsin calls them monitors. */
  static final String MONITOR_ALIAS = "monitor";

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** How the label value is compared; {@link #symbol()} is the text form. */
  public enum Operator {
    EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean isRegex() {
      return this == REGEX || this == NOT_REGEX;
    }

    public boolean isEqual() {
      return this == EQUAL || this == REGEX;
    }

    /** The operator of Alertmanager's v2 {@code isRegex}/{@code isEqual} pair. */
    public static Operator of(boolean isRegex, boolean isEqual) {
      if (isRegex) {
        return isEqual ? REGEX : NOT_REGEX;
      }
      return isEqual ? EQUAL : NOT_EQUAL;
    }
  }

  private final String name;
  private final Operator operator;
  private final String value;
  /** Null unless the operator is a regex one. */
  private final Pattern pattern;

  private Matcher(String name, Operator operator, String value, Pattern pattern) {
    this.name = name;
    this.operator = operator;
    this.value = value;
    this.pattern = pattern;
  }

  /**
   * A matcher; {@link IllegalArgumentException} with a message fit for a user when the name is not
   * a label name or the regular expression does not compile.
   */
  public static Matcher of(String name, Operator operator, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operator, "operator");
    Objects.requireNonNull(value, "value");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid label name \"" + name
          + "\": use letters, digits and _, not starting with a digit");
    }
    Pattern pattern = null;
    if (operator.isRegex()) {
      try {
        // Used with Matcher.matches(), which must match the whole value with the whole pattern
        // (alternations included): the same as Alertmanager's ^(?:value)$. RE2, as Alertmanager's
        // Go regexp: the value comes from alerts whose labels anyone who can send OTLP chooses.
        pattern = UserRegex.compile(value);
      } catch (UserRegex.InvalidRegexException e) {
        throw new IllegalArgumentException("invalid regular expression \"" + value + "\" for label \"" + name
            + "\": " + e.getMessage());
      }
    }
    return new Matcher(name, operator, value, pattern);
  }

  /**
   * Parses the text form {@code name<op>"value"}, e.g. {@code node=~"n[12]"} or {@code
   * severity!=page}: the value may be double-quoted (with {@code \"}, {@code \\} and {@code \n}
   * escapes) or bare, and spaces around the operator are allowed.
   */
  public static Matcher parse(String text) {
    String expected = "expected a label name, an operator (=, !=, =~, !~) and a value, e.g. node=~\"n[12]\"";
    int i = 0;
    int n = text.length();
    while (i < n && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    int nameStart = i;
    while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
      i++;
    }
    String name = text.substring(nameStart, i);
    while (i < n && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    Operator operator = null;
    for (Operator candidate : new Operator[] {Operator.REGEX, Operator.NOT_REGEX, Operator.NOT_EQUAL, Operator.EQUAL}) {
      if (text.startsWith(candidate.symbol(), i)) {
        operator = candidate;
        i += candidate.symbol().length();
        break;
      }
    }
    if (name.isEmpty() || operator == null) {
      throw new IllegalArgumentException("cannot parse matcher '" + text + "': " + expected);
    }
    String rest = text.substring(i).strip();
    String value;
    if (rest.startsWith("\"")) {
      value = unquote(text, rest);
    } else if (rest.contains("\"")) {
      throw new IllegalArgumentException("cannot parse matcher '" + text + "': a value with \" must be quoted");
    } else {
      value = rest;
    }
    return of(name, operator, value);
  }

  private static String unquote(String text, String quoted) {
    StringBuilder sb = new StringBuilder();
    int i = 1;
    while (i < quoted.length()) {
      char c = quoted.charAt(i);
      if (c == '"') {
        if (i != quoted.length() - 1) {
          throw new IllegalArgumentException("cannot parse matcher '" + text + "': text after the closing quote");
        }
        return sb.toString();
      }
      if (c == '\\' && i + 1 < quoted.length()) {
        char next = quoted.charAt(i + 1);
        // Kept as is for regexes: \d stays \d; only the quote and backslash itself are unescaped.
        switch (next) {
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case 'n' -> sb.append('\n');
          default -> sb.append('\\').append(next);
        }
        i += 2;
        continue;
      }
      sb.append(c);
      i++;
    }
    throw new IllegalArgumentException("cannot parse matcher '" + text + "': the value has no closing quote");
  }

  /** Whether the alert with these labels satisfies this matcher; a missing label is {@code ""}. */
  public boolean matches(Map<String, String> labels) {
    String actual = labels.get(MONITOR_ALIAS.equals(name) ? ALERTNAME : name);
    return matchesValue(actual == null ? "" : actual);
  }

  boolean matchesValue(String actual) {
    switch (operator) {
      case EQUAL:
        return actual.equals(value);
      case NOT_EQUAL:
        return !actual.equals(value);
      case REGEX:
        return pattern.matcher(actual).matches();
      default:
        return !pattern.matcher(actual).matches();
    }
  }

  public String name() {
    return name;
  }

  public Operator operator() {
    return operator;
  }

  public String value() {
    return value;
  }

  public boolean isRegex() {
    return operator.isRegex();
  }

  public boolean isEqual() {
    return operator.isEqual();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Matcher m && name.equals(m.name) && operator == m.operator && value.equals(m.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, operator, value);
  }

  /** The text form, which {@link #parse} reads back: {@code node=~"n[12]"}. */
  @Override
  public String toString() {
    return name + operator.symbol() + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
        + "\"";
  }
}
