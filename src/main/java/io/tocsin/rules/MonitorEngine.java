package io.tocsin.rules;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tocsin.history.AlertHistory;
import io.tocsin.query.eval.EvaluationCache;
import io.tocsin.query.eval.QueryEvaluator;
import io.tocsin.query.eval.QuerySource;
import io.tocsin.query.eval.QuerySourceException;
import io.tocsin.store.SeriesStore;
import io.tocsin.util.Quarantine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the monitors: loads (and reloads) their definitions while carrying state over,
 * evaluates the ones that are due, hands events to the {@link AlertSink}, keeps the history,
 * and persists state. It never talks to a channel itself.
 *
 * <p>Thread-safety: the set of monitors is replaced as a whole on load; each monitor guards its
 * own state. Evaluations of different monitors may run in parallel.
 */
public final class MonitorEngine {
  private static final Logger log = LoggerFactory.getLogger(MonitorEngine.class);

  private final QueryEvaluator evaluator;
  /** Remote stores by datasource name, for monitors with {@code datasource:}. */
  private volatile Map<String, QuerySource> datasources = Map.of();
  private final AlertSink sink;
  private final Clock clock;
  private final StateFile stateFile;
  private final AlertHistory history = new AlertHistory();
  /** The group labels query results share across monitors and cycles. */
  private final GroupKeys groupKeys = new GroupKeys();
  /** The history's version when it was last saved; delivery entries are added from other threads. */
  private volatile long savedHistoryVersion;
  private final RulesMetrics metrics;
  private final EventHandOff handOff;
  private final Map<String, StateFile.SavedMonitor> saved = new HashMap<>();
  /**
   * The monitors whose evaluation was started and has not finished, with the end of the last
   * bucket accounted for: the one the evaluation reads up to, or a later one counted as skipped.
   */
  private final Map<MonitorRuntime, Long> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean dirty = new AtomicBoolean();
  /** The state keys of monitors a reload removed since the last save; guarded by {@link #evaluationLock}'s write lock or this list. */
  private final List<String> gone = new ArrayList<>();
  /**
   * Whether the next save writes the whole state instead of appending what changed: at the first
   * save after a start (a journal read may end in a torn line), after a failed save, and when the
   * journal has outgrown the base. Guarded by {@link #saving}.
   */
  private boolean compactNext = true;
  /** Held by the one save at a time (the scheduler's tick, a test's call, the stop). */
  private final Object saving = new Object();
  /**
   * Evaluations hold it shared from a state change until its history entries are recorded; a save
   * holds it exclusively while it copies states and history. A crash between two saves then never
   * leaves a saved alert firing without the history entry of its firing.
   */
  private final ReadWriteLock evaluationLock = new ReentrantReadWriteLock();
  /** The time before this engine started in which no data arrived (see {@link Downtime}). */
  private volatile Downtime downtime;
  private volatile List<MonitorRuntime> runtimes = List.of();
  /** When the monitors were last loaded: the runtimes of a load are due from then on. */
  private volatile long loadedMs;
  private volatile MonitorPlacement placement = MonitorPlacement.EVERYWHERE;
  /** When the placement last changed: monitors that moved here are due from then on. */
  private volatile long placedMs;
  /** Told the alert state of a monitor evaluated here whenever it changed; null when nobody listens. */
  private volatile Consumer<AlertState> alertStateListener;

  /** How long past its due time an evaluation may be missing before evaluation counts as stalled. */
  static final long MIN_STALL_MS = 30_000;

  /**
   * @param stateFile where state is persisted, or null to keep it in memory only
   * @param metrics self-metrics, or null
   */
  MonitorEngine(SeriesStore store, AlertSink sink, Clock clock, StateFile stateFile, RulesMetrics metrics,
      Downtime downtime) {
    this.evaluator = new QueryEvaluator(store);
    this.sink = sink;
    this.clock = clock;
    this.stateFile = stateFile;
    this.metrics = metrics;
    this.handOff = new EventHandOff(history, sink, metrics);
    this.downtime = downtime;
  }

