package io.tocsin.rules;

import io.tocsin.rules.GroupState.State;
import io.tocsin.store.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The groups of one monitor, a {@link GroupSlot} each, and how many of them pend and fire: counts
 * kept as groups come, go and change state, so that nothing walks the groups to count them.
 * Guarded by the lock of the {@link MonitorRuntime} that holds it, except {@link #counts}.
 */
final class MonitorGroups {
  /** {@link ActiveGroups#ORDER} of slots. */
  private static final Comparator<GroupSlot> ACTIVE_ORDER =
      Comparator.<GroupSlot, Boolean>comparing(g -> g.state != State.FIRING).thenComparing(g -> g.labels);

  /** Slots loaded ahead per batch ({@link #loadAhead}). */
  private static final int LOAD_BATCH = 8;

  private final HashMap<Labels, GroupSlot> slots = new HashMap<>();
  /**
   * The labels and slot of each row of the last query result stepped through ({@link #atRow}):
   * a result's groups are shared label instances ({@link GroupKeys}) in sorted order, mostly the
   * same from one cycle to the next, so the slot of a row is found by comparing one reference
   * instead of a hash lookup among hundreds of thousands of slots. Cleared when slots are
   * replaced; a slot removed is cleared at its row as it is removed ({@link #remember}).
   */
  private Labels[] rowLabels = new Labels[0];
  private GroupSlot[] rowSlots = new GroupSlot[0];
  private int pending;
  private int firing;
  /** The sum of what {@link #loadAhead} loaded, which means nothing. */
  private long loaded;
  /**
   * The counts as of the last {@link #publish}, read without the lock: the scheduler, {@code
   * /metrics} and the REST API never wait for an evaluation, nor walk the groups to count them.
   */
  private volatile Counts counts = new Counts(0, 0, 0);

  /** The counts of groups, as of the end of the last change. */
  record Counts(int total, int pending, int firing) {}

  GroupSlot get(Labels labels) {
    return slots.get(labels);
  }

  /** Makes room to remember the slots of a result of {@code rows} rows. */
  void rows(int rows) {
    if (rows != rowLabels.length) {
      rowLabels = Arrays.copyOf(rowLabels, rows);
      rowSlots = Arrays.copyOf(rowSlots, rows);
    }
  }

  /**
   * The slot of the group {@code labels} at row {@code row} of a result (see {@link #rows}): the
   * one remembered at that row when its labels are the same instance, else as {@link #get} finds it.
   */
  GroupSlot atRow(int row, Labels labels) {
    GroupSlot slot = rowSlots[row];
    return slot != null && rowLabels[row] == labels ? slot : slots.get(labels);
  }

  /**
   * Remembers {@code slot} (null for none) as the group at row {@code row} with {@code labels}.
   * Mostly they are there already: the arrays are written only when not, as a reference store
   * costs the collector's write barrier even when it changes nothing.
   */
  void remember(int row, Labels labels, GroupSlot slot) {
    if (rowLabels[row] != labels || rowSlots[row] != slot) {
      rowLabels[row] = labels;
      rowSlots[row] = slot;
    }
  }

  /**
   * Loads ahead the slots of the rows after {@code row}, which a step through the result's rows
   * reaches now: at the first row of each batch of {@link #LOAD_BATCH}, the remembered slots of
   * the next batch, back to back (at row 0, of the first batch too). A monitor's slots lie apart
   * in the heap, and a step waited on memory for each of them, one after another, as a step is
   * too long for the processor to reach the next one's load while it waits; loaded together,
   * their waits overlap (1,000 monitors over a million series, 1.15 million slots, in separate
   * runs: a median cycle of 0.46-0.56 CPU-s against 0.59-0.66). The values mean nothing: they
   * are summed into a field so that the compiler keeps the loads.
   */
  void loadAhead(int row) {
    if (row % LOAD_BATCH == 0) {
      if (row == 0) {
        load(0, LOAD_BATCH);
      }
      load(row + LOAD_BATCH, row + 2 * LOAD_BATCH);
    }
  }

  private void load(int from, int to) {
    GroupSlot[] remembered = rowSlots;
    long sum = 0;
    for (int row = from, end = Math.min(to, remembered.length); row < end; row++) {
      GroupSlot slot = remembered[row];
      if (slot != null) {
        sum += slot.streak;
      }
    }
    loaded += sum;
  }

  private void forgetRows() {
    Arrays.fill(rowLabels, null);
    Arrays.fill(rowSlots, null);
  }

  int size() {
    return slots.size();
  }

  Set<Labels> labels() {
    return slots.keySet();
  }

  /** Every slot; a change of a slot's state must be told with {@link #changed}. */
  Collection<GroupSlot> all() {
    return slots.values();
  }

  void add(GroupSlot slot) {
    slots.put(slot.labels, slot);
    count(slot.state, 1);
  }

  /** Keys {@code slot} by {@code labels}, equal to its own but another instance. */
  void rekey(GroupSlot slot, Labels labels) {
    slots.remove(slot.labels);
    slot.labels = labels;
    slots.put(labels, slot);
  }

  void remove(Labels labels, State state) {
    slots.remove(labels);
    count(state, -1);
  }

  /** A slot's state went from {@code was} to {@code now}. */
  void changed(State was, State now) {
    count(was, -1);
    count(now, 1);
  }

  int pending() {
    return pending;
  }

  int firing() {
    return firing;
  }

  /** Replaces every group with {@code states}, each {@code fit} to the monitor. */
  void replaceAll(Collection<GroupState> states, UnaryOperator<GroupState> fit) {
    slots.clear();
    forgetRows();
    replaceAlertBearing(states, fit);
  }

  /** Replaces the pending and firing groups with {@code states}, each {@code fit} to the monitor; ok groups stay. */
  void replaceAlertBearing(Collection<GroupState> states, UnaryOperator<GroupState> fit) {
    slots.values().removeIf(g -> g.state != State.OK);
    forgetRows();
    states.forEach(g -> slots.put(g.labels(), new GroupSlot(fit.apply(g))));
    pending = 0;
    firing = 0;
    slots.values().forEach(g -> count(g.state, 1));
    publish();
  }

  private void count(State state, int delta) {
    if (state == State.PENDING) {
      pending += delta;
    } else if (state == State.FIRING) {
      firing += delta;
    }
  }

  /** Makes the counts as they are now those {@link #counts} reads. */
  void publish() {
    counts = new Counts(slots.size(), pending, firing);
  }

  /** The counts as of the last {@link #publish}; without the lock. */
  Counts counts() {
    return counts;
  }

  /** Every group as a state, by labels. */
  List<GroupState> sorted() {
    List<GroupState> sorted = new ArrayList<>(slots.size());
    slots.values().forEach(g -> sorted.add(g.toState()));
    sorted.sort(Comparator.comparing(GroupState::labels));
    return List.copyOf(sorted);
  }

  /** The slots in {@code state}, by labels. */
  List<GroupSlot> sorted(State state) {
    List<GroupSlot> in = new ArrayList<>();
    slots.values().stream().filter(g -> g.state == state).forEach(in::add);
    in.sort(Comparator.comparing(g -> g.labels));
    return in;
  }

  /** The pending and firing groups as states, by labels. */
  List<GroupState> alertBearing() {
    List<GroupState> bearing = new ArrayList<>();
    for (GroupSlot g : slots.values()) {
      if (g.state != State.OK) {
        bearing.add(g.toState());
      }
    }
    bearing.sort(Comparator.comparing(GroupState::labels));
    return List.copyOf(bearing);
  }

  /** The slots the state file keeps ({@link SavedForm#kept}), by labels. */
  List<GroupSlot> kept(boolean keepAll) {
    List<GroupSlot> kept = new ArrayList<>();
    for (GroupSlot g : slots.values()) {
      if (SavedForm.kept(g, keepAll)) {
        kept.add(g);
      }
    }
    kept.sort(Comparator.comparing(g -> g.labels));
    return kept;
  }

  /**
   * The first {@code limit} pending and firing groups in {@link ActiveGroups#ORDER}, chosen with a
   * bounded heap so that a monitor with many groups is neither copied nor fully sorted.
   */
  List<GroupState> active(int limit) {
    if (limit <= 0) {
      return List.of();
    }
    PriorityQueue<GroupSlot> kept = new PriorityQueue<>(ACTIVE_ORDER.reversed());
    for (GroupSlot g : slots.values()) {
      if (g.state == State.OK) {
        continue;
      }
      if (kept.size() < limit) {
        kept.add(g);
      } else if (ACTIVE_ORDER.compare(g, kept.peek()) < 0) {
        kept.poll();
        kept.add(g);
      }
    }
    List<GroupState> sorted = new ArrayList<>(kept.size());
    kept.forEach(g -> sorted.add(g.toState()));
    sorted.sort(ActiveGroups.ORDER);
    return List.copyOf(sorted);
  }
}
