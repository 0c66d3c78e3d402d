package io.tocsin.rules;

import io.tocsin.store.Labels;
import java.util.Locale;

/**
 * Where one group of a monitor stands. Times are Unix milliseconds at bucket boundaries, 0 when
 * not yet known: {@code activeAt} is when the current breach began (the start of its first
 * breaching bucket), {@code firedAt} and {@code resolvedAt} the ends of the buckets that fired
 * and resolved it.
 *
 * @param streak breaching buckets in a row while pending or firing
 * @param lastBreachEnd the end of the last breaching bucket, for keep_firing_for
 * @param lastValueEnd the end of the last bucket with a value, for dropping silent groups
 * @param value the last value seen (NaN when the last bucket had none)
 * @param lastNotified when the last firing, repeat or level change event was made, for repeat_interval
 * @param levels the group at each severity level, for a monitor with {@code levels:}; else
 *     {@link LevelRuns#NONE}
 */
public record GroupState(
    Labels labels,
    State state,
    int streak,
    long activeAt,
    long firedAt,
    long resolvedAt,
    long lastBreachEnd,
    long lastValueEnd,
    double value,
    long lastNotified,
    LevelRuns levels) {

  public GroupState {
    levels = levels == null ? LevelRuns.NONE : levels;
  }

  /** A group of a monitor without levels. */
  public GroupState(Labels labels, State state, int streak, long activeAt, long firedAt, long resolvedAt,
      long lastBreachEnd, long lastValueEnd, double value, long lastNotified) {
    this(labels, state, streak, activeAt, firedAt, resolvedAt, lastBreachEnd, lastValueEnd, value, lastNotified,
        LevelRuns.NONE);
  }

  /** With levels, the level a firing group is at (its {@code severity}); else null. */
  public String severity() {
    return state == State.FIRING ? levels.levelName() : null;
  }

  /** The same group with other level runs. */
  GroupState withLevels(LevelRuns runs) {
    return new GroupState(labels, state, streak, activeAt, firedAt, resolvedAt, lastBreachEnd, lastValueEnd, value,
        lastNotified, runs);
  }

  /** A group's state; pending is never notified. */
  public enum State {
    OK, PENDING, FIRING;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static GroupState fresh(Labels labels) {
    return new GroupState(labels, State.OK, 0, 0, 0, 0, 0, 0, Double.NaN, 0);
  }
}