  /** An engine that keeps its state in memory only (rule unit tests). */
  public static MonitorEngine inMemory(SeriesStore store, AlertSink sink, Clock clock) {
    return new MonitorEngine(store, sink, clock, null, null, Downtime.before(clock.millis()));
  }

  /** An engine persisting to {@code dataDir} over a store that starts empty after a restart. */
  public static MonitorEngine persistent(SeriesStore store, AlertSink sink, Clock clock, Path dataDir,
      PrometheusRegistry registry) {
    return persistent(store, sink, clock, dataDir, registry, false);
  }

  /**
   * An engine persisting to {@code dataDir}, restoring what it finds there; a state file that
   * cannot be read is set aside ({@link Quarantine}) and the engine starts without state.
   *
   * @param storeKeepsWindow whether {@code store} holds what it held before this start (a
   *     recovered write-ahead log): the downtime is then only the time since the saved state
   *     was written, which the previous process did at every change and on stop. Otherwise, and
   *     without saved state, every bucket before the start is downtime.
   */
  public static MonitorEngine persistent(SeriesStore store, AlertSink sink, Clock clock, Path dataDir,
      PrometheusRegistry registry, boolean storeKeepsWindow) {
    StateFile stateFile = new StateFile(dataDir);
    StateFile.Saved state = restoreOrQuarantine(stateFile, clock);
    long startedMs = clock.millis();
    Downtime downtime = storeKeepsWindow && state != null && state.savedAt() < startedMs
        ? new Downtime(state.savedAt(), startedMs) : Downtime.before(startedMs);
    MonitorEngine engine = new MonitorEngine(store, sink, clock, stateFile, new RulesMetrics(registry), downtime);
    engine.metrics.register(engine);
    if (state != null) {
      state.monitors().forEach(m -> engine.saved.put(m.key(), m));
      engine.history.restore(state.history());
      log.info("restored the state of {} monitors from {}", state.monitors().size(), stateFile.path());
    }
    return engine;
  }

  /**
   * Data can arrive from {@code ms} on (the OTLP receivers are open): the downtime ends there,
   * not when the engine was built, since recovering the store may take a while before it.
   */
  public void receivingSince(long ms) {
    Downtime current = downtime;
    if (ms > current.toMs()) {
      downtime = new Downtime(current.fromMs(), ms);
    }
  }

  /**
   * The saved state; null when there is none or it cannot be read. An unreadable file must not
   * keep Tocsin (and the notifications waiting in its outbox) from starting: it is set aside for
   * a person to look at, and the monitors start over from the data.
   */
  private static StateFile.Saved restoreOrQuarantine(StateFile stateFile, Clock clock) {
    try {
      return stateFile.load();
    } catch (IOException | RuntimeException e) {
      Quarantine.setAside(stateFile.path(), "monitor state", e,
          "starting with no monitor state, so alerts that were firing fire again", clock, log);
      return null;
    }
  }

