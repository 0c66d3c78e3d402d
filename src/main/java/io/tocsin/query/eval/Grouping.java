package io.tocsin.query.eval;

import io.tocsin.store.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The attributes a set of groups is keyed by, sorted and without repeats. A series belongs to the
 * group of its labels restricted to these attributes; a series without one of them still
 * belongs, with that attribute absent from its key.
 */
record Grouping(List<String> attributes) {
  static final Grouping NONE = new Grouping(List.of());

  Grouping {
    attributes = List.copyOf(new TreeSet<>(attributes));
  }

  Grouping with(Collection<String> more) {
    if (more.isEmpty()) {
      return this;
    }
    List<String> all = new ArrayList<>(attributes);
    all.addAll(more);
    return new Grouping(all);
  }

  boolean includes(Grouping other) {
    return attributes.containsAll(other.attributes);
  }

  Labels key(Labels labels) {
    return labels.keep(attributes);
  }

  @Override
  public String toString() {
    return "(" + String.join(", ", attributes) + ")";
  }
}
