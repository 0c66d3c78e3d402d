package io.tocsin.query.ast;

import java.time.Duration;
import java.util.List;

/** An expression of a column. */
public sealed interface Expr
    permits Expr.Number, Expr.Selector, Expr.ColumnRef, Expr.Call, Expr.Binary, Expr.Negate {
  Position position();

  /** A number; {@code text} is as written, e.g. {@code 0.75}, {@code 5m} (300) or {@code 10kb}. */
  record Number(double value, String text, Position position) implements Expr {}

  /**
   * A metric by its alias: {@code $hits{host="a"}[5m] offset 1h by (host)}.
   *
   * @param filter the inline filter, or null
   * @param range the window in brackets, or null
   * @param offset how far back to look, or null
   * @param by grouping attributes given with {@code by (...)}, or empty
   */
  record Selector(String alias, Filter filter, Duration range, Duration offset, List<String> by, Position position)
      implements Expr {
    public Selector {
      by = List.copyOf(by);
    }
  }

  /** The name of an earlier column. */
  record ColumnRef(String name, Position position) implements Expr {}

  /** A function call, e.g. {@code sum($m) by (host)}; {@code by} is empty when not given. */
  record Call(String function, List<Expr> args, List<String> by, Position position) implements Expr {
    public Call {
      args = List.copyOf(args);
      by = List.copyOf(by);
    }
  }

  record Binary(BinaryOp op, Expr left, Expr right, Position position) implements Expr {}

  record Negate(Expr operand, Position position) implements Expr {}

  /** Binary operators, with their precedence (higher binds tighter). */
  enum BinaryOp {
    MUL("*", 3), DIV("/", 3), MOD("%", 3),
    ADD("+", 2), SUB("-", 2),
    EQ("==", 1), NE("!=", 1), LT("<", 1), LE("<=", 1), GT(">", 1), GE(">=", 1);

    private final String symbol;
    private final int precedence;

    BinaryOp(String symbol, int precedence) {
      this.symbol = symbol;
      this.precedence = precedence;
    }

    public String symbol() {
      return symbol;
    }

    public int precedence() {
      return precedence;
    }

    public boolean isComparison() {
      return precedence == 1;
    }
  }
}