  /**
   * Replaces the monitors. A monitor whose name, query and interval are unchanged keeps its
   * state (and its pause); one new to this process takes what was persisted for it, if anything.
   * The firing alerts of a monitor that is gone resolve (reason {@code monitor_removed}), so that
   * no channel is left believing they still fire.
   */
  public synchronized void load(List<MonitorDefinition> definitions) {
    Map<String, MonitorRuntime> previous = new HashMap<>();
    for (MonitorRuntime r : runtimes) {
      previous.put(r.definition().stateKey(), r);
    }
    List<MonitorRuntime> next = new ArrayList<>();
    for (MonitorDefinition definition : definitions) {
      MonitorRuntime runtime = new MonitorRuntime(definition);
      MonitorRuntime old = previous.get(definition.stateKey());
      if (old != null) {
        // Only a stopped runtime hands over: an evaluation of it still queued must not emit
        // what its successor emits again.
        MonitorStatus s = old.retire();
        runtime.restore(s.groups(), s.lastBucketEnd(), s.paused() && !s.definition().paused(), false);
      } else {
        StateFile.SavedMonitor m = saved.remove(definition.stateKey());
        if (m != null) {
          long interval = definition.groupingInterval().toMillis();
          runtime.restore(m.groups().stream().map(g -> g.toState(m.lastBucketEnd(), interval)).toList(),
              m.lastBucketEnd(), m.paused(), true);
        }
      }
      next.add(runtime);
    }
    List<MonitorRuntime> removed = new ArrayList<>(runtimes);
    removed.removeIf(r -> next.stream().anyMatch(n -> n.definition().stateKey().equals(r.definition().stateKey())));
    runtimes = List.copyOf(next);
    loadedMs = clock.millis();
    synchronized (gone) {
      removed.forEach(r -> gone.add(r.definition().stateKey()));
    }
    dirty.set(true);
    for (MonitorRuntime r : removed) {
      List<AlertEvent> resolutions = r.resolveAll(clock.millis(), "monitor_removed");
      if (!resolutions.isEmpty()) {
        handOff.deliver(r.definition(), resolutions);
      }
    }
  }

  /**
   * Evaluates every monitor that has a new bucket at {@code nowMs}, one after the other, and
   * returns their events (already delivered). Rule unit tests drive time through this.
   */
  public List<AlertEvent> evaluateDue(long nowMs) {
    EvaluationCache cache = new EvaluationCache();
    GroupKeys.Cycle keys = cycleKeys();
    List<AlertEvent> all = new ArrayList<>();
    for (MonitorRuntime runtime : runtimes) {
      if (evaluatesHere(runtime) && runtime.isDue(nowMs)) {
        all.addAll(evaluate(runtime, cache, keys, nowMs));
      }
    }
    return all;
  }

  /**
   * Starts the evaluation of every monitor due at {@code nowMs} on {@code pool} and returns at
   * once. A monitor still busy with its previous evaluation is not started again: one slow
   * monitor delays only itself. A bucket that became due meanwhile is counted as skipped, once:
   * its evaluation did not run when due (the next one reads it). Monitors started together share
   * one {@link EvaluationCache}. Monitors another member evaluates are neither started nor counted.
   */
  public List<Future<?>> evaluateDueAsync(long nowMs, ExecutorService pool) {
    EvaluationCache cache = new EvaluationCache();
    GroupKeys.Cycle keys = cycleKeys();
    List<Future<?>> started = new ArrayList<>();
    for (MonitorRuntime runtime : runtimes) {
      if (!evaluatesHere(runtime) || !runtime.isDue(nowMs)) {
        continue;
      }
      long due = runtime.dueBucketEnd(nowMs);
      Long accounted = inFlight.putIfAbsent(runtime, due);
      if (accounted != null) {
        // Only this thread raises the value; a finished evaluation removes it, and then no bucket was skipped.
        if (due > accounted && inFlight.replace(runtime, accounted, due) && metrics != null) {
          metrics.skipped(runtime.definition());
        }
        continue;
      }
      started.add(pool.submit(() -> {
        try {
          evaluate(runtime, cache, keys, nowMs);
        } catch (RuntimeException e) {
          log.error("evaluating monitor \"{}\" failed", runtime.definition().name(), e);
        } finally {
          inFlight.remove(runtime);
        }
      }));
    }
    return started;
  }

  /** The datasources monitors with {@code datasource: NAME} are evaluated against, by name. */
  public void useDatasources(Map<String, QuerySource> byName) {
    this.datasources = Map.copyOf(byName);
  }

  /** The names of the configured datasources. */
  public Set<String> datasourceNames() {
    return datasources.keySet();
  }

  /** The local store for {@code null}, else the named datasource. */
  public QuerySource sourceOf(String datasource) {
    if (datasource == null) {
      return evaluator;
    }
    QuerySource source = datasources.get(datasource);
    if (source == null) {
      return (query, grid, cache) -> {
        throw new QuerySourceException("datasource " + datasource + " is not configured in tocsin.yml");
      };
    }
    return source;
  }

