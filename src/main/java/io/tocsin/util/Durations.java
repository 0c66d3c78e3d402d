package io.tocsin.util;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the Prometheus way: one or more {@code <number><unit>} terms, largest unit
 * first, with units {@code ms s m h d w}, e.g. {@code 30s}, {@code 1h30m}; {@code 0} alone is zero.
 */
public final class Durations {
  private static final Pattern TERM = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  private Durations() {}

  /** Parses {@code text}; the exception's message says what is expected. */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = TERM.matcher(s);
    Duration total = Duration.ZERO;
    int position = 0;
    int lastRank = Integer.MAX_VALUE;
    while (position < s.length()) {
      if (!m.find(position) || m.start() != position) {
        throw invalid(text);
      }
      int rank = rank(m.group(2));
      if (rank >= lastRank) {
        throw invalid(text);
      }
      lastRank = rank;
      long amount;
      try {
        amount = Long.parseLong(m.group(1));
        total = total.plus(unit(m.group(2)).multipliedBy(amount));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException("duration \"" + text + "\" is too long");
      }
      position = m.end();
    }
    if (position == 0) {
      throw invalid(text);
    }
    try {
      // Everything downstream counts in milliseconds: what does not fit in a long is refused here.
      total.toMillis();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("duration \"" + text + "\" is too long");
    }
    return total;
  }

  /** The shortest text {@link #parse} reads back as {@code d}, e.g. {@code 1h30m}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    String[] units = {"w", "d", "h", "m", "s", "ms"};
    long[] sizes = {604_800_000L, 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
    for (int i = 0; i < units.length; i++) {
      if (ms >= sizes[i]) {
        sb.append(ms / sizes[i]).append(units[i]);
        ms %= sizes[i];
      }
    }
    return sb.toString();
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("invalid duration \"" + text + "\"; expected e.g. 30s, 5m, 1h30m");
  }

  private static int rank(String unit) {
    return switch (unit) {
      case "ms" -> 0;
      case "s" -> 1;
      case "m" -> 2;
      case "h" -> 3;
      case "d" -> 4;
      default -> 5;
    };
  }

  private static Duration unit(String unit) {
    return switch (unit) {
      case "ms" -> Duration.ofMillis(1);
      case "s" -> Duration.ofSeconds(1);
      case "m" -> Duration.ofMinutes(1);
      case "h" -> Duration.ofHours(1);
      case "d" -> Duration.ofDays(1);
      default -> Duration.ofDays(7);
    };
  }
}
