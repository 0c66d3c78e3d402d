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
    GroupSlot slot = new GroupSlot(s);
    AlertEvent.Type event = apply(slot, start, end, value, breach, present);
    return new Step(slot.toState(), event);
  }

  /** Whether this monitor has levels: then only {@link #step} applies a bucket, {@link #apply} does not. */
  boolean hasLevels() {
    return levels != null;
  }

  /**
   * Applies one bucket to {@code s} in place, as {@link #step} does, and returns the event it
   * causes, or null; for a monitor without levels. A group that goes on firing or staying ok
   * changes only its fields, so a cycle of many such groups makes no new objects.
   */
  AlertEvent.Type apply(GroupSlot s, long start, long end, double value, boolean breach, boolean present) {
    if (present) {
      s.lastValueEnd = end;
    }
    s.value = value;
    s.levels = LevelRuns.NONE;
    switch (s.state) {
      case OK -> {
        if (!breach) {
          s.streak = 0;
          return null;
        }
        return pendingOrFiring(s, 1, start, end);
      }
      case PENDING -> {
        if (!breach) {
          s.state = State.OK;
          s.streak = 0;
          s.activeAt = 0;
          return null;
        }
        return pendingOrFiring(s, s.streak + 1, s.activeAt, end);
      }
      default -> {
        if (breach) {
          s.streak++;
          s.lastBreachEnd = end;
          return null;
        }
        boolean keptLongEnough = end - s.lastBreachEnd >= keepFiringForMs;
        if (keptLongEnough && thresholds.recovered(value)) {
          s.state = State.OK;
          s.streak = 0;
          s.resolvedAt = end;
          return AlertEvent.Type.RESOLVED;
        }
        return null;
      }
    }
  }

  private AlertEvent.Type pendingOrFiring(GroupSlot s, int streak, long activeAt, long end) {
    s.streak = streak;
    s.activeAt = activeAt;
    s.lastBreachEnd = end;
    if (streak >= bucketsToFire) {
      s.state = State.FIRING;
      s.firedAt = end;
      s.resolvedAt = 0;
      s.lastNotified = end;
      return AlertEvent.Type.FIRING;
    }
    s.state = State.PENDING;
    return null;
  }
}
