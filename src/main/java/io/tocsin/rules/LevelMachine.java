package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;
import java.util.List;

/**
 * The state machine of a monitor with {@code levels:} (design section 11), one bucket at a time;
 * pure, like {@link StateMachine}. Each level runs the machine of design section 4 on its own:
 * its run counts the buckets in a row that breach it or a higher level, it fires when that run
 * reaches its own for_duration, and it recovers per its own recovery thresholds once
 * keep_firing_for has passed since it last breached. The group is at the highest level that
 * fires:
 *
 * <ul>
 *   <li>no level → some level: {@code firing}; a higher level: {@code escalated}; a lower level
 *       (the higher one recovered): {@code deescalated}; no level any more: {@code resolved}.
 *   <li>the group's own state is firing while any level fires, pending while a level pends, and
 *       its times mean what they mean without levels (firedAt: when the episode began firing).
 * </ul>
 */
final class LevelMachine {
  private final List<Level> levels;
  private final List<String> names;
  private final long keepFiringForMs;

  LevelMachine(List<Level> levels, long keepFiringForMs) {
    this.levels = levels;
    this.names = levels.stream().map(Level::name).toList();
    this.keepFiringForMs = keepFiringForMs;
  }

  List<String> names() {
    return names;
  }

  /** Whether {@code value} breaches any level. */
  boolean breaches(double value) {
    return levels.stream().anyMatch(l -> l.thresholds().breaches(value));
  }

  /**
   * One bucket {@code [start, end)}, as {@link StateMachine#step}; {@code breach} says whether a
   * missing value (NaN) breaches, which then holds for every level.
   */
  StateMachine.Step step(GroupState s, long start, long end, double value, boolean breach, boolean present) {
    LevelRuns before = fit(s).levels();
    int k = levels.size();
    int[] runs = before.runs().clone();
    boolean higher = false;
    for (int i = k - 1; i >= 0; i--) {
      Level level = levels.get(i);
      int n = level.bucketsToFire();
      boolean breaches = higher || (Double.isNaN(value) ? breach : level.thresholds().breaches(value));
      higher = breaches;
      int r = runs[i];
      if (breaches) {
        runs[i] = r >= n ? n : Math.min(r + 1, n);
      } else if (r >= n) {
        long sinceBreach = (long) (r - n + 1) * (end - start);
        boolean recovered = sinceBreach >= keepFiringForMs && level.thresholds().recovered(value);
        runs[i] = recovered ? 0 : r + 1;
      } else {
        runs[i] = 0;
      }
    }
    boolean anyBreach = higher;
    int now = -1;
    for (int i = k - 1; i >= 0 && now < 0; i--) {
      if (runs[i] >= levels.get(i).bucketsToFire()) {
        now = i;
      }
    }
    int was = s.state() == State.FIRING ? before.level() : -1;
    long lastValueEnd = present ? end : s.lastValueEnd();
    long lastBreachEnd = anyBreach ? end : s.lastBreachEnd();
    int streak = anyBreach ? (s.state() == State.OK ? 1 : s.streak() + 1) : now >= 0 ? s.streak() : 0;
    if (now < 0 && was >= 0) {
      int left = before.held() & ~(1 << was);
      GroupState resolved = new GroupState(s.labels(), State.OK, 0, s.activeAt(), s.firedAt(), end, lastBreachEnd,
          lastValueEnd, value, s.lastNotified(), new LevelRuns(names, -1, 0, runs));
      return new StateMachine.Step(resolved, AlertEvent.Type.RESOLVED, was, left);
    }
    if (now < 0) {
      State state = anyBreach ? State.PENDING : State.OK;
      // As without levels: a breach that begins starts activeAt; pending falling back to ok clears it.
      long activeAt = anyBreach ? (s.state() == State.OK ? start : s.activeAt())
          : s.state() == State.OK ? s.activeAt() : 0;
      GroupState next = new GroupState(s.labels(), state, streak, activeAt, s.firedAt(), s.resolvedAt(), lastBreachEnd,
          lastValueEnd, value, s.lastNotified(), new LevelRuns(names, -1, 0, runs));
      return new StateMachine.Step(next, null);
    }
    if (was < 0) {
      long activeAt = s.state() == State.PENDING ? s.activeAt() : start;
      GroupState firing = new GroupState(s.labels(), State.FIRING, streak, activeAt, end, 0, lastBreachEnd,
          lastValueEnd, value, end, new LevelRuns(names, now, 1 << now, runs));
      return new StateMachine.Step(firing, AlertEvent.Type.FIRING, now, 0);
    }
    if (now == was) {
      GroupState firing = new GroupState(s.labels(), State.FIRING, streak, s.activeAt(), s.firedAt(), s.resolvedAt(),
          lastBreachEnd, lastValueEnd, value, s.lastNotified(), new LevelRuns(names, now, before.held(), runs));
      return new StateMachine.Step(firing, null);
    }
    int held;
    int left = 0;
    AlertEvent.Type type;
    if (now > was) {
      type = AlertEvent.Type.ESCALATED;
      held = before.held() | 1 << now;
    } else {
      type = AlertEvent.Type.DEESCALATED;
      int below = (1 << now) - 1;
      left = before.held() & ~below & ~(1 << now);
      held = (before.held() & below) | 1 << now;
    }
    GroupState changed = new GroupState(s.labels(), State.FIRING, streak, s.activeAt(), s.firedAt(), s.resolvedAt(),
        lastBreachEnd, lastValueEnd, value, end, new LevelRuns(names, now, held, runs));
    return new StateMachine.Step(changed, type, now, left);
  }

