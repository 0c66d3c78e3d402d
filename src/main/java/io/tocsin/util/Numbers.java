package io.tocsin.util;

import java.util.Locale;

/** Numbers as people read them in messages: no trailing zeros, six significant digits. */
public final class Numbers {
  private Numbers() {}

  /** {@code 1}, {@code 0.75}, {@code 1.23457e+09}, {@code +Inf}; NaN (no value) is {@code none}. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "none";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+$", "").replaceAll("\\.?0+e", "e");
  }
}
