package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;

/**
 * Where one group of a monitor stands, as {@link GroupState} says, but changed in place: a
 * monitor keeps one slot per group for as long as it knows the group, so that a cycle in which
 * hundreds of thousands of groups go on firing makes no new object per group and bucket (each
 * would live one cycle, long enough for the garbage collector to copy it). Copies as {@link
 * GroupState} are made only where a state leaves the monitor's lock (status, saved form, peers).
 * Guarded by the lock of the {@link MonitorRuntime} that holds it.
 */
final class GroupSlot {
  /** Equal for as long as the slot lives; the instance changes to the one query results share ({@link GroupKeys}). */
  Labels labels;
  State state;
  int streak;
  long activeAt;
  long firedAt;
  long resolvedAt;
  long lastBreachEnd;
  long lastValueEnd;
  double value;
  long lastNotified;
  LevelRuns levels;

  GroupSlot(Labels labels) {
    this.labels = labels;
    reset();
  }

  GroupSlot(GroupState s) {
    this.labels = s.labels();
    set(s);
  }

  /** The state of a group never seen breaching ({@link GroupState#fresh}). */
  void reset() {
    state = State.OK;
    streak = 0;
    activeAt = 0;
    firedAt = 0;
    resolvedAt = 0;
    lastBreachEnd = 0;
    lastValueEnd = 0;
    value = Double.NaN;
    lastNotified = 0;
    levels = LevelRuns.NONE;
  }

  /** Takes {@code s}'s fields; its labels are this slot's. */
  void set(GroupState s) {
    state = s.state();
    streak = s.streak();
    activeAt = s.activeAt();
    firedAt = s.firedAt();
    resolvedAt = s.resolvedAt();
    lastBreachEnd = s.lastBreachEnd();
    lastValueEnd = s.lastValueEnd();
    value = s.value();
    lastNotified = s.lastNotified();
    levels = s.levels();
  }

  /** Takes {@code o}'s fields but its labels (a copy to compare with after a step). */
  void copy(GroupSlot o) {
    state = o.state;
    streak = o.streak;
    activeAt = o.activeAt;
    firedAt = o.firedAt;
    resolvedAt = o.resolvedAt;
    lastBreachEnd = o.lastBreachEnd;
    lastValueEnd = o.lastValueEnd;
    value = o.value;
    lastNotified = o.lastNotified;
    levels = o.levels;
  }

  GroupState toState() {
    return new GroupState(labels, state, streak, activeAt, firedAt, resolvedAt, lastBreachEnd, lastValueEnd, value,
        lastNotified, levels);
  }
}
