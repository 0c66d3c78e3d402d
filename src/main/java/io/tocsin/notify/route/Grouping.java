package io.tocsin.notify.route;

import io.tocsin.util.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How an aggregating route batches its alerts, with Alertmanager's meanings: one aggregation group
 * per value set of the {@code by} labels; a new group's first message {@code groupWait} after it
 * is created, then at most one every {@code groupInterval} when it changed, and all its firing
 * alerts again once {@code repeatInterval} passed without a message.
 *
 * @param by the labels that split alerts into groups; empty for one group of every alert
 * @param byAll Alertmanager's {@code ['...']}: every distinct label set is its own group
 */
public record Grouping(List<String> by, boolean byAll, Duration groupWait, Duration groupInterval,
    Duration repeatInterval) {
  /** Alertmanager's defaults, for an aggregating route that leaves a setting out. */
  public static final Grouping DEFAULTS = new Grouping(List.of(), false, Duration.ofSeconds(30),
      Duration.ofMinutes(5), Duration.ofHours(4));

  public Grouping {
    by = List.copyOf(by);
  }

  /** The labels of the group an alert with {@code labels} joins: only those it has, as Alertmanager does. */
  public Map<String, String> groupLabels(Map<String, String> labels) {
    if (byAll) {
      return new TreeMap<>(labels);
    }
    Map<String, String> group = new TreeMap<>();
    for (String name : by) {
      String value = labels.get(name);
      if (value != null) {
        group.put(name, value);
      }
    }
    return group;
  }

  /**
   * For REST: {@code group_by} (with {@code ["..."]} for every label), the three durations, and
   * the {@code group_labels} of the group an alert with {@code labels} joins.
   */
  public Map<String, Object> describe(Map<String, String> labels) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("group_by", byAll ? List.of("...") : by);
    d.put("group_wait", Durations.format(groupWait));
    d.put("group_interval", Durations.format(groupInterval));
    d.put("repeat_interval", Durations.format(repeatInterval));
    d.put("group_labels", groupLabels(labels));
    return d;
  }
}