  /**
   * {@code s} after a gap in evaluation: like a pending group, a level pending above the one a
   * firing group is at starts over, since its run was not seen being earned.
   */
  GroupState afterGap(GroupState s) {
    LevelRuns r = fit(s).levels();
    int[] runs = r.runs().clone();
    boolean changed = false;
    for (int i = 0; i < runs.length; i++) {
      if (runs[i] > 0 && runs[i] < levels.get(i).bucketsToFire()) {
        runs[i] = 0;
        changed = true;
      }
    }
    return changed ? s.withLevels(new LevelRuns(names, r.level(), r.held(), runs)) : s;
  }

  /**
   * {@code s} with level runs of this monitor's levels: its own when they are, else matched by
   * level name (the levels changed with a reload, or the state was restored from the state file
   * or a peer). A firing group that knows none of its levels (levels were added) fires at the
   * levels its last value breaches, or else at the highest.
   */
  GroupState fit(GroupState s) {
    LevelRuns r = s.levels();
    if (r.names() == names) {
      return s;
    }
    int k = levels.size();
    int[] runs = new int[k];
    int level = -1;
    int held = 0;
    for (int i = 0; i < k; i++) {
      int old = r.names().indexOf(names.get(i));
      int n = levels.get(i).bucketsToFire();
      if (old >= 0 && old < r.runs().length) {
        // The level it fired at keeps firing whatever its for_duration became; other runs go on.
        runs[i] = old == r.level() ? Math.max(n, r.runs()[old]) : r.runs()[old];
        level = old == r.level() ? i : level;
        held |= (r.held() & 1 << old) != 0 ? 1 << i : 0;
      }
    }
    if (s.state() == State.FIRING && level < 0) {
      for (int i = 0; i < k; i++) {
        if (!Double.isNaN(s.value()) && levels.get(i).thresholds().breaches(s.value())) {
          level = i;
        }
      }
      level = level < 0 ? k - 1 : level;
      for (int i = 0; i <= level; i++) {
        runs[i] = Math.max(runs[i], levels.get(i).bucketsToFire());
      }
      held |= 1 << level;
    }
    if (s.state() != State.FIRING) {
      level = -1;
    }
    return s.withLevels(new LevelRuns(names, level, held, runs));
  }
}
