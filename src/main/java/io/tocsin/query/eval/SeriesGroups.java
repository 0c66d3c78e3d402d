package io.tocsin.query.eval;

import io.tocsin.store.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The group of each series of a selector by one grouping, kept from one evaluation cycle to the
 * next: a monitor's cycle folds the same series as the last one, in the same order, so the group of
 * the series at each position is known already and checking that the series is the same (the same
 * labels instance, or equal labels) replaces finding its group by hash. A series that is new at its
 * position is looked up by hash as before. Not thread-safe: callers hold its lock.
 */
final class SeriesGroups {
  /** The groups are forgotten and found again when fewer than 1 in this many of those known had series in a fold. */
  private static final int STALE_GROUPS_FACTOR = 2;

  private final Grouping grouping;
  private final GroupProbe probe;
  /** Group labels by index, and the index of each. */
  private final List<Labels> keys = new ArrayList<>();
  private final Map<Object, Integer> index = new HashMap<>();
  /** The series at each position in the last fold, and the index of its group. */
  private Labels[] series = new Labels[0];
  private int[] groupOf = new int[0];

  SeriesGroups(Grouping grouping) {
    this.grouping = grouping;
    this.probe = new GroupProbe(grouping);
  }

  Grouping grouping() {
    return grouping;
  }

  /**
   * Folds {@code all} into its groups with {@code combiner}; each group comes out once, with the
   * series that had values ({@link SeriesNode.Materialized} keeps only those).
   */
  Map<Object, Combiner.Accumulator> fold(SeriesNode.Materialized all, Combiner combiner, QueryBudget budget) {
    int n = all.size();
    int[] groups = assign(all.labels());
    Combiner.Accumulator[] accumulators = new Combiner.Accumulator[keys.size()];
    int buckets = all.buckets();
    int made = 0;
    for (int i = 0; i < n; i++) {
      Combiner.Accumulator accumulator = accumulators[groups[i]];
      if (accumulator == null) {
        budget.building(buckets);
        accumulator = accumulators[groups[i]] = combiner.accumulator(buckets);
        made++;
      }
      all.addTo(i, accumulator);
    }
    Map<Object, Combiner.Accumulator> folded = new HashMap<>(made * 4 / 3 + 1);
    for (int g = 0; g < accumulators.length; g++) {
      if (accumulators[g] != null) {
        folded.put(keys.get(g), accumulators[g]);
      }
    }
    if ((long) made * STALE_GROUPS_FACTOR < keys.size()) {
      forget(); // most groups known went away (their series did): do not keep them forever
    }
    return folded;
  }

  /** The index of the group of each of {@code labels}, by position; valid until the next call. */
  private int[] assign(List<Labels> labels) {
    int n = labels.size();
    if (n != series.length) {
      series = Arrays.copyOf(series, n);
      groupOf = Arrays.copyOf(groupOf, n);
    }
    for (int i = 0; i < n; i++) {
      Labels s = labels.get(i);
      Labels known = series[i];
      if (known != s && !s.equals(known)) {
        groupOf[i] = groupIndex(s);
        series[i] = s;
      }
    }
    return groupOf;
  }

  private int groupIndex(Labels seriesLabels) {
    Integer known = index.get(probe.of(seriesLabels));
    if (known != null) {
      return known;
    }
    int g = keys.size();
    Labels key = probe.key();
    keys.add(key);
    index.put(key, g);
    return g;
  }

  /** How many groups are known; a fold leaves those that had series. */
  int groupCount() {
    return keys.size();
  }

  /** Drops everything known: the next fold finds every series' group by hash. */
  void forget() {
    keys.clear();
    index.clear();
    series = new Labels[0];
    groupOf = new int[0];
  }
}