  /**
   * The shared group labels for the monitors evaluated together now. Label sets of groups that
   * went away are kept until there are more of them than groups (then all are forgotten and shared
   * anew), so they hold at most about as much as the groups' own labels.
   */
  private GroupKeys.Cycle cycleKeys() {
    long groups = 0;
    for (MonitorRuntime r : runtimes) {
      groups += r.count(GroupState.State.OK) + r.count(GroupState.State.PENDING) + r.count(GroupState.State.FIRING);
    }
    groupKeys.trim(2 * groups + 10_000);
    return groupKeys.cycle();
  }

  private List<AlertEvent> evaluate(MonitorRuntime runtime, EvaluationCache cache, GroupKeys.Cycle keys,
      long nowMs) {
    if (runtime.retired()) {
      // Queued before a reload replaced it; its successor evaluates instead.
      return List.of();
    }
    List<AlertEvent> events;
    evaluationLock.readLock().lock();
    try {
      events = runtime.evaluate(sourceOf(runtime.definition().datasource()), cache, keys, nowMs, downtime);
      handOff.record(runtime.definition(), events);
    } finally {
      evaluationLock.readLock().unlock();
    }
    if (metrics != null) {
      metrics.evaluated(runtime.evaluationMillis(), runtime.health() == MonitorStatus.Health.ERROR);
    }
    if (runtime.changed()) {
      dirty.set(true);
    }
    if (!events.isEmpty()) {
      handOff.hand(runtime.definition(), events);
    }
    Consumer<AlertState> listener = alertStateListener;
    if (listener != null) {
      AlertState changed = runtime.alertStateIfChanged();
      if (changed != null) {
        try {
          listener.accept(changed);
        } catch (RuntimeException e) {
          log.error("handing on the alert state of monitor \"{}\" failed", runtime.definition().name(), e);
        }
      }
    }
    return events;
  }

  private boolean evaluatesHere(MonitorRuntime runtime) {
    return placement.evaluatesHere(runtime.definition().id());
  }

  /** Decides from now on which monitors this process evaluates; by default all of them. */
  public void placeBy(MonitorPlacement placement) {
    this.placement = placement;
    placementChanged();
  }

  /**
   * The placement's answer changed (a new cluster view): a monitor that moved here is due from
   * now on, not late for the time another member evaluated it.
   */
  public void placementChanged() {
    placedMs = clock.millis();
  }

  /**
   * Calls {@code listener} after each evaluation of a monitor evaluated here that changed its
   * {@link AlertState} (pending or firing groups), on the evaluating thread, after its events
   * went to the sink; never for an evaluation that changed none.
   */
  public void onAlertStateChange(Consumer<AlertState> listener) {
    this.alertStateListener = listener;
  }

  /** The alert state of every monitor, in definition order: evaluated here or adopted. */
  public List<AlertState> alertStates() {
    return runtimes.stream().map(MonitorRuntime::alertState).toList();
  }

  /**
   * Installs the alert state a peer evaluated into a monitor this process does not evaluate now,
   * so that it continues from there when it takes the monitor over. False, changing nothing, for
   * a monitor evaluated here (its own evaluation of the same data stands, with its own events),
   * an unknown one, one whose name, query or interval differ, or a state older than this one.
   */
  public boolean adopt(AlertState state) {
    Optional<MonitorRuntime> runtime = runtime(state.monitorId());
    if (runtime.isEmpty() || evaluatesHere(runtime.get()) || !runtime.get().adopt(state, false)) {
      return false;
    }
    dirty.set(true);
    return true;
  }

  /**
   * Installs a peer's alert state handed over when this member joined, whoever evaluates the
   * monitor, when it is newer than this member's (a member restarted after a while: the peers
   * evaluated the buckets it missed) or this monitor has none here (a start with an empty
   * data_dir). The joiner continues the alerts' episodes where its peers are, so its events carry
   * the transition buckets of theirs and the notification log recognises them.
   */
  public boolean adoptOnJoin(AlertState state) {
    Optional<MonitorRuntime> runtime = runtime(state.monitorId());
    if (runtime.isEmpty() || !runtime.get().adopt(state, true)) {
      return false;
    }
    dirty.set(true);
    return true;
  }

