package io.tocsin.api;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Values as Prometheus' HTTP API writes them, so that its clients parse Tocsin's answers like
 * its own: times as Go's RFC 3339 with nanoseconds (UTC, trailing zeros of the fraction dropped),
 * sample values as Go's {@code strconv.FormatFloat(v, 'e', -1, 64)}.
 */
final class PrometheusFormat {
  /** Go's zero {@code time.Time}, which Prometheus shows for a rule never evaluated. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);

  private PrometheusFormat() {}

  /** {@code 2026-03-01T12:00:00Z}, {@code 2026-03-01T12:00:00.5Z}; {@link #ZERO_TIME} for 0 (never). */
  static String time(long unixMs) {
    if (unixMs == 0) {
      return ZERO_TIME;
    }
    Instant at = Instant.ofEpochMilli(unixMs);
    StringBuilder sb = new StringBuilder(SECONDS.format(at));
    int millis = at.getNano() / 1_000_000;
    if (millis != 0) {
      String fraction = Integer.toString(1000 + millis).substring(1).replaceAll("0+$", "");
      sb.append('.').append(fraction);
    }
    return sb.append('Z').toString();
  }

  /**
   * The shortest decimal that reads back as {@code v}, in exponent form with at least two
   * exponent digits: {@code 1e+00}, {@code 7.5e-01}, {@code 1.2345e+03}; {@code NaN}, {@code
   * +Inf}, {@code -Inf}.
   */
  static String value(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0 ? "-" : "") + "0e+00";
    }
    BigDecimal decimal = shortest(Math.abs(v));
    String digits = decimal.unscaledValue().toString();
    int exponent = digits.length() - 1 - decimal.scale();
    StringBuilder sb = new StringBuilder(v < 0 ? "-" : "");
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exponent < 0 ? '-' : '+');
    int magnitude = Math.abs(exponent);
    if (magnitude < 10) {
      sb.append('0');
    }
    return sb.append(magnitude).toString();
  }

  /**
   * The fewest significant digits that read back as {@code v}, rounded from its exact value (so
   * the closest such decimal). Java 17's {@code Double.toString} is not always the shortest.
   */
  private static BigDecimal shortest(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == v) {
        return rounded.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  /** Seconds as a JSON number: whole ones without a fraction, as Go writes a float64. */
  static Number seconds(long millis) {
    return millis % 1000 == 0 ? (Number) (millis / 1000) : (Number) (millis / 1000.0);
  }
}
