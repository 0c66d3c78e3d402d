package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;

/**
 * The per-group state machine (design section 4), one bucket at a time. Pure: time is a
 * parameter, and the result says the new state and the event, if any.
 *
 * <ul>
 *   <li>ok → pending on the first breaching bucket; pending → firing when the last N buckets
 *       breached; pending → ok on a bucket that does not breach.
 *   <li>firing → ok (resolved) on a bucket that does not breach, once keep_firing_for has passed
 *       since the last breach and the value is inside the recovery thresholds.
 *   <li>a resolved group that breaches again starts over at pending.
 * </ul>
 */
final class StateMachine {
  private final Thresholds thresholds;
  private final int bucketsToFire;
  private final long keepFiringForMs;
  /** The machine of a monitor with levels, which then takes every step; null without. */
  private final LevelMachine levels;

  StateMachine(MonitorDefinition monitor) {
    this.thresholds = monitor.thresholds();
    this.bucketsToFire = monitor.bucketsToFire();
    this.keepFiringForMs = monitor.keepFiringFor().toMillis();
    this.levels = monitor.hasLevels() ? new LevelMachine(monitor.levels(), keepFiringForMs) : null;
  }

  /**
   * The outcome of one bucket: the new state and the event it causes, or null.
   *
   * @param level with levels, the index of the level the event is at (for a resolution, the one
   *     it resolved from); else -1
   * @param left with levels, the levels (a bit set) the alert left without a resolution at them:
   *     their routes must hear it resolve
   */
  record Step(GroupState state, AlertEvent.Type event, int level, int left) {
    Step(GroupState state, AlertEvent.Type event) {
      this(state, event, -1, 0);
    }
  }

  /** Whether {@code value} breaches: any level of a monitor with levels. */
  boolean breaches(double value) {
    return levels != null ? levels.breaches(value) : thresholds.breaches(value);
  }

  /** A firing group after a gap in evaluation ({@link LevelMachine#afterGap}); as it is without levels. */
  GroupState afterGap(GroupState s) {
    return levels == null ? s : levels.afterGap(s);
  }

  /** {@code s} fitted to this monitor's levels ({@link LevelMachine#fit}); as it is without levels. */
  GroupState fit(GroupState s) {
    if (levels == null) {
      return s.levels() == LevelRuns.NONE ? s : s.withLevels(LevelRuns.NONE);
    }
    return levels.fit(s);
  }

  /**
   * Applies one bucket {@code [start, end)}: its value, whether it breaches, and whether the
   * value was measured ({@code present}) or stands in for a missing one (absent_points zero or
   * alert; then NaN for alert).
   */
  Step step(GroupState s, long start, long end, double value, boolean breach, boolean present) {
    if (levels != null) {
      return levels.step(s, start, end, value, breach, present);
    }
    long lastValueEnd = present ? end : s.lastValueEnd();
    switch (s.state()) {
      case OK -> {
        if (!breach) {
          return new Step(with(s, State.OK, 0, s.activeAt(), s.firedAt(), s.lastBreachEnd(), lastValueEnd, value), null);
        }
        return pendingOrFiring(s, 1, start, end, lastValueEnd, value);
      }
      case PENDING -> {
        if (!breach) {
          return new Step(with(s, State.OK, 0, 0, s.firedAt(), s.lastBreachEnd(), lastValueEnd, value), null);
        }
        return pendingOrFiring(s, s.streak() + 1, s.activeAt(), end, lastValueEnd, value);
      }
      default -> {
        if (breach) {
          return new Step(with(s, State.FIRING, s.streak() + 1, s.activeAt(), s.firedAt(), end, lastValueEnd, value), null);
        }
        boolean keptLongEnough = end - s.lastBreachEnd() >= keepFiringForMs;
        if (keptLongEnough && thresholds.recovered(value)) {
          GroupState resolved = new GroupState(s.labels(), State.OK, 0, s.activeAt(), s.firedAt(), end,
              s.lastBreachEnd(), lastValueEnd, value, s.lastNotified());
          return new Step(resolved, AlertEvent.Type.RESOLVED);
        }
        return new Step(with(s, State.FIRING, s.streak(), s.activeAt(), s.firedAt(), s.lastBreachEnd(), lastValueEnd, value), null);
      }
    }
  }

  private Step pendingOrFiring(GroupState s, int streak, long activeAt, long end, long lastValueEnd, double value) {
    if (streak >= bucketsToFire) {
      GroupState firing = new GroupState(s.labels(), State.FIRING, streak, activeAt, end, 0, end, lastValueEnd, value, end);
      return new Step(firing, AlertEvent.Type.FIRING);
    }
    return new Step(with(s, State.PENDING, streak, activeAt, s.firedAt(), end, lastValueEnd, value), null);
  }

  private static GroupState with(GroupState s, State state, int streak, long activeAt, long firedAt, long lastBreachEnd,
      long lastValueEnd, double value) {
    return new GroupState(s.labels(), state, streak, activeAt, firedAt, s.resolvedAt(), lastBreachEnd, lastValueEnd,
        value, s.lastNotified());
  }
}