  /**
   * Why monitor evaluation is behind schedule at {@code nowMs}, or null when it is not. A monitor
   * is behind when its next bucket has been due (bucket end plus evaluation delay) for longer
   * than max(3 × grouping_interval, 30s) without an evaluation finishing: counted from its last
   * finished evaluation, or from when it was loaded or moved here. Paused monitors, and those
   * another member evaluates, are never due.
   */
  public String behindSchedule(long nowMs) {
    List<String> late = new ArrayList<>();
    for (MonitorRuntime runtime : runtimes) {
      if (runtime.paused() || !evaluatesHere(runtime)) {
        continue;
      }
      MonitorDefinition d = runtime.definition();
      long interval = d.groupingInterval().toMillis();
      long delay = d.evaluationDelay().toMillis();
      long since = Math.max(runtime.lastEvaluationMs(), Math.max(loadedMs, placedMs));
      long due = (Math.floorDiv(since - delay, interval) + 1) * interval + delay;
      long allowed = Math.max(3 * interval, MIN_STALL_MS);
      if (nowMs - due > allowed) {
        late.add("\"" + d.id() + "\" due " + (nowMs - due) / 1000 + "s ago (allowed " + allowed / 1000 + "s)");
      }
    }
    if (late.isEmpty()) {
      return null;
    }
    return "monitor evaluation is behind schedule: " + late.size() + " of " + runtimes.size()
        + " monitors not evaluated in time: " + String.join(", ", late.subList(0, Math.min(5, late.size())))
        + (late.size() > 5 ? ", ..." : "");
  }

  /**
   * Each monitor's last finished evaluation (Unix ms), by id, for those evaluated here: one
   * another member took over would look stalled.
   */
  Map<String, Long> lastEvaluations() {
    Map<String, Long> last = new LinkedHashMap<>();
    for (MonitorRuntime runtime : runtimes) {
      long ms = runtime.lastEvaluationMs();
      if (ms > 0 && evaluatesHere(runtime)) {
        last.put(runtime.definition().id(), ms);
      }
    }
    return last;
  }

  /** Whether this process evaluates each monitor now, by id. */
  public Map<String, Boolean> placements() {
    Map<String, Boolean> placed = new LinkedHashMap<>();
    for (MonitorRuntime runtime : runtimes) {
      placed.put(runtime.definition().id(), evaluatesHere(runtime));
    }
    return placed;
  }

  /** How many groups of all monitors are in {@code state}: counts kept as groups change, no walk over them. */
  public long count(GroupState.State state) {
    long n = 0;
    for (MonitorRuntime r : runtimes) {
      n += r.count(state);
    }
    return n;
  }

  /** Every monitor's figures without its groups, in definition order; costs nothing per group. */
  public List<MonitorSummary> summaries() {
    List<MonitorSummary> all = new ArrayList<>(runtimes.size());
    for (MonitorRuntime r : runtimes) {
      all.add(r.summary(evaluatesHere(r)));
    }
    return all;
  }

  public int size() {
    return runtimes.size();
  }

  /** Every monitor's status, in definition order. */
  public List<MonitorStatus> monitors() {
    return runtimes.stream().map(r -> r.snapshot(evaluatesHere(r))).toList();
  }

  /**
   * Every monitor's status with only its pending and firing groups, in definition order: what a
   * list of alerts needs, without copying and sorting the groups that are fine (a thousand
   * monitors can hold millions). Their {@code state()}, {@code summary()} and counts know only
   * those groups: ask {@link #summaries()} for a monitor's state.
   */
  public List<MonitorStatus> alerting() {
    return runtimes.stream().map(r -> r.alerting(evaluatesHere(r))).toList();
  }

