package io.tocsin.rules;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * When a firing alert is sent again, as Uptrace offers: every {@code interval} ({@code fixed}),
 * after one, two, three... intervals ({@code linear}), or after one, two, four... ({@code
 * exponential}), at most {@code limit} times (0: no limit).
 *
 * <p>The repeats are anchored at the time the alert fired: the j-th is due {@code interval} × the
 * sum of the first j gaps after it. So the number of repeats already sent follows from when the
 * alert fired and when it was last sent, and nothing more needs saving or handing to a replica.
 */
public record RepeatPolicy(Strategy strategy, Duration interval, int limit) {
  /** Never repeat. */
  public static final RepeatPolicy NEVER = new RepeatPolicy(Strategy.FIXED, Duration.ZERO, 0);

  public enum Strategy {
    FIXED, LINEAR, EXPONENTIAL;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The strategy named {@code id}, or null. */
    public static Strategy of(String id) {
      for (Strategy s : values()) {
        if (s.id().equals(id)) {
          return s;
        }
      }
      return null;
    }

    /** How many repeats are due within {@code n} intervals of the firing: the largest j with intervalsUntil(j) ≤ n. */
    long repeatsWithin(long n) {
      long j = switch (this) {
        case FIXED -> n;
        case LINEAR -> (long) ((Math.sqrt(8.0 * n + 1) - 1) / 2);
        case EXPONENTIAL -> 63 - Long.numberOfLeadingZeros(n + 1);
      };
      // The square root is a double: settle the last step exactly.
      while (j > 0 && intervalsUntil(j) > n) {
        j--;
      }
      while (intervalsUntil(j + 1) <= n) {
        j++;
      }
      return j;
    }

    /** Intervals from the firing to the j-th repeat: j, j(j+1)/2, 2^j − 1; saturating. */
    long intervalsUntil(long j) {
      return switch (this) {
        case FIXED -> j;
        case LINEAR -> j > 3_000_000_000L ? Long.MAX_VALUE : j * (j + 1) / 2;
        case EXPONENTIAL -> j >= 62 ? Long.MAX_VALUE : (1L << j) - 1;
      };
    }
  }

  public RepeatPolicy {
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || limit < 0) {
      throw new IllegalArgumentException("interval and limit must not be negative");
    }
  }

  /** Every {@code interval}, without limit: the monitor's plain {@code repeat_interval}. */
  public static RepeatPolicy every(Duration interval) {
    return new RepeatPolicy(Strategy.FIXED, interval, 0);
  }

  /**
   * When the next repeat of an alert that fired at {@code firedAt} and was last sent at {@code
   * lastSent} is due; {@link Long#MAX_VALUE} when it is not repeated again.
   */
  public long nextRepeatAt(long firedAt, long lastSent) {
    long step = interval.toMillis();
    if (step <= 0) {
      return Long.MAX_VALUE;
    }
    // Repeats happen at the first bucket end at or after their due time, so the ones sent are
    // those due at or before the last send.
    long sent = lastSent <= firedAt ? 0 : strategy.repeatsWithin((lastSent - firedAt) / step);
    if (limit > 0 && sent >= limit) {
      return Long.MAX_VALUE;
    }
    return due(firedAt, sent + 1, step);
  }

  private long due(long firedAt, long repeat, long step) {
    long intervals = strategy.intervalsUntil(repeat);
    if (intervals == Long.MAX_VALUE || intervals > (Long.MAX_VALUE - firedAt) / step) {
      return Long.MAX_VALUE;
    }
    return firedAt + intervals * step;
  }
}
