package io.tocsin.rules;

import io.tocsin.query.QueryException;
import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.QuerySource;
import io.tocsin.query.eval.QuerySourceException;
import io.tocsin.query.eval.QueryResult;
import io.tocsin.rules.GroupState.State;
import io.tocsin.store.BucketGrid;
import io.tocsin.store.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A monitor's definition and its evolving state. {@link #evaluate} runs the query over the
 * buckets completed since the last evaluation and steps every group's state machine through
 * them in order. Locking: this object's monitor guards all mutable state.
 */
final class MonitorRuntime {
  /**
   * How many buckets an adopted state is continued over, one query: beyond that the gap rules
   * apply as after a restart (pending groups start over).
   */
  static final int MAX_CATCH_UP_BUCKETS = 1000;

  private final MonitorDefinition definition;
  private final StateMachine machine;
  private final long noDataAfterMs;
  /** One slot per known group, changed in place, and their counts. */
  private final MonitorGroups groups = new MonitorGroups();
  /** A group's fields before its step, to tell what the step changed. */
  private final GroupSlot before = new GroupSlot(Labels.EMPTY);
  /** Whether the last evaluation changed what {@link StateFile} keeps. */
  private boolean changed;
  /**
   * The groups whose saved form ({@link SavedForm}) changed since this monitor was last saved: a
   * save writes only these. A firing group that goes on breaching is not among them.
   */
  private final Set<Labels> unsaved = new HashSet<>();
  /** Whether the monitor's own saved fields changed since it was last saved. */
  private boolean monitorUnsaved;
  /** Whether its next save must replace all its saved groups (after a reload or an adopted state). */
  private boolean rewriteAll;
  /** Volatile, like {@link #paused} and {@link #retired}, for {@link #isDue}; written under this object's lock. */
  private volatile long lastBucketEnd = -1;
  private volatile MonitorStatus.Health health = MonitorStatus.Health.UNKNOWN;
  private volatile String lastError;
  private volatile long lastEvaluationMs;
  private volatile double evaluationMillis;
  private volatile boolean paused;
  /** A monitor's unchanged alert state is handed on again after this many buckets (see {@link #alertStateIfChanged}). */
  static final int REFRESH_BUCKETS = 60;
  /**
   * Set once a reload handed this runtime's state to its successor or removed the monitor: an
   * evaluation of it still queued must then emit nothing, or its transitions would be sent twice.
   */
  private volatile boolean retired;
  /** The pending and firing groups {@link #alertStateIfChanged} last reported or {@link #adopt} installed. */
  private List<GroupState> lastAlertBearing = List.of();
  /**
   * Whether a pending or firing group may have changed its transitions since {@link
   * #alertStateIfChanged} last looked: when not, it answers without walking the groups.
   */
  private boolean transitionsMayDiffer = true;
  /** The bucket end of {@link #lastAlertBearing}. */
  private long lastAlertBearingEnd;
  /**
   * Set when {@link #adopt} installed pending or firing groups of a peer that evaluated the same
   * data: the next evaluation steps through every bucket since the adopted one instead of
   * starting pending groups over after a gap, since their streaks were earned in buckets this
   * process holds too.
   */
  private boolean continuesAdopted;

  MonitorRuntime(MonitorDefinition definition) {
    this.definition = definition;
    this.machine = new StateMachine(definition);
    this.noDataAfterMs = definition.noDataAfter().toMillis();
    this.paused = definition.paused();
  }

  MonitorDefinition definition() {
    return definition;
  }

  /**
   * Evaluates the buckets completed by {@code nowMs} (less the evaluation delay) that were not
   * evaluated yet, and returns the events they cause. A query that fails leaves every state as
   * it was: a broken query must not resolve alerts.
   *
   * <p>Buckets since the last evaluation are stepped through oldest first, so after a restart the
   * buckets recovered with the store count as if there had been no restart. When more than N+1
   * buckets went unevaluated, streaks were not seen being earned: pending groups start over and
   * only the last N buckets are read. When that gap is a stop of the process that had evaluated
   * everything due while it ran, the N+1 buckets after the last evaluated one are stepped through
   * first: they hold what the store recovered from before the stop.
   *
   * @param downtime the time before this process started in which no data could arrive: a
   *     missing value there says nothing about the source (no absent breach, no silence)
   */
  List<AlertEvent> evaluate(QuerySource evaluator, EvaluationCache cache, long nowMs, Downtime downtime) {
    return evaluate(evaluator, cache, new GroupKeys().cycle(), nowMs, downtime);
  }