  /**
   * Every monitor's status with its counts of pending and firing groups, in definition order;
   * the groups themselves only of the monitors {@code withGroups} accepts, at most {@code limit}
   * in all (the first monitors' first).
   */
  public List<ActiveGroups> active(Predicate<MonitorDefinition> withGroups, int limit) {
    List<ActiveGroups> all = new ArrayList<>();
    int left = limit;
    for (MonitorRuntime r : runtimes) {
      ActiveGroups active = r.active(evaluatesHere(r), withGroups.test(r.definition()) ? left : 0);
      left -= active.status().groups().size();
      all.add(active);
    }
    return all;
  }

  /** The figures of the monitor with this id, without its groups. */
  public Optional<MonitorSummary> summary(String id) {
    return runtime(id).map(r -> r.summary(evaluatesHere(r)));
  }

  public Optional<MonitorStatus> monitor(String id) {
    return runtime(id).map(r -> r.snapshot(evaluatesHere(r)));
  }

  /** Pauses or resumes a monitor; false when there is no such monitor. */
  public boolean pause(String id, boolean pause) {
    Optional<MonitorRuntime> runtime = runtime(id);
    runtime.ifPresent(r -> {
      r.pause(pause);
      dirty.set(true);
    });
    return runtime.isPresent();
  }

  private Optional<MonitorRuntime> runtime(String id) {
    return runtimes.stream().filter(r -> r.definition().id().equals(id)).findFirst();
  }

  public AlertHistory history() {
    return history;
  }

  /** Writes the state if it changed since the last write. */
  public void persistIfChanged() {
    boolean historyChanged = history.version() != savedHistoryVersion;
    if (stateFile == null || !(dirty.getAndSet(false) | historyChanged)) {
      return;
    }
    save();
  }

  /**
   * Writes the state whether or not it changed, on a graceful stop: the time of the write tells
   * the next start when this process stopped, that is where its downtime began.
   */
  public void persistOnStop() {
    if (stateFile != null) {
      dirty.set(false);
      save();
    }
  }

  /**
   * Saves under the exclusive {@link #evaluationLock}, so that no evaluation is between its state
   * change and its history entry: either the whole state (a compaction) or, usually, only the
   * monitors and groups whose saved form changed and the history entries added since the last save.
   * The bytes are encoded and written after the lock is released.
   */
  private void save() {
    synchronized (saving) {
      saveNow();
    }
  }

  private void saveNow() {
    boolean whole = compactNext;
    List<StateFile.SavedMonitor> monitors = new ArrayList<>();
    List<StateFile.MonitorChange> changes = new ArrayList<>();
    List<String> removed;
    List<AlertHistory.Entry> entries;
    evaluationLock.writeLock().lock();
    try {
      if (whole) {
        savedHistoryVersion = history.version();
        entries = history.entries();
        for (MonitorRuntime runtime : runtimes) {
          monitors.add(runtime.saved());
        }
      } else {
        AlertHistory.Added added = history.since(savedHistoryVersion);
        savedHistoryVersion = added.version();
        entries = added.entries();
        for (MonitorRuntime runtime : runtimes) {
          StateFile.MonitorChange change = runtime.savedChanges();
          if (change != null) {
            changes.add(change);
          }
        }
      }
      synchronized (gone) {
        removed = List.copyOf(gone);
        gone.clear();
      }
    } finally {
      evaluationLock.writeLock().unlock();
    }
    sink.flush();
    try {
      if (whole) {
        // Monitors not loaded now (a bad reload, a file briefly missing) keep their saved state.
        saved.values().forEach(monitors::add);
        stateFile.compact(monitors, entries, clock.millis());
        compactNext = false;
      } else {
        compactNext = stateFile.append(new StateFile.Appended(clock.millis(), changes, removed, entries));
      }
    } catch (IOException e) {
      // What was taken for this save is not written: the next save writes everything.
      compactNext = true;
      dirty.set(true);
      log.error("cannot save monitor state to {}: {}", stateFile.path(), e.toString());
    }
  }
}
