package io.tocsin.util;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Pattern;

/** Numbers as people read them in messages: no trailing zeros, six significant digits. */
public final class Numbers {
  private static final Pattern TRAILING_ZEROS = Pattern.compile("\\.?0+$");
  private static final Pattern MANTISSA_ZEROS = Pattern.compile("\\.?0+e");

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
    // Most values in messages (0.1, 0.658, 12.5) have at most six significant digits and are shown
    // in plain notation: then they read as their shortest decimal, without a Formatter and two
    // regular expressions per number (which every alert of a storm paid).
    double magnitude = Math.abs(v);
    if (magnitude >= 1e-4 && magnitude < 1e6) {
      BigDecimal shortest = BigDecimal.valueOf(v);
      if (shortest.precision() <= 6) {
        return shortest.stripTrailingZeros().toPlainString();
      }
    }
    return formatted(v);
  }

  /** {@link #format} by {@code %.6g} without its trailing zeros: the reference for the shortcut. */
  static String formatted(double v) {
    String g = String.format(Locale.ROOT, "%.6g", v);
    return MANTISSA_ZEROS.matcher(TRAILING_ZEROS.matcher(g).replaceAll("")).replaceAll("e");
  }
}
