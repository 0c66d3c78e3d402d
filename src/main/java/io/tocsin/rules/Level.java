package io.tocsin.rules;

import java.time.Duration;
import java.util.List;

/**
 * One severity level of a monitor ({@code levels:}): its name, its thresholds (with their
 * recovery bounds) and how long a breach of it must last. A monitor without {@code levels:} has
 * none; its thresholds are then its only level, and its alerts carry no {@code severity} label.
 *
 * @param bucketsToFire for_duration / grouping_interval, at least 1
 */
public record Level(String name, Thresholds thresholds, Duration forDuration, int bucketsToFire) {
  /**
   * The names a level may have, lowest first: the words PagerDuty uses for an event's severity
   * (and Opsgenie's priorities P5, P3, P2, P1 stand for), so that a level maps onto both as it is.
   */
  public static final List<String> NAMES = List.of("info", "warning", "error", "critical");

  /** The top-level thresholds of a monitor are this level. */
  public static final String CRITICAL = "critical";

  /** The rank of {@code name} in {@link #NAMES}, or -1 for an unknown name. */
  public static int rank(String name) {
    return NAMES.indexOf(name);
  }
}