  /** As {@link #evaluate(QuerySource, EvaluationCache, long, Downtime)}, with the group labels shared in this cycle. */
  synchronized List<AlertEvent> evaluate(QuerySource evaluator, EvaluationCache cache, GroupKeys.Cycle keys, long nowMs,
      Downtime downtime) {
    changed = false;
    if (paused || retired) {
      return List.of();
    }
    long interval = definition.groupingInterval().toMillis();
    long delay = definition.evaluationDelay().toMillis();
    long end = Math.floorDiv(nowMs - delay, interval) * interval;
    if (end <= lastBucketEnd) {
      return List.of();
    }
    int n = definition.bucketsToFire();
    List<AlertEvent> events = new ArrayList<>();
    long started = System.nanoTime();
    try {
      long first = lastBucketEnd;
      boolean catchUp = continuesAdopted && end - first <= MAX_CATCH_UP_BUCKETS * interval;
      if (first < 0 || (!catchUp && end - first > (n + 1) * interval)) {
        // A stop of a process that had evaluated all that was due: the store recovered the
        // buckets after that, up to the stop.
        boolean recovered = first >= 0 && downtime.keptWindow() && downtime.covers(first, first + interval, delay);
        if (recovered && !stepThrough(evaluator, cache, keys, new BucketGrid(first, interval, n + 1), downtime, events)) {
          return events;
        }
        // First evaluation, or a gap (restart, pause, overload): streaks were not seen being
        // earned, so pending groups start over, and the last N buckets are read from the data.
        first = Math.max(end - n * interval, lastBucketEnd);
        for (GroupSlot g : groups.all()) {
          if (g.state == State.PENDING) {
            groups.changed(State.PENDING, State.OK);
            g.reset();
            unsaved.add(g.labels);
            transitionsMayDiffer = true;
          } else if (g.state == State.FIRING && machine.hasLevels()) {
            GroupState was = g.toState();
            GroupState after = machine.afterGap(was);
            if (after != was) {
              g.set(after);
              unsaved.add(g.labels);
            }
          }
        }
        changed = true;
      }
      BucketGrid grid = new BucketGrid(first, interval, (int) ((end - first) / interval));
      if (stepThrough(evaluator, cache, keys, grid, downtime, events)) {
        continuesAdopted = false;
      }
      return events;
    } finally {
      changed |= !unsaved.isEmpty();
      monitorUnsaved |= changed;
      groups.publish();
      evaluationMillis = (System.nanoTime() - started) / 1e6;
      lastEvaluationMs = nowMs;
    }
  }

  /**
   * Runs the query over {@code grid} and steps every group through its buckets; false when the
   * query failed, which changes no state.
   */
  private boolean stepThrough(QuerySource evaluator, EvaluationCache cache, GroupKeys.Cycle keys, BucketGrid grid,
      Downtime downtime, List<AlertEvent> events) {
    QueryResult result;
    try {
      result = evaluator.evaluate(definition.query(), grid, cache);
    } catch (QueryException e) {
      fail("query failed: " + e.getMessage());
      return false;
    } catch (QuerySourceException e) {
      // A datasource that is down, slow or wrong says nothing about the groups: keep their states.
      fail(e.getMessage());
      return false;
    } catch (RuntimeException e) {
      fail("evaluation failed: " + e);
      return false;
    }
    Map<Labels, double[]> values = result.column(definition.column()).groups();
    int eventsBefore = events.size();
    // Groups in the query's (sorted) order, then the known groups it no longer returns.
    int knownBefore = groups.size();
    int knownReturned = 0;
    GroupKeys.Rows rows = keys.rows(values);
    groups.rows(rows.labels().length);
    for (int i = 0; i < rows.labels().length; i++) {
      groups.loadAhead(i);
      knownReturned += step(i, rows.labels()[i], rows.values()[i], grid, downtime, events) ? 1 : 0;
    }
    if (knownReturned < knownBefore) {
      List<Labels> vanished = new ArrayList<>();
      for (Labels labels : groups.labels()) {
        if (!values.containsKey(labels)) {
          vanished.add(labels);
        }
      }
      vanished.sort(null);
      vanished.forEach(labels -> step(-1, labels, null, grid, downtime, events));
    }
    changed |= events.size() > eventsBefore;
    lastBucketEnd = grid.endMs();
    health = MonitorStatus.Health.OK;
    lastError = null;
    return true;
  }

