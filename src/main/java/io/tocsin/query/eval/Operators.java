package io.tocsin.query.eval;

import io.tocsin.query.ast.Expr.BinaryOp;

/**
 * Arithmetic and comparisons on bucket values, where NaN means "no value". {@code +} and
 * {@code -} read a missing side as 0 unless both are missing, so a sum of two metrics survives a
 * gap in one of them; every other operator leaves the result missing. Division follows IEEE 754:
 * {@code 1/0} is +Inf and {@code 0/0} is NaN, that is, missing. Comparisons give 1 or 0.
 */
final class Operators {
  private Operators() {}

  static double apply(BinaryOp op, double a, double b) {
    boolean aMissing = Double.isNaN(a);
    boolean bMissing = Double.isNaN(b);
    if (op == BinaryOp.ADD || op == BinaryOp.SUB) {
      if (aMissing && bMissing) {
        return Double.NaN;
      }
      double x = aMissing ? 0 : a;
      double y = bMissing ? 0 : b;
      return op == BinaryOp.ADD ? x + y : x - y;
    }
    if (aMissing || bMissing) {
      return Double.NaN;
    }
    return switch (op) {
      case MUL -> a * b;
      case DIV -> a / b;
      case MOD -> a % b;
      case EQ -> a == b ? 1 : 0;
      case NE -> a != b ? 1 : 0;
      case LT -> a < b ? 1 : 0;
      case LE -> a <= b ? 1 : 0;
      case GT -> a > b ? 1 : 0;
      case GE -> a >= b ? 1 : 0;
      default -> throw new AssertionError(op);
    };
  }
}
