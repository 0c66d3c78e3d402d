package io.tocsin.query.ast;

import java.util.List;

/** A condition on a series' attributes, in {@code where} or inside a selector's braces. */
public sealed interface Filter
    permits Filter.And, Filter.Or, Filter.Compare, Filter.In, Filter.Like, Filter.Exists {
  Position position();

  record And(Filter left, Filter right, Position position) implements Filter {}

  record Or(Filter left, Filter right, Position position) implements Filter {}

  /** {@code attr <op> value}. */
  record Compare(String attribute, CompareOp op, Literal value, Position position) implements Filter {}

  /** {@code attr [not] in (v1, v2)}. */
  record In(String attribute, List<Literal> values, boolean negated, Position position) implements Filter {
    public In {
      values = List.copyOf(values);
    }
  }

  /** {@code attr [not] like "pattern"}, SQL-style: {@code %} any run, {@code _} one character. */
  record Like(String attribute, String pattern, boolean negated, Position position) implements Filter {}

  /** {@code attr [not] exists}. */
  record Exists(String attribute, boolean negated, Position position) implements Filter {}

  /** A value to compare with; {@code quoted} when written as a string. */
  record Literal(String value, boolean quoted) {}

  enum CompareOp {
    EQ("="), NE("!="), MATCH("~"), NOT_MATCH("!~"), LT("<"), LE("<="), GT(">"), GE(">=");

    private final String symbol;

    CompareOp(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }
}