  /**
   * Steps one group through the new buckets and notes whether its saved form changed; {@code v}
   * is null when the query has no value for it. {@code row}: its row in the query's result, or -1
   * when it has none. Returns whether the group was known before.
   */
  private boolean step(int row, Labels labels, double[] v, BucketGrid grid, Downtime downtime,
      List<AlertEvent> events) {
    GroupSlot slot = row < 0 ? groups.get(labels) : groups.atRow(row, labels);
    boolean known = slot != null;
    if (known) {
      if (slot.labels != labels) {
        groups.rekey(slot, labels); // found by content: the next evaluation finds it by reference
      }
      before.copy(slot);
    } else {
      slot = new GroupSlot(labels);
    }
    GroupSlot after = step(slot, known, v, grid, downtime, events);
    if (row >= 0) {
      groups.remember(row, labels, after);
    }
    GroupSlot was = known ? before : null;
    if (!SavedForm.same(was, lastBucketEnd, after, grid.endMs(), grid.stepMs(), keepsAllGroups())) {
      unsaved.add(labels);
    }
    transitionsMayDiffer |= !sameTransitions(was, after);
    return known;
  }

  /**
   * Steps {@code slot} (in {@link #groups} when {@code known}) through the new buckets and returns
   * it as now kept; null when it is not (dropped, or new and without a value).
   */
  private GroupSlot step(GroupSlot slot, boolean known, double[] v, BucketGrid grid, Downtime downtime,
      List<AlertEvent> events) {
    State was = slot.state;
    boolean seen = known;
    long interval = grid.stepMs();
    long delay = definition.evaluationDelay().toMillis();
    for (int b = 0; b < grid.count(); b++) {
      long start = grid.bucketStart(b);
      double value = v == null ? Double.NaN : v[b];
      boolean breach;
      boolean present = !Double.isNaN(value);
      if (!present) {
        AbsentPoints absent = definition.absentPoints();
        if (absent == AbsentPoints.IGNORE || !seen || downtime.covers(start, start + interval, delay)) {
          continue; // no value: neither a breach nor a recovery
        }
        value = absent == AbsentPoints.ZERO ? 0 : Double.NaN;
        breach = absent == AbsentPoints.ALERT || machine.breaches(0);
      } else {
        breach = machine.breaches(value);
        if (!seen && definition.absentPoints() != AbsentPoints.IGNORE) {
          changed = true; // a new group that absent_points must remember across restarts
        }
        seen = true;
      }
      if (machine.hasLevels()) {
        StateMachine.Step step = machine.step(slot.toState(), start, start + interval, value, breach, present);
        slot.set(step.state());
        if (step.event() != null) {
          events.add(event(step.event(), slot, start + interval, "", step.level(), step.left()));
        }
      } else {
        AlertEvent.Type event = machine.apply(slot, start, start + interval, value, breach, present);
        if (event != null) {
          events.add(event(event, slot, start + interval, "", -1, 0));
        }
      }
    }
    if (!afterBuckets(slot, grid.endMs(), downtime, events)) {
      if (known) {
        groups.remove(slot.labels, was);
        changed = true;
      }
      return null;
    }
    changed |= was != State.OK || slot.state != State.OK;
    if (!seen) {
      return null;
    }
    if (known) {
      groups.changed(was, slot.state);
    } else {
      groups.add(slot);
    }
    return slot;
  }

  /**
   * Repeats and drops once the new buckets are in: a firing group past its repeat interval is
   * sent again; a group without a value for max(for_duration, 5 intervals) is dropped when it is
   * ok, and in ignore mode whatever its state, a firing one resolving with reason no_data.
   * Downtime is not silence: the source may have sent values that nobody received.
   * Returns false for a dropped group.
   */
  private boolean afterBuckets(GroupSlot s, long end, Downtime downtime, List<AlertEvent> events) {
    long unseen = downtime.overlap(s.lastValueEnd, end, definition.groupingInterval().toMillis(),
        definition.evaluationDelay().toMillis());
    boolean silent = s.lastValueEnd > 0 && end - s.lastValueEnd - unseen >= noDataAfterMs;
    if (silent && (s.state == State.OK || definition.absentPoints() == AbsentPoints.IGNORE)) {
      // A quiet group is forgotten; in ignore mode even a firing one, which then resolves.
      if (s.state == State.FIRING) {
        LevelRuns firing = s.levels;
        s.state = State.OK;
        s.streak = 0;
        s.resolvedAt = end;
        s.value = Double.NaN;
        s.levels = firing.resolved();
        events.add(resolution(firing, s, end, "no_data"));
      }
      return false;
    }
    if (s.state == State.FIRING && end >= definition.repeat().nextRepeatAt(s.firedAt, s.lastNotified)) {
      s.lastNotified = end;
      events.add(event(AlertEvent.Type.REPEAT, s, end, "", s.levels.level(), 0));
    }
    return true;
  }

