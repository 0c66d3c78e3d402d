package io.tocsin.rules;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a group stands at each severity level of a monitor with {@code levels:} ({@link
 * LevelMachine}); {@link #NONE} for a monitor without.
 *
 * @param names the monitor's level names, lowest first (the definition's list, shared by every
 *     group): state restored after a reload that changed the levels is matched to them by name
 * @param level the index of the level the group fires at, or -1
 * @param held the levels whose routes were told about the alert in its current episode and not
 *     yet told that it left them, as a bit set by index: their channels hear the alert resolve
 * @param runs per level: 0 when it does not breach; 1 to N-1 (N its for_duration in buckets)
 *     breaching buckets in a row, pending; N and more when it fires, N plus the buckets since its
 *     last breach (for keep_firing_for)
 */
public record LevelRuns(List<String> names, int level, int held, int[] runs) {
  public static final LevelRuns NONE = new LevelRuns(List.of(), -1, 0, new int[0]);

  /** A group that is ok at every level. */
  static LevelRuns fresh(List<String> names) {
    return new LevelRuns(names, -1, 0, new int[names.size()]);
  }

  /** The same runs, the group no longer firing and no route holding it. */
  LevelRuns resolved() {
    return runs.length == 0 ? this : new LevelRuns(names, -1, 0, new int[runs.length]);
  }

  /** The name of level {@code index}, or empty for -1. */
  String name(int index) {
    return index < 0 || index >= names.size() ? "" : names.get(index);
  }

  /** The names of the levels in the bit set {@code mask}, lowest first. */
  List<String> names(int mask) {
    return names.stream().filter(n -> (mask & (1 << names.indexOf(n))) != 0).toList();
  }

  /** The name of the level it fires at, or null: how the state file and peers carry it. */
  public String levelName() {
    return level < 0 ? null : name(level);
  }

  /** The runs by level name, lowest first, or null without levels. */
  public Map<String, Integer> runsByName() {
    if (runs.length == 0) {
      return null;
    }
    Map<String, Integer> byName = new LinkedHashMap<>();
    for (int i = 0; i < runs.length; i++) {
      byName.put(names.get(i), runs[i]);
    }
    return byName;
  }

  /** The names of the levels held, or null without levels. */
  public List<String> heldNames() {
    return runs.length == 0 ? null : names(held);
  }

  /**
   * The runs as {@link #levelName}, {@link #runsByName} and {@link #heldNames} gave them ({@link
   * #NONE} for null runs); names that are not among the runs are left out. The runtime fits them
   * to its monitor's levels by name.
   */
  public static LevelRuns of(String level, Map<String, Integer> runs, List<String> held) {
    if (runs == null || runs.isEmpty()) {
      return NONE;
    }
    List<String> names = List.copyOf(runs.keySet());
    int[] values = runs.values().stream().mapToInt(v -> v == null ? 0 : Math.max(0, v)).toArray();
    int mask = 0;
    for (String name : held == null ? List.<String>of() : held) {
      mask |= names.contains(name) ? 1 << names.indexOf(name) : 0;
    }
    return new LevelRuns(names, level == null ? -1 : names.indexOf(level), mask, values);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LevelRuns r && names.equals(r.names) && level == r.level && held == r.held
        && Arrays.equals(runs, r.runs);
  }

  @Override
  public int hashCode() {
    return (names.hashCode() * 31 + level) * 31 + held * 17 + Arrays.hashCode(runs);
  }

  @Override
  public String toString() {
    return "LevelRuns[level=" + name(level) + ", held=" + names(held) + ", runs=" + Arrays.toString(runs) + "]";
  }
}
