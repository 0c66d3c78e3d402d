package io.tocsin.api;

import io.tocsin.util.Durations;
import java.time.Duration;

/**
 * A duration given to the REST API ({@code range}, {@code interval}). Bounded well below what
 * milliseconds since 1970 can hold, so that no bucket arithmetic on it can overflow: ten years
 * is more than any retention and any chart needs.
 */
final class DurationParam {
  static final Duration MAX = Duration.ofDays(520 * 7);

  private DurationParam() {}

  /** {@code text} as a duration of at most {@link #MAX}; the message names {@code field}. */
  static Duration parse(String field, String text) throws BadRequestException {
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequestException(field + ": " + e.getMessage());
    }
    if (d.compareTo(MAX) > 0) {
      throw new BadRequestException(field + " must be at most " + Durations.format(MAX) + ", got " + text);
    }
    return d;
  }
}