  /**
   * An event of group {@code s}; with levels, at level {@code level} (its threshold is that
   * level's) having left the levels {@code left}.
   */
  private AlertEvent event(AlertEvent.Type type, GroupSlot s, long at, String reason, int level, int left) {
    Thresholds thresholds = level >= 0 ? definition.levels().get(level).thresholds() : definition.thresholds();
    double threshold = thresholds.crossed(Double.isNaN(s.value) ? Double.NEGATIVE_INFINITY : s.value);
    return new AlertEvent(type, definition.id(), definition.name(), s.labels, s.value, threshold, s.activeAt,
        s.firedAt, type == AlertEvent.Type.RESOLVED ? s.resolvedAt : 0, at, reason,
        level >= 0 ? definition.levels().get(level).name() : "", left == 0 ? List.of() : levelNames(left));
  }

  /**
   * The resolution of a group that fired with level runs {@code firing} and is now {@code
   * resolved}: at the level it fired at, leaving every level it held.
   */
  private AlertEvent resolution(LevelRuns firing, GroupSlot resolved, long at, String reason) {
    int level = firing.level();
    return event(AlertEvent.Type.RESOLVED, resolved, at, reason, level, level < 0 ? 0 : firing.held() & ~(1 << level));
  }

  private List<String> levelNames(int mask) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < definition.levels().size(); i++) {
      if ((mask & 1 << i) != 0) {
        names.add(definition.levels().get(i).name());
      }
    }
    return names;
  }

  private void fail(String message) {
    health = MonitorStatus.Health.ERROR;
    lastError = message;
  }

  /**
   * Whether the last evaluation changed anything worth persisting: an event, a group that is or
   * was pending or firing, or the set of groups absent_points must remember. The values of
   * groups that stay ok are not worth a write.
   */
  synchronized boolean changed() {
    return changed;
  }

  /** The time of its last finished evaluation (Unix ms), or 0 when it has had none. */
  synchronized long lastEvaluationMs() {
    return lastEvaluationMs;
  }

  synchronized boolean paused() {
    return paused;
  }

  synchronized double evaluationMillis() {
    return evaluationMillis;
  }

  synchronized MonitorStatus.Health health() {
    return health;
  }

  synchronized void pause(boolean pause) {
    this.paused = pause;
    monitorUnsaved = true;
  }

  /**
   * Stops this runtime for good and returns its state for the runtime that replaces it. An
   * evaluation running now finishes first (it holds this object's lock), so the state returned
   * includes what it did; one queued or started later does nothing.
   */
  synchronized MonitorStatus retire() {
    retired = true;
    return snapshot();
  }

  synchronized boolean retired() {
    return retired;
  }

  /**
   * Resolves every firing group at {@code atMs} and {@link #retire retires} this runtime, for a
   * monitor that is going away.
   */
  synchronized List<AlertEvent> resolveAll(long atMs, String reason) {
    retired = true;
    List<AlertEvent> events = new ArrayList<>();
    for (GroupSlot s : groups.sorted(State.FIRING)) {
      LevelRuns levels = s.levels;
      groups.changed(State.FIRING, State.OK);
      s.state = State.OK;
      s.streak = 0;
      s.resolvedAt = atMs;
      s.levels = levels.resolved();
      unsaved.add(s.labels);
      transitionsMayDiffer = true;
      events.add(resolution(levels, s, atMs, reason));
    }
    groups.publish();
    return events;
  }

  /**
   * What survives a restart: pending, firing and resolved groups, and with absent_points zero
   * or alert every known group, since a vanished one must then fire. Groups that were only ever
   * ok are rebuilt from the data; leaving them out keeps the file (and this copy) small.
   */
  synchronized StateFile.SavedMonitor saved() {
    markSaved();
    return new StateFile.SavedMonitor(definition.stateKey(), definition.name(), lastBucketEnd,
        paused && !definition.paused(), savedGroups());
  }

  private List<StateFile.SavedGroup> savedGroups() {
    List<GroupSlot> kept = groups.kept(keepsAllGroups());
    List<StateFile.SavedGroup> saved = new ArrayList<>(kept.size());
    for (GroupSlot g : kept) {
      saved.add(StateFile.SavedGroup.of(g.toState(), lastBucketEnd));
    }
    return saved;
  }

  /**
   * What changed in the saved form since the last {@link #saved} or {@link #savedChanges}: the
   * monitor's fields and its changed groups only, or all its groups after a reload or an adoption;
   * null when nothing did.
   */
  synchronized StateFile.MonitorChange savedChanges() {
    if (!monitorUnsaved && !rewriteAll && unsaved.isEmpty()) {
      return null;
    }
    List<StateFile.SavedGroup> groupsChanged;
    List<Map<String, String>> removed = new ArrayList<>();
    if (rewriteAll) {
      groupsChanged = savedGroups();
    } else {
      boolean keepAll = keepsAllGroups();
      groupsChanged = new ArrayList<>();
      List<Labels> changedLabels = new ArrayList<>(unsaved);
      changedLabels.sort(null);
      for (Labels labels : changedLabels) {
        GroupSlot g = groups.get(labels);
        if (g != null && SavedForm.kept(g, keepAll)) {
          groupsChanged.add(StateFile.SavedGroup.of(g.toState(), lastBucketEnd));
        } else {
          removed.add(labels.asMap());
        }
      }
    }
    StateFile.MonitorChange change = new StateFile.MonitorChange(definition.stateKey(), definition.name(),
        lastBucketEnd, paused && !definition.paused(), rewriteAll, groupsChanged, removed);
    markSaved();
    return change;
  }

  private void markSaved() {
    unsaved.clear();
    monitorUnsaved = false;
    rewriteAll = false;
  }

  /** With absent_points zero or alert, a group that vanishes must fire: every known group is saved. */
  private boolean keepsAllGroups() {
    return definition.absentPoints() != AbsentPoints.IGNORE;
  }

  /** How many groups are in {@code state}, as of the last change; without the lock and without walking them. */
  long count(State state) {
    MonitorGroups.Counts c = groups.counts();
    return state == State.PENDING ? c.pending() : state == State.FIRING ? c.firing() : c.total() - c.pending()
        - c.firing();
  }

  /**
   * The monitor's figures without its groups, for listings: read without the lock, so a listing
   * never waits for an evaluation and costs nothing per group.
   */
  MonitorSummary summary(boolean evaluatedHere) {
    MonitorGroups.Counts c = groups.counts();
    return new MonitorSummary(definition, health, lastError, lastEvaluationMs, evaluationMillis, paused,
        evaluatedHere, c.total(), c.pending(), c.firing());
  }

  /** A consistent copy of the state of a monitor evaluated here. */
  MonitorStatus snapshot() {
    return snapshot(true);
  }

  /** A consistent copy of the state, for the REST API. */
  synchronized MonitorStatus snapshot(boolean evaluatedHere) {
    return new MonitorStatus(definition, groups.sorted(), lastBucketEnd, health, lastError,
        lastEvaluationMs, evaluationMillis, paused, evaluatedHere);
  }

  /** Like {@link #snapshot(boolean)} with the pending and firing groups only. */
  synchronized MonitorStatus alerting(boolean evaluatedHere) {
    return new MonitorStatus(definition, groups.alertBearing(), lastBucketEnd, health, lastError,
        lastEvaluationMs, evaluationMillis, paused, evaluatedHere);
  }

  /**
   * The pending and firing groups, the first {@code limit} in {@link ActiveGroups#ORDER}, chosen
   * so that a monitor with many groups is neither copied nor fully sorted under its lock.
   */
  synchronized ActiveGroups active(boolean evaluatedHere, int limit) {
    MonitorStatus status = new MonitorStatus(definition, groups.active(limit), lastBucketEnd, health, lastError,
        lastEvaluationMs, evaluationMillis, paused, evaluatedHere);
    return new ActiveGroups(status, groups.pending(), groups.firing());
  }

  synchronized AlertState alertState() {
    return new AlertState(definition.id(), definition.stateKey(), lastBucketEnd, groups.alertBearing());
  }

  /**
   * The alert state when a transition of its pending and firing groups differs from what this
   * method last returned or {@link #adopt} installed (a new group, an advanced pending count, a
   * resolution, a notification), or when that is {@link #REFRESH_BUCKETS} buckets old, else null.
   * A firing group's value and streak change every bucket without changing what a member taking
   * over must know: it re-evaluates the buckets since the state it adopted. The refresh bounds how
   * many those are.
   */
  synchronized AlertState alertStateIfChanged() {
    boolean stale = groups.pending() + groups.firing() > 0
        && lastBucketEnd - lastAlertBearingEnd >= REFRESH_BUCKETS * definition.groupingInterval().toMillis();
    if (!stale && !transitionsMayDiffer) {
      return null;
    }
    transitionsMayDiffer = false;
    List<GroupState> now = groups.alertBearing();
    if (!stale && transitions(now).equals(transitions(lastAlertBearing))) {
      return null;
    }
    lastAlertBearing = now;
    lastAlertBearingEnd = lastBucketEnd;
    return new AlertState(definition.id(), definition.stateKey(), lastBucketEnd, now);
  }

  /** Whether {@link #transitions} would hold the same for a group before and after (null: not known). */
  private static boolean sameTransitions(GroupSlot a, GroupSlot b) {
    boolean aBearing = a != null && a.state != State.OK;
    boolean bBearing = b != null && b.state != State.OK;
    if (!aBearing || !bBearing) {
      return aBearing == bBearing;
    }
    return a.state == b.state && (a.state != State.PENDING || a.streak == b.streak)
        && a.activeAt == b.activeAt && a.firedAt == b.firedAt && a.lastNotified == b.lastNotified
        && a.levels.level() == b.levels.level() && a.levels.held() == b.levels.held();
  }

  /** What a member taking a monitor over must agree on: a pending group's count, every group's times. */
  private static List<List<Object>> transitions(List<GroupState> bearing) {
    List<List<Object>> transitions = new ArrayList<>(bearing.size());
    for (GroupState g : bearing) {
      transitions.add(List.of(g.labels(), g.state(), g.state() == State.PENDING ? g.streak() : 0, g.activeAt(),
          g.firedAt(), g.lastNotified(), g.levels().level(), g.levels().held()));
    }
    return transitions;
  }

  /**
   * Installs the alert state of a process that evaluated this monitor: its pending and firing
   * groups replace these (ok groups stay), and evaluation continues after its last bucket. Changes
   * nothing and returns false when the state is of a monitor with another name, query or
   * interval, or when it is older than what this runtime evaluated; on {@code joining}, also when
   * it is not newer and a group here pends or fires (this member's own evaluation of the same
   * buckets stands).
   */
  synchronized boolean adopt(AlertState state, boolean joining) {
    boolean bearing = groups.pending() + groups.firing() > 0;
    if (retired || !state.stateKey().equals(definition.stateKey()) || state.lastBucketEnd() < lastBucketEnd
        || (joining && bearing && state.lastBucketEnd() == lastBucketEnd)) {
      return false;
    }
    groups.replaceAlertBearing(state.groups(), machine::fit);
    rewriteAll = true;
    transitionsMayDiffer = true;
    lastBucketEnd = state.lastBucketEnd();
    lastAlertBearing = state.groups();
    lastAlertBearingEnd = state.lastBucketEnd();
    continuesAdopted = !state.groups().isEmpty();
    return true;
  }

  /**
   * Whether {@link #evaluate} at {@code nowMs} would read a new bucket. Without this object's
   * lock, which an evaluation holds: the scheduler asks every tick and must not wait for one.
   */
  boolean isDue(long nowMs) {
    return !paused && !retired && dueBucketEnd(nowMs) > lastBucketEnd;
  }

  /** The end of the last bucket complete (with the evaluation delay) at {@code nowMs}. */
  long dueBucketEnd(long nowMs) {
    long interval = definition.groupingInterval().toMillis();
    return Math.floorDiv(nowMs - definition.evaluationDelay().toMillis(), interval) * interval;
  }

  /** Takes over a previous state; the next save rewrites the monitor whole. */
  void restore(List<GroupState> saved, long savedLastBucketEnd, boolean savedPaused) {
    restore(saved, savedLastBucketEnd, savedPaused, false);
  }

  /**
   * Takes over a persisted or previous state (after a restart or a reload).
   *
   * @param asSaved whether the state is the one the state file holds (a restart); else the
   *     next save rewrites the monitor whole
   */
  synchronized void restore(List<GroupState> saved, long savedLastBucketEnd, boolean savedPaused, boolean asSaved) {
    groups.replaceAll(saved, machine::fit);
    lastBucketEnd = savedLastBucketEnd;
    paused = paused || savedPaused;
    rewriteAll = !asSaved;
    transitionsMayDiffer = true;
  }
}
