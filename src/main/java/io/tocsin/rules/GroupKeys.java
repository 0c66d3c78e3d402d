package io.tocsin.rules;

import io.tocsin.store.Labels;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The group labels of query results, one instance per distinct label set, so that a monitor finds
 * its group by reference: each evaluation builds new label sets, and comparing them with a
 * monitor's by content reads several objects per group that a cycle over a million groups finds
 * nowhere in a cache. The monitors of one cycle that run the same query share its result (see
 * {@link io.tocsin.query.eval.EvaluationCache}), whose groups are then made {@link Rows} once.
 * Thread-safe.
 */
final class GroupKeys {
  private final ConcurrentHashMap<Labels, Labels> canonical = new ConcurrentHashMap<>();

  /** A result's groups as rows, in its (sorted) order, their labels the shared instances. */
  record Rows(Labels[] labels, double[][] values) {}

  /** The shared instance of {@code labels}. */
  Labels canonical(Labels labels) {
    Labels known = canonical.putIfAbsent(labels, labels);
    return known == null ? labels : known;
  }

  /**
   * Forgets every label set when there are more than {@code bound}: groups that went away are
   * not kept forever; those still around are shared again from their next evaluation on.
   */
  void trim(long bound) {
    if (canonical.size() > bound) {
      canonical.clear();
    }
  }

  /** The rows of the results of one cycle, each made once; thread-safe. */
  Cycle cycle() {
    return new Cycle();
  }

  /** One cycle's results as rows, by the identity of their group maps. */
  final class Cycle {
    private final Map<Map<Labels, double[]>, Rows> rows = new IdentityHashMap<>();

    synchronized Rows rows(Map<Labels, double[]> groups) {
      Rows made = rows.get(groups);
      if (made == null) {
        Labels[] labels = new Labels[groups.size()];
        double[][] values = new double[groups.size()][];
        int i = 0;
        for (Map.Entry<Labels, double[]> group : groups.entrySet()) {
          labels[i] = canonical(group.getKey());
          values[i++] = group.getValue();
        }
        made = new Rows(labels, values);
        rows.put(groups, made);
      }
      return made;
    }
  }
}
