package io.tocsin.query.eval;

import io.tocsin.store.Labels;
import io.tocsin.store.LabelsProbe;
import java.util.List;

/**
 * Looks up the group of a series, that is {@code labels.keep(attributes)}, in a hash map keyed
 * by group labels without building those labels: a query over a million series would otherwise
 * allocate a label set per series per evaluation just to find a group it already has.
 */
final class GroupProbe extends LabelsProbe {
  /** Canonical strings, like the keys of stored labels, so that most comparisons are by reference. */
  private final String[] attributes;
  /** For each attribute, the index of its pair in {@link #labels}, or -1. */
  private final int[] found;
  private Labels labels;
  private int size;
  private int hash;

  GroupProbe(Grouping grouping) {
    List<String> names = grouping.attributes();
    this.attributes = new String[names.size()];
    for (int i = 0; i < attributes.length; i++) {
      attributes[i] = names.get(i).intern();
    }
    this.found = new int[attributes.length];
  }

  /** Describes the group of a series with these labels. */
  GroupProbe of(Labels seriesLabels) {
    this.labels = seriesLabels;
    int h = 0;
    int n = 0;
    // Both are sorted by key: one merge walk finds every attribute.
    int j = 0;
    for (int a = 0; a < attributes.length; a++) {
      String attribute = attributes[a];
      found[a] = -1;
      while (j < seriesLabels.size()) {
        String key = seriesLabels.key(j);
        int cmp = key == attribute ? 0 : key.compareTo(attribute);
        if (cmp >= 0) {
          if (cmp == 0) {
            found[a] = j;
            h += Labels.pairHash(attribute.hashCode(), seriesLabels.valueHash(j));
            n++;
            j++;
          }
          break;
        }
        j++;
      }
    }
    this.hash = h;
    this.size = n;
    return this;
  }

  /**
   * Whether a series with these labels is in the group {@link #of} last described (false before
   * the first): a scan meets the series of a group one after another, as they were created, and
   * their values compared with the last series' are cheaper than a hash and a map lookup.
   */
  boolean sameGroup(Labels seriesLabels) {
    if (labels == null) {
      return false;
    }
    if (seriesLabels.sharesKeysWith(labels)) { // the attributes are where they were: no walk over the keys
      for (int a = 0; a < attributes.length; a++) {
        int at = found[a];
        if (at >= 0 && !seriesLabels.valueEquals(at, labels, at)) {
          return false;
        }
      }
      return true;
    }
    int j = 0;
    for (int a = 0; a < attributes.length; a++) {
      String attribute = attributes[a];
      int at = -1;
      while (j < seriesLabels.size()) {
        String key = seriesLabels.key(j);
        int cmp = key == attribute ? 0 : key.compareTo(attribute);
        if (cmp >= 0) {
          if (cmp == 0) {
            at = j++;
          }
          break;
        }
        j++;
      }
      if (at < 0 ? found[a] >= 0 : found[a] < 0 || !seriesLabels.valueEquals(at, labels, found[a])) {
        return false;
      }
    }
    return true;
  }

  /** The group's labels, built when the group is new. */
  Labels key() {
    Labels.Builder builder = Labels.builder();
    for (int a = 0; a < attributes.length; a++) {
      if (found[a] >= 0) {
        builder.put(attributes[a], labels.value(found[a]));
      }
    }
    return builder.build();
  }

  @Override
  protected int labelsHash() {
    return hash;
  }

  @Override
  protected boolean matches(Labels group) {
    if (group.size() != size) {
      return false;
    }
    int g = 0;
    for (int a = 0; a < attributes.length; a++) {
      if (found[a] < 0) {
        continue;
      }
      if (!group.key(g).equals(attributes[a]) || !labels.valueEquals(found[a], group, g)) {
        return false;
      }
      g++;
    }
    return true;
  }
}
