package io.tocsin.query.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which groupings the monitors of an evaluator ask for over the same series, so that those series
 * are folded once per cycle. Monitors that aggregate one metric by nested groupings, say
 * {@code (cluster)}, {@code (cluster, bdb)} and {@code (cluster, bdb, node)}, would each fold every
 * series; instead the series are folded once by the union of the groupings, and each grouping is
 * folded from those few groups ({@link ValueNode.Aggregate}).
 *
 * <p>The union is learned from the aggregations evaluated: a grouping takes part while it was asked
 * for within {@link #FORGET_AFTER_MS} of evaluated time, so the grouping of a deleted monitor stops
 * widening the union. A union that proved to have nearly as many groups as there are series is
 * not used again until the union changes. Thread-safe.
 */
final class SharedFolds {
  /** How long, in evaluated (bucket) time, a grouping nobody asks for any more still counts. */
  static final long FORGET_AFTER_MS = 3_600_000;

  private final Map<String, Source> sources = new ConcurrentHashMap<>();
  /** The groups of the series of a selector by a grouping ({@link SeriesGroups}), by selector and grouping. */
  private final Map<String, KeptGroups> seriesGroups = new ConcurrentHashMap<>();

  /**
   * The group of each series that {@code seriesKey} names by {@code grouping}, as found in the
   * last cycle that folded them; callers hold its lock while they use it. Those nobody asked for
   * within {@link #FORGET_AFTER_MS} of {@code gridEndMs} are dropped: they hold an entry per series.
   */
  SeriesGroups seriesGroups(String seriesKey, Grouping grouping, long gridEndMs) {
    seriesGroups.values().removeIf(kept -> kept.lastAskedMs < gridEndMs - FORGET_AFTER_MS);
    KeptGroups kept = seriesGroups.computeIfAbsent(seriesKey + " by " + grouping,
        key -> new KeptGroups(new SeriesGroups(grouping)));
    kept.lastAskedMs = Math.max(kept.lastAskedMs, gridEndMs);
    return kept.groups;
  }

  private static final class KeptGroups {
    final SeriesGroups groups;
    volatile long lastAskedMs;

    KeptGroups(SeriesGroups groups) {
      this.groups = groups;
    }
  }

  /**
   * The grouping to fold the series of {@code sourceKey} by, for an aggregation by {@code grouping}
   * over buckets ending at {@code gridEndMs}: a finer one to share with other aggregations, or
   * {@code grouping} itself when there is nothing to share.
   */
  Grouping foldBy(String sourceKey, Grouping grouping, long gridEndMs) {
    return sources.computeIfAbsent(sourceKey, key -> new Source()).foldBy(grouping, gridEndMs);
  }

  /** Notes that folding {@code sourceKey} by {@code union} saves nothing: it leaves about as many groups as series. */
  void tooFine(String sourceKey, Grouping union) {
    Source source = sources.get(sourceKey);
    if (source != null) {
      source.tooFine(union);
    }
  }

  /** The groupings asked for over one selector and combiner. */
  private static final class Source {
    private final Map<Grouping, Long> lastAskedMs = new HashMap<>();
    private Grouping tooFine;

    synchronized Grouping foldBy(Grouping grouping, long gridEndMs) {
      lastAskedMs.merge(grouping, gridEndMs, Math::max);
      lastAskedMs.values().removeIf(asked -> asked < gridEndMs - FORGET_AFTER_MS);
      List<String> all = new ArrayList<>();
      lastAskedMs.keySet().forEach(g -> all.addAll(g.attributes()));
      Grouping union = new Grouping(all);
      return union.equals(tooFine) ? grouping : union;
    }

    synchronized void tooFine(Grouping union) {
      tooFine = union;
    }
  }
}
